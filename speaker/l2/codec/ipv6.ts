// The fixed IPv6 header (RFC 8200 §3). Extension headers are not decoded: Neighbor Discovery messages are
// sent without them, and the responder drops anything whose next header is not ICMPv6.
import { readIPv6, writeIPv6 } from './address';
import { type Decoded, decoded, malformed } from './result';

export const IPV6_HEADER_LENGTH = 40;

export interface Ipv6Header {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: string;
  readonly destination: string;
}

export type Ipv6Malformed = 'ipv6-truncated' | 'ipv6-version';

export function encodingLength(_header: Ipv6Header): number {
  return IPV6_HEADER_LENGTH;
}

export function encode(header: Ipv6Header, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = buf ?? new Uint8Array(IPV6_HEADER_LENGTH);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const first = ((6 << 28) | ((header.trafficClass & 0xff) << 20) | (header.flowLabel & 0xfffff)) >>> 0;
  view.setUint32(offset, first);
  view.setUint16(offset + 4, header.payloadLength);
  out[offset + 6] = header.nextHeader;
  out[offset + 7] = header.hopLimit;
  writeIPv6(header.source, out, offset + 8);
  writeIPv6(header.destination, out, offset + 24);
  return out;
}

export function decode(buf: Uint8Array, offset = 0): Decoded<Ipv6Header, Ipv6Malformed> {
  if (buf.length - offset < IPV6_HEADER_LENGTH) return malformed('ipv6-truncated');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const first = view.getUint32(offset);
  if (first >>> 28 !== 6) return malformed('ipv6-version');
  return decoded(
    {
      trafficClass: (first >>> 20) & 0xff,
      flowLabel: first & 0xfffff,
      payloadLength: view.getUint16(offset + 4),
      nextHeader: buf[offset + 6] ?? 0,
      hopLimit: buf[offset + 7] ?? 0,
      source: readIPv6(buf, offset + 8),
      destination: readIPv6(buf, offset + 24),
    },
    IPV6_HEADER_LENGTH,
  );
}
