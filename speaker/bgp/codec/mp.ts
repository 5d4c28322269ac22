// MP_REACH_NLRI and MP_UNREACH_NLRI values (RFC 4760 3 and 4) for IPv4 and IPv6 unicast. The next hop is one
// address, or for IPv6 a global and a link-local address (RFC 2545 3); an IPv6 next hop for IPv4 routes is
// RFC 8950. Other AFI/SAFI pairs are not typed here: the attribute codec keeps them as raw bytes.
import { Afi, Safi } from './codes';
import {
  type Prefix,
  type PrefixFamily,
  addressBytes,
  decodePrefixes,
  encodePrefixes,
  prefixesEncodingLength,
  readAddress,
} from './prefix';

export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  /** One address, or [global, link-local] for a 32-octet IPv6 next hop. */
  readonly nextHops: readonly string[];
  readonly nlri: readonly Prefix[];
}

export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly Prefix[];
}

export function isUnicastFamily(afi: number, safi: number): boolean {
  return (afi === Afi.IPv4 || afi === Afi.IPv6) && safi === Safi.Unicast;
}

export function familyOfAfi(afi: number): PrefixFamily {
  return afi === Afi.IPv6 ? 6 : 4;
}

function nextHopFamily(address: string): PrefixFamily {
  return address.includes(':') ? 6 : 4;
}

function nextHopLength(nextHops: readonly string[]): number {
  let n = 0;
  for (const h of nextHops) n += nextHopFamily(h) === 6 ? 16 : 4;
  return n;
}

export function mpReachLength(mp: MpReach): number {
  return 5 + nextHopLength(mp.nextHops) + prefixesEncodingLength(mp.nlri);
}

export function encodeMpReach(mp: MpReach, buf: Buffer, offset: number): number {
  buf.writeUInt16BE(mp.afi, offset);
  buf[offset + 2] = mp.safi;
  buf[offset + 3] = nextHopLength(mp.nextHops);
  let at = offset + 4;
  for (const h of mp.nextHops) {
    const bytes = addressBytes(nextHopFamily(h), h);
    bytes.copy(buf, at);
    at += bytes.length;
  }
  buf[at++] = 0; // RFC 4760 3: Reserved, MUST be 0
  at += encodePrefixes(mp.nlri, buf, at);
  return at - offset;
}

export function mpUnreachLength(mp: MpUnreach): number {
  return 3 + prefixesEncodingLength(mp.withdrawn);
}

export function encodeMpUnreach(mp: MpUnreach, buf: Buffer, offset: number): number {
  buf.writeUInt16BE(mp.afi, offset);
  buf[offset + 2] = mp.safi;
  return 3 + encodePrefixes(mp.withdrawn, buf, offset + 3);
}

export type MpFault = 'mp-truncated' | 'mp-next-hop-length' | 'mp-nlri';

/** Decodes an MP_REACH_NLRI value for a unicast family (the caller checks `isUnicastFamily` first). */
export function decodeMpReach(value: Uint8Array): MpReach | MpFault {
  if (value.length < 5) return 'mp-truncated';
  const afi = ((value[0] ?? 0) << 8) | (value[1] ?? 0);
  const safi = value[2] ?? 0;
  const nhLength = value[3] ?? 0;
  if (4 + nhLength + 1 > value.length) return 'mp-truncated';
  let nextHops: string[];
  if (nhLength === 4 && afi === Afi.IPv4) nextHops = [readAddress(4, value, 4)];
  else if (nhLength === 16) nextHops = [readAddress(6, value, 4)];
  else if (nhLength === 32) nextHops = [readAddress(6, value, 4), readAddress(6, value, 20)];
  else return 'mp-next-hop-length';
  // The SNPA count octet of RFC 2858 became Reserved in RFC 4760 3 and is ignored on receipt.
  const nlri = decodePrefixes(familyOfAfi(afi), value, 4 + nhLength + 1, value.length);
  if (!nlri.ok) return 'mp-nlri';
  return { afi, safi, nextHops, nlri: nlri.value };
}

export function decodeMpUnreach(value: Uint8Array): MpUnreach | MpFault {
  if (value.length < 3) return 'mp-truncated';
  const afi = ((value[0] ?? 0) << 8) | (value[1] ?? 0);
  const withdrawn = decodePrefixes(familyOfAfi(afi), value, 3, value.length);
  if (!withdrawn.ok) return 'mp-nlri';
  return { afi, safi: value[2] ?? 0, withdrawn: withdrawn.value };
}
