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
// IPv6 address under the speaker's interpreter-only flags, which the speaker paid per address per decision
// (bench/bgprecompute.bench.ts: 2.5 s of 3.4 s for 10,000 BGP Services). The shapes Kubernetes writes into
// Service status (dotted quads, RFC 5952 text) are read directly by `parsePlain`; anything else (embedded
// IPv4, leading zeros, errors) still goes through ip-num, whose answers are remembered; that memo is dropped
// whole when it fills, which bounds it without bookkeeping per entry.
const PARSE_MEMO_LIMIT = 8192;
const parseMemo = new Map<string, IPAddress | undefined>();

/** Parses a textual IPv4 or IPv6 address; returns undefined for anything Go's net.ParseIP would refuse. */
export function parseIP(text: string): IPAddress | undefined {
  const plain = parsePlain(text);
  if (plain !== undefined) return plain;
  const known = parseMemo.get(text);
  if (known !== undefined || parseMemo.has(text)) return known;
  const parsed = parseUncached(text);
  if (parseMemo.size >= PARSE_MEMO_LIMIT) parseMemo.clear();
  parseMemo.set(text, parsed);
  return parsed;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** The value of a hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * A dotted quad without leading zeros, or IPv6 hex groups with at most one "::" (RFC 4291 2.2 forms 1 and 2).
 * Undefined when the text is not plainly one of those, valid or not: ip-num then decides, so what is refused
 * or accepted never differs from before (addr/ip.test.ts checks the two against each other).
 */
export function parsePlain(text: string): IPAddress | undefined {
  return text.includes(':') ? parsePlainV6(text) : parsePlainV4(text);
}

function parsePlainV4(text: string): IPAddress | undefined {
  let value = 0;
  let octets = 0;
  let i = 0;
  while (octets < 4) {
    const start = i;
    let octet = 0;
    while (i < text.length && isDigit(text.charCodeAt(i)) && i - start < 3)
      octet = octet * 10 + text.charCodeAt(i++) - 0x30;
    const digits = i - start;
    if (digits === 0 || octet > 255 || (digits > 1 && text.charCodeAt(start) === 0x30)) return undefined;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (text.charCodeAt(i) !== 0x2e) return undefined;
      i++;
    }
  }
  return i === text.length ? { family: 4, value: BigInt(value) } : undefined;
}

/** parsePlainV6's scratch (it is synchronous). */
const WORDS = new Uint16Array(8);

function parsePlainV6(text: string): IPAddress | undefined {
  if (!readPlainIPv6(text, WORDS)) return undefined;
  let value = 0n;
  for (const w of WORDS) value = (value << 16n) | BigInt(w);
  return { family: 6, value };
}

/**
 * IPv6 text of hex groups with at most one "::" (RFC 4291 2.2 forms 1 and 2) into `words` (8 words, high
 * first), in one pass without allocating; false when the text is not plainly that (an IPv4 dotted tail, a
 * zone, an error). The BGP encoder reads every prefix of every UPDATE through it.
 */
export function readPlainIPv6(text: string, words: Uint16Array): boolean {
  const len = text.length;
  let n = 0;
  let gap = -1;
  let group = 0;
  let digits = 0;
  let i = 0;
  if (len >= 2 && text.charCodeAt(0) === 0x3a && text.charCodeAt(1) === 0x3a) {
    gap = 0;
    i = 2;
  }
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c !== 0x3a) {
      const v = hexValue(c);
      if (v < 0 || ++digits > 4) return false;
      group = group * 16 + v;
      i++;
      continue;
    }
    if (digits === 0 || n === 8) return false;
    words[n++] = group;
    group = 0;
    digits = 0;
    if (text.charCodeAt(i + 1) === 0x3a) {
      if (gap >= 0) return false;
      gap = n;
      i += 2;
    } else if (++i === len) return false; // a trailing single colon
  }
  if (digits > 0) {
    if (n === 8) return false;
    words[n++] = group;
  }
  // "::" stands for at least one zero group; without it there must be all eight.
  if (gap < 0) return n === 8;
  if (n > 7) return false;
  const shift = 8 - n;
  for (let j = n - 1; j >= gap; j--) words[j + shift] = words[j] ?? 0;
  for (let j = gap; j < gap + shift; j++) words[j] = 0;
  return true;
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
