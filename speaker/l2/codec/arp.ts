// ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol type 0x0800, 6-byte and 4-byte addresses.
// Other hardware/protocol pairs are reported as malformed for this speaker, which only answers for IPv4.
import { type Mac, readIPv4, readMac, writeIPv4, writeMac } from './address';
import { type Decoded, decoded, malformed } from './result';

export type ArpOperation = 'request' | 'reply';

export interface ArpPacket {
  readonly operation: ArpOperation;
  readonly senderMac: Mac;
  readonly senderIp: string;
  readonly targetMac: Mac;
  readonly targetIp: string;
}

export type ArpMalformed =
  'arp-truncated' | 'arp-hardware-type' | 'arp-protocol-type' | 'arp-address-length' | 'arp-operation';

const HTYPE_ETHERNET = 1;
const PTYPE_IPV4 = 0x0800;
const OP_REQUEST = 1;
const OP_REPLY = 2;
export const ARP_LENGTH = 28;

export function encodingLength(_packet: ArpPacket): number {
  return ARP_LENGTH;
}

export function encode(packet: ArpPacket, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = buf ?? new Uint8Array(ARP_LENGTH);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint16(offset, HTYPE_ETHERNET);
  view.setUint16(offset + 2, PTYPE_IPV4);
  out[offset + 4] = 6;
  out[offset + 5] = 4;
  view.setUint16(offset + 6, packet.operation === 'request' ? OP_REQUEST : OP_REPLY);
  writeMac(packet.senderMac, out, offset + 8);
  writeIPv4(packet.senderIp, out, offset + 14);
  writeMac(packet.targetMac, out, offset + 18);
  writeIPv4(packet.targetIp, out, offset + 24);
  return out;
}

export function decode(buf: Uint8Array, offset = 0): Decoded<ArpPacket, ArpMalformed> {
  if (buf.length - offset < ARP_LENGTH) return malformed('arp-truncated');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint16(offset) !== HTYPE_ETHERNET) return malformed('arp-hardware-type');
  if (view.getUint16(offset + 2) !== PTYPE_IPV4) return malformed('arp-protocol-type');
  if (buf[offset + 4] !== 6 || buf[offset + 5] !== 4) return malformed('arp-address-length');
  const op = view.getUint16(offset + 6);
  if (op !== OP_REQUEST && op !== OP_REPLY) return malformed('arp-operation');
  return decoded(
    {
      operation: op === OP_REQUEST ? 'request' : 'reply',
      senderMac: readMac(buf, offset + 8),
      senderIp: readIPv4(buf, offset + 14),
      targetMac: readMac(buf, offset + 18),
      targetIp: readIPv4(buf, offset + 24),
    },
    ARP_LENGTH,
  );
}
