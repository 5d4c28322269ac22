// ICMPv6 Neighbor Solicitation (RFC 4861 §4.3) and Neighbor Advertisement (§4.4) with their options (§4.6).
// The checksum covers the IPv6 pseudo-header (RFC 4443 §2.3), so encode and decode take the addresses of
// the enclosing IPv6 header. Decode enforces the message-level checks of §7.1.1 and §7.1.2 that need no
// IP header fields other than the addresses: checksum, code 0, length >= 24, every option length > 0.
import { type Mac, readIPv6, readMac, writeIPv6, writeMac } from './address';
import { icmpv6Checksum } from './checksum';
import { type Decoded, decoded, malformed } from './result';

export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
const OPTION_SOURCE_LLA = 1;
const OPTION_TARGET_LLA = 2;
const NDP_FIXED_LENGTH = 24;

export type NdpOption =
  | { readonly kind: 'source-lla'; readonly mac: Mac }
  | { readonly kind: 'target-lla'; readonly mac: Mac }
  /** Any other option, kept so a decode/encode round-trip is lossless. `data` excludes type and length. */
  | { readonly kind: 'other'; readonly type: number; readonly data: Uint8Array };

export interface NeighborSolicitation {
  readonly type: 'neighbor-solicitation';
  readonly target: string;
  readonly options: readonly NdpOption[];
}

export interface NeighborAdvertisement {
  readonly type: 'neighbor-advertisement';
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly target: string;
  readonly options: readonly NdpOption[];
}

export type NdpMessage = NeighborSolicitation | NeighborAdvertisement;

/** The addresses of the IPv6 header that carries the message, for the checksum pseudo-header. */
export interface PseudoHeader {
  readonly source: string;
  readonly destination: string;
}

export type NdpMalformed =
  | 'ndp-truncated'
  | 'ndp-not-neighbor-message'
  | 'ndp-code'
  | 'ndp-checksum'
  | 'ndp-option-zero-length'
  | 'ndp-option-truncated';

function optionLength(option: NdpOption): number {
  if (option.kind !== 'other') return 8;
  const total = option.data.length + 2;
  if (total % 8 !== 0 || total > 255 * 8) {
    throw new RangeError(`NDP option type ${option.type}: ${option.data.length} data bytes is not 8n-2`);
  }
  return total;
}

export function encodingLength(message: NdpMessage): number {
  return message.options.reduce((n, o) => n + optionLength(o), NDP_FIXED_LENGTH);
}

export function encode(message: NdpMessage, pseudo: PseudoHeader, buf?: Uint8Array, offset = 0): Uint8Array {
  const length = encodingLength(message);
  const out = buf ?? new Uint8Array(length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.fill(0, offset, offset + length);
  if (message.type === 'neighbor-solicitation') {
    out[offset] = ICMPV6_NEIGHBOR_SOLICITATION;
  } else {
    out[offset] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
    out[offset + 4] =
      (message.router ? 0x80 : 0) | (message.solicited ? 0x40 : 0) | (message.override ? 0x20 : 0);
  }
  writeIPv6(message.target, out, offset + 8);
  let at = offset + NDP_FIXED_LENGTH;
  for (const option of message.options) {
    const len = optionLength(option);
    if (option.kind === 'other') {
      out[at] = option.type;
      out.set(option.data, at + 2);
    } else {
      out[at] = option.kind === 'source-lla' ? OPTION_SOURCE_LLA : OPTION_TARGET_LLA;
      writeMac(option.mac, out, at + 2);
    }
    out[at + 1] = len / 8;
    at += len;
  }
  view.setUint16(offset + 2, icmpv6Checksum(pseudo.source, pseudo.destination, out, offset, offset + length));
  return out;
}

/** Decodes the ICMPv6 message in `buf[offset, offset + length)` (its length comes from the IPv6 header). */
export function decode(
  buf: Uint8Array,
  offset: number,
  length: number,
  pseudo: PseudoHeader,
): Decoded<NdpMessage, NdpMalformed> {
  const end = offset + length;
  if (length < NDP_FIXED_LENGTH || end > buf.length) return malformed('ndp-truncated');
  const type = buf[offset];
  if (type !== ICMPV6_NEIGHBOR_SOLICITATION && type !== ICMPV6_NEIGHBOR_ADVERTISEMENT) {
    return malformed('ndp-not-neighbor-message');
  }
  if (buf[offset + 1] !== 0) return malformed('ndp-code');
  if (icmpv6Checksum(pseudo.source, pseudo.destination, buf, offset, end) !== 0)
    return malformed('ndp-checksum');
  const options: NdpOption[] = [];
  for (let at = offset + NDP_FIXED_LENGTH; at < end;) {
    if (end - at < 2) return malformed('ndp-option-truncated');
    const optType = buf[at] ?? 0;
    const optLen = (buf[at + 1] ?? 0) * 8;
    if (optLen === 0) return malformed('ndp-option-zero-length');
    if (at + optLen > end) return malformed('ndp-option-truncated');
    // A link-layer option longer than 8 bytes is not Ethernet's; keep it opaque rather than misread it.
    if ((optType === OPTION_SOURCE_LLA || optType === OPTION_TARGET_LLA) && optLen === 8) {
      options.push({
        kind: optType === OPTION_SOURCE_LLA ? 'source-lla' : 'target-lla',
        mac: readMac(buf, at + 2),
      });
    } else {
      options.push({ kind: 'other', type: optType, data: buf.slice(at + 2, at + optLen) });
    }
    at += optLen;
  }
  const target = readIPv6(buf, offset + 8);
  if (type === ICMPV6_NEIGHBOR_SOLICITATION) {
    return decoded({ type: 'neighbor-solicitation', target, options }, length);
  }
  const flags = buf[offset + 4] ?? 0;
  return decoded(
    {
      type: 'neighbor-advertisement',
      router: (flags & 0x80) !== 0,
      solicited: (flags & 0x40) !== 0,
      override: (flags & 0x20) !== 0,
      target,
      options,
    },
    length,
  );
}

export function linkLayerOption(message: NdpMessage, kind: 'source-lla' | 'target-lla'): Mac | undefined {
  for (const option of message.options) if (option.kind === kind) return option.mac;
  return undefined;
}
