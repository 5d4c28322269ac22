// NLRI prefixes (RFC 4271 4.3 "Network Layer Reachability Information", RFC 4760 5): a 1-octet length in
// bits followed by the fewest octets that hold it. The trailing bits of the last octet are "irrelevant" on the
// wire; they are kept as received so that decode and encode are exact inverses.
import { formatIP, parseIP, readPlainIPv6 } from '../../../addr/ip';
import { parseCidr } from '../../../addr/cidr';
import { type Decoded, decoded, failed } from './result';
import { ErrorCode, UpdateMessageSubcode } from './codes';

export type PrefixFamily = 4 | 6;

export interface Prefix {
  readonly family: PrefixFamily;
  /** The address part in canonical text (RFC 5952 for IPv6). */
  readonly address: string;
  readonly length: number;
}

const BITS: Record<PrefixFamily, number> = { 4: 32, 6: 128 };

// Every session keys its wanted routes and Adj-RIB-Out by this text, and the route builder and packer key by it
// too: one string per Prefix object, remembered while the object lives, instead of one per caller (with
// 10,000 prefixes and 3 sessions that was 60,000 concatenated strings, 1.9 MiB; bench/bgprecompute.bench.ts).
const prefixTexts = new WeakMap<Prefix, string>();

export function formatPrefix(prefix: Prefix): string {
  let text = prefixTexts.get(prefix);
  if (text === undefined) {
    text = [prefix.address, prefix.length].join('/'); // join makes one flat string, not a concatenation
    prefixTexts.set(prefix, text);
  }
  return text;
}

/** Parses `192.0.2.0/24` or `2001:db8::/32`, masking host bits; undefined for anything else. */
export function parsePrefix(text: string): Prefix | undefined {
  const cidr = parseCidr(text);
  if (cidr === undefined) return undefined;
  return {
    family: cidr.family,
    address: formatIP({ family: cidr.family, value: cidr.base }),
    length: cidr.prefix,
  };
}

export function prefixEncodingLength(prefix: Prefix): number {
  return 1 + Math.ceil(prefix.length / 8);
}

export function prefixesEncodingLength(prefixes: readonly Prefix[]): number {
  let total = 0;
  for (const p of prefixes) total += prefixEncodingLength(p);
  return total;
}

/** The address as 4 or 16 octets. Throws on a value that is not an address: that is a programming error. */
export function addressBytes(family: PrefixFamily, address: string): Buffer {
  const size = BITS[family] / 8;
  const out = Buffer.alloc(size);
  // Every prefix of every UPDATE passes here (10,000 Services are 10,000 prefixes per peer), so the text is read
  // directly; the general parser (ip-num's validation, memoised only up to 8,192 addresses) took seconds.
  if (family === 4 ? writeIPv4(address, out, 0) : writeIPv6(address, out)) return out;
  const ip = parseIP(address);
  if (ip === undefined || ip.family !== family) {
    throw new TypeError(`not an IPv${family} address: ${JSON.stringify(address)}`);
  }
  let value = ip.value;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

const DECIMAL = /^(?:0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Dotted quad into out[at, at+4); false for anything else (then the general parser decides). */
function writeIPv4(text: string, out: Buffer, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!DECIMAL.test(part)) return false;
    const n = Number(part);
    if (n > 255) return false;
    out[at + i] = n;
  }
  return true;
}

/**
 * RFC 4291 2.2 text (hex groups, at most one "::", an IPv4 dotted tail) into 16 octets; false for anything
 * else, zones included (then the general parser decides).
 */
function writeIPv6(text: string, out: Buffer): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string | undefined): string[] | undefined =>
    half === undefined || half === '' ? [] : half.split(':');
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === undefined || tail === undefined) return false;
  const words: number[] = [];
  const last = halves.length === 2 ? tail : head;
  const dotted = last.length > 0 && (last[last.length - 1] ?? '').includes('.');
  const quad = Buffer.alloc(4);
  if (dotted && !writeIPv4(last.pop() ?? '', quad, 0)) return false;
  for (const g of [...head, ...tail]) if (!HEX_GROUP.test(g)) return false;
  const count = head.length + tail.length + (dotted ? 2 : 0);
  if (halves.length === 2 ? count > 7 : count !== 8) return false;
  for (const g of head) words.push(parseInt(g, 16));
  for (let i = count; i < 8; i++) words.push(0);
  for (const g of tail) words.push(parseInt(g, 16));
  if (dotted) words.push(quad.readUInt16BE(0), quad.readUInt16BE(2));
  words.forEach((w, i) => out.writeUInt16BE(w, 2 * i));
  return true;
}

export function readAddress(family: PrefixFamily, buf: Uint8Array, offset: number): string {
  if (family === 4) {
    return `${buf[offset] ?? 0}.${buf[offset + 1] ?? 0}.${buf[offset + 2] ?? 0}.${buf[offset + 3] ?? 0}`;
  }
  const size = BITS[family] / 8;
  let value = 0n;
  for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(buf[offset + i] ?? 0);
  return formatIP({ family, value });
}

export function encodePrefix(prefix: Prefix, buf: Buffer, offset: number): number {
  if (!Number.isInteger(prefix.length) || prefix.length < 0 || prefix.length > BITS[prefix.family]) {
    throw new RangeError(`bad prefix length ${prefix.length} for IPv${prefix.family}`);
  }
  const octets = Math.ceil(prefix.length / 8);
  buf[offset] = prefix.length;
  // The common case, RFC 5952 text, straight into the message: no Buffer per prefix.
  if (prefix.family === 6 && readPlainIPv6(prefix.address, WORDS)) {
    for (let j = 0; j < octets; j++) {
      const word = WORDS[j >> 1] ?? 0;
      buf[offset + 1 + j] = j % 2 === 0 ? word >> 8 : word & 0xff;
    }
    return 1 + octets;
  }
  addressBytes(prefix.family, prefix.address).copy(buf, offset + 1, 0, octets);
  return 1 + octets;
}

/** encodePrefix's scratch: the 8 words of one IPv6 address (the encoder is synchronous). */
const WORDS = new Uint16Array(8);

export function encodePrefixes(prefixes: readonly Prefix[], buf: Buffer, offset: number): number {
  let at = offset;
  for (const p of prefixes) at += encodePrefix(p, buf, at);
  return at - offset;
}

/**
 * Decodes prefixes filling exactly buf[offset, end). A length beyond the family's width or a prefix running past
 * `end` is a syntactically incorrect field: RFC 4271 6.3 Invalid Network Field.
 */
export function decodePrefixes(
  family: PrefixFamily,
  buf: Uint8Array,
  offset: number,
  end: number,
): Decoded<Prefix[]> {
  const out: Prefix[] = [];
  let at = offset;
  const scratch = new Uint8Array(BITS[family] / 8);
  while (at < end) {
    const length = buf[at] ?? 0;
    if (length > BITS[family]) {
      return failed('prefix-length', ErrorCode.UpdateMessageError, UpdateMessageSubcode.InvalidNetworkField);
    }
    const octets = Math.ceil(length / 8);
    if (at + 1 + octets > end) {
      return failed(
        'prefix-truncated',
        ErrorCode.UpdateMessageError,
        UpdateMessageSubcode.InvalidNetworkField,
      );
    }
    scratch.fill(0);
    scratch.set(buf.subarray(at + 1, at + 1 + octets));
    out.push({ family, address: readAddress(family, scratch, 0), length });
    at += 1 + octets;
  }
  return decoded(out, at - offset);
}
