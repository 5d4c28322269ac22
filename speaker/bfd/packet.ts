// The BFD Control packet (RFC 5880 section 4.1): a pure, symmetric codec. Decoding never throws; a packet
// that section 6.8.6 says to discard comes back as { ok: false, reason } so the caller can count the drop.
// Authentication (the A bit) is not supported: such packets are discarded as malformed.

export enum BfdState {
  AdminDown = 0,
  Down = 1,
  Init = 2,
  Up = 3,
}

export interface ControlPacket {
  diagnostic: number; // 5 bits, RFC 5880 section 4.1 "Diagnostic"
  state: BfdState;
  poll: boolean;
  final: boolean;
  controlPlaneIndependent: boolean;
  demand: boolean;
  detectMult: number;
  myDiscriminator: number;
  yourDiscriminator: number;
  desiredMinTxInterval: number; // microseconds
  requiredMinRxInterval: number; // microseconds
  requiredMinEchoRxInterval: number; // microseconds
}

export type DecodeResult = { ok: true; value: ControlPacket } | { ok: false; reason: string };

const VERSION = 1;
const LENGTH = 24; // without the Authentication Section

export function encodingLength(): number {
  return LENGTH;
}

export function encode(p: ControlPacket): Buffer {
  const b = Buffer.alloc(LENGTH);
  b[0] = (VERSION << 5) | (p.diagnostic & 0x1f);
  b[1] =
    ((p.state & 3) << 6) |
    (p.poll ? 0x20 : 0) |
    (p.final ? 0x10 : 0) |
    (p.controlPlaneIndependent ? 0x08 : 0) |
    (p.demand ? 0x02 : 0);
  b[2] = p.detectMult & 0xff;
  b[3] = LENGTH;
  b.writeUInt32BE(p.myDiscriminator >>> 0, 4);
  b.writeUInt32BE(p.yourDiscriminator >>> 0, 8);
  b.writeUInt32BE(p.desiredMinTxInterval >>> 0, 12);
  b.writeUInt32BE(p.requiredMinRxInterval >>> 0, 16);
  b.writeUInt32BE(p.requiredMinEchoRxInterval >>> 0, 20);
  return b;
}

// The reception checks of RFC 5880 section 6.8.6, in its order, up to (not including) the session lookup.
export function decode(b: Uint8Array): DecodeResult {
  if (b.length < LENGTH) return { ok: false, reason: 'shorter than 24 bytes' };
  const v = Buffer.from(b.buffer, b.byteOffset, b.length);
  const b0 = v.readUInt8(0);
  const b1 = v.readUInt8(1);
  const b2 = v.readUInt8(2);
  if (b0 >> 5 !== VERSION) return { ok: false, reason: 'version is not 1' };
  const length = v.readUInt8(3);
  if (length < LENGTH) return { ok: false, reason: 'Length field below 24' };
  if (length > b.length) return { ok: false, reason: 'Length field beyond the payload' };
  if (b2 === 0) return { ok: false, reason: 'Detect Mult is zero' };
  if ((b1 & 0x01) !== 0) return { ok: false, reason: 'Multipoint bit set' };
  if ((b1 & 0x04) !== 0) return { ok: false, reason: 'authentication not supported' };
  const myDiscriminator = v.readUInt32BE(4);
  if (myDiscriminator === 0) return { ok: false, reason: 'My Discriminator is zero' };
  const state = (b1 >> 6) as BfdState;
  const yourDiscriminator = v.readUInt32BE(8);
  if (yourDiscriminator === 0 && state !== BfdState.Down && state !== BfdState.AdminDown)
    return { ok: false, reason: 'Your Discriminator is zero outside Down/AdminDown' };
  const poll = (b1 & 0x20) !== 0;
  const final = (b1 & 0x10) !== 0;
  if (poll && final) return { ok: false, reason: 'Poll and Final both set' };
  return {
    ok: true,
    value: {
      diagnostic: b0 & 0x1f,
      state,
      poll,
      final,
      controlPlaneIndependent: (b1 & 0x08) !== 0,
      demand: (b1 & 0x02) !== 0,
      detectMult: b2,
      myDiscriminator,
      yourDiscriminator,
      desiredMinTxInterval: v.readUInt32BE(12),
      requiredMinRxInterval: v.readUInt32BE(16),
      requiredMinEchoRxInterval: v.readUInt32BE(20),
    },
  };
}
