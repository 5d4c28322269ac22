// IP addresses as (family, bigint) pairs. ip-num does the parsing; we keep the value as a bigint so IPv6
// arithmetic never overflows a JS Number, and we format IPv6 ourselves because ip-num does not produce the
// RFC 5952 canonical text that Kubernetes and Go (`net.IP.String`) write into Service status.
import { IPv4, IPv6, Validator } from 'ip-num';

export type Family = 4 | 6;

export interface IPAddress {
  readonly family: Family;
  readonly value: bigint;
}

export const FAMILY_BITS: Record<Family, number> = { 4: 32, 6: 128 };

// ip-num validates with a large regular expression and parses through strings of bits: about 0.1-0.5 ms per
// IPv6 address, which the speaker pays per announced address on every membership change and per gratuitous
// frame. The same few thousand texts come back again and again, so results are remembered (they are
// immutable); the memo is dropped whole when it fills, which bounds it without bookkeeping per entry.
const PARSE_MEMO_LIMIT = 8192;
const parseMemo = new Map<string, IPAddress | undefined>();

/** Parses a textual IPv4 or IPv6 address; returns undefined for anything Go's net.ParseIP would refuse. */
export function parseIP(text: string): IPAddress | undefined {
  const known = parseMemo.get(text);
  if (known !== undefined || parseMemo.has(text)) return known;
  const parsed = parseUncached(text);
  if (parseMemo.size >= PARSE_MEMO_LIMIT) parseMemo.clear();
  parseMemo.set(text, parsed);
  return parsed;
}

function parseUncached(text: string): IPAddress | undefined {
  if (text.includes('%')) return undefined; // zones are not addresses a pool can hold
  if (Validator.isValidIPv4String(text)[0]) return { family: 4, value: IPv4.fromString(text).getValue() };
  if (text.includes(':') && Validator.isValidIPv6String(text)[0]) {
    return { family: 6, value: IPv6.fromString(text).getValue() };
  }
  return undefined;
}

export function formatIP(ip: IPAddress): string {
  return ip.family === 4 ? formatIPv4(ip.value) : formatIPv6(ip.value);
}

function formatIPv4(value: bigint): string {
  const octets: number[] = [];
  for (let shift = 24n; shift >= 0n; shift -= 8n) octets.push(Number((value >> shift) & 0xffn));
  return octets.join('.');
}

/** RFC 5952 section 4: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

export function compareIP(a: IPAddress, b: IPAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** A stable string key for maps: canonical text is unique per address. */
export function ipKey(ip: IPAddress): string {
  return formatIP(ip);
}
