// Capabilities (RFC 5492 4): code, length, value, carried in OPEN optional parameter 2. The ones this speaker
// negotiates are typed; any other is kept as raw bytes so that it survives a decode/encode round trip.
import { CapabilityCode, ErrorCode, UNSPECIFIC } from './codes';
import { type Decoded, decoded, failed } from './result';

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

/** RFC 4760 8: AFI (2), reserved (1), SAFI (1). */
export interface MultiprotocolCapability extends AfiSafi {
  readonly kind: 'multiprotocol';
}

/** RFC 2918 2: no value. */
export interface RouteRefreshCapability {
  readonly kind: 'route-refresh';
}

/** RFC 4724 3, per-family flags: bit 0 is "Forwarding State" (F). */
export interface GracefulRestartFamily extends AfiSafi {
  readonly forwarding: boolean;
}

/** RFC 4724 3: Restart Flags (4 bits: R, and N from RFC 8538), Restart Time (12 bits), then families. */
export interface GracefulRestartCapability {
  readonly kind: 'graceful-restart';
  readonly restarting: boolean;
  readonly notification: boolean;
  /** Seconds, 0-4095. */
  readonly restartTime: number;
  readonly families: readonly GracefulRestartFamily[];
}

/** RFC 6793 3: the speaker's 4-octet AS number. */
export interface FourOctetAsCapability {
  readonly kind: 'four-octet-as';
  readonly asn: number;
}

export interface UnknownCapability {
  readonly kind: 'unknown';
  readonly code: number;
  readonly value: Uint8Array;
}

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | GracefulRestartCapability
  | FourOctetAsCapability
  | UnknownCapability;

const GR_RESTARTING = 0x8;
const GR_NOTIFICATION = 0x4;
const GR_FORWARDING = 0x80;

function valueLength(cap: Capability): number {
  switch (cap.kind) {
    case 'multiprotocol':
      return 4;
    case 'route-refresh':
      return 0;
    case 'graceful-restart':
      return 2 + 4 * cap.families.length;
    case 'four-octet-as':
      return 4;
    case 'unknown':
      return cap.value.length;
  }
}

export function capabilityEncodingLength(cap: Capability): number {
  return 2 + valueLength(cap);
}

export function encodeCapability(cap: Capability, buf: Buffer, offset: number): number {
  const length = valueLength(cap);
  if (length > 255) throw new RangeError(`capability value of ${length} octets does not fit`);
  buf[offset + 1] = length;
  const at = offset + 2;
  switch (cap.kind) {
    case 'multiprotocol':
      buf[offset] = CapabilityCode.Multiprotocol;
      buf.writeUInt16BE(cap.afi, at);
      buf[at + 2] = 0;
      buf[at + 3] = cap.safi;
      break;
    case 'route-refresh':
      buf[offset] = CapabilityCode.RouteRefresh;
      break;
    case 'graceful-restart': {
      buf[offset] = CapabilityCode.GracefulRestart;
      if (cap.restartTime < 0 || cap.restartTime > 0xfff) throw new RangeError('restart time is 12 bits');
      const flags = (cap.restarting ? GR_RESTARTING : 0) | (cap.notification ? GR_NOTIFICATION : 0);
      buf.writeUInt16BE((flags << 12) | cap.restartTime, at);
      cap.families.forEach((f, i) => {
        buf.writeUInt16BE(f.afi, at + 2 + 4 * i);
        buf[at + 4 + 4 * i] = f.safi;
        buf[at + 5 + 4 * i] = f.forwarding ? GR_FORWARDING : 0;
      });
      break;
    }
    case 'four-octet-as':
      buf[offset] = CapabilityCode.FourOctetAS;
      buf.writeUInt32BE(cap.asn, at);
      break;
    case 'unknown':
      buf[offset] = cap.code;
      buf.set(cap.value, at);
      break;
  }
  return 2 + length;
}

/**
 * Decodes the capabilities filling buf[offset, end). A capability whose length runs past its parameter, or a
 * known capability with a length its RFC does not allow, makes the OPEN malformed; RFC 5492 defines no subcode
 * for that, so it is OPEN Message Error / Unspecific (RFC 4271 4.5).
 */
export function decodeCapabilities(buf: Uint8Array, offset: number, end: number): Decoded<Capability[]> {
  const out: Capability[] = [];
  let at = offset;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (at < end) {
    if (at + 2 > end) return failed('capability-truncated', ErrorCode.OpenMessageError, UNSPECIFIC);
    const code = buf[at] ?? 0;
    const length = buf[at + 1] ?? 0;
    const v = at + 2;
    if (v + length > end) return failed('capability-truncated', ErrorCode.OpenMessageError, UNSPECIFIC);
    const bad = () => failed(`capability-${code}-length`, ErrorCode.OpenMessageError, UNSPECIFIC);
    switch (code) {
      case CapabilityCode.Multiprotocol:
        if (length !== 4) return bad();
        out.push({ kind: 'multiprotocol', afi: view.getUint16(v), safi: buf[v + 3] ?? 0 });
        break;
      case CapabilityCode.RouteRefresh:
        if (length !== 0) return bad();
        out.push({ kind: 'route-refresh' });
        break;
      case CapabilityCode.GracefulRestart: {
        if (length < 2 || (length - 2) % 4 !== 0) return bad();
        const head = view.getUint16(v);
        const families: GracefulRestartFamily[] = [];
        for (let f = v + 2; f < v + length; f += 4) {
          families.push({
            afi: view.getUint16(f),
            safi: buf[f + 2] ?? 0,
            forwarding: ((buf[f + 3] ?? 0) & GR_FORWARDING) !== 0,
          });
        }
        out.push({
          kind: 'graceful-restart',
          restarting: ((head >> 12) & GR_RESTARTING) !== 0,
          notification: ((head >> 12) & GR_NOTIFICATION) !== 0,
          restartTime: head & 0xfff,
          families,
        });
        break;
      }
      case CapabilityCode.FourOctetAS:
        if (length !== 4) return bad();
        out.push({ kind: 'four-octet-as', asn: view.getUint32(v) });
        break;
      default:
        out.push({ kind: 'unknown', code, value: Uint8Array.from(buf.subarray(v, v + length)) });
    }
    at = v + length;
  }
  return decoded(out, at - offset);
}
