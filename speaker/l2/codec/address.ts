// Byte-level helpers for the addresses the L2 frames carry: 48-bit MACs (IEEE 802) and IPv4/IPv6 addresses
// in their canonical text form (addr/ip.ts formats IPv6 per RFC 5952), so decoded frames compare as strings.
import { formatIP, parseIP } from '../../../addr/ip';

/** A MAC address as lower-case colon-separated hex, `aa:bb:cc:dd:ee:ff`. */
export type Mac = string;

export const BROADCAST_MAC: Mac = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC: Mac = '00:00:00:00:00:00';

const MAC_RE = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

export function isMac(text: string): boolean {
  return MAC_RE.test(text);
}

export function readMac(buf: Uint8Array, offset: number): Mac {
  let out = '';
  for (let i = 0; i < 6; i++) {
    const byte = buf[offset + i] ?? 0;
    out += (i === 0 ? '' : ':') + byte.toString(16).padStart(2, '0');
  }
  return out;
}

/** Encoding a value that is not a MAC is a programming error, so it throws (unlike decoding). */
export function writeMac(mac: Mac, buf: Uint8Array, offset: number): void {
  const normal = mac.toLowerCase();
  if (!isMac(normal)) throw new TypeError(`not a MAC address: ${JSON.stringify(mac)}`);
  for (let i = 0; i < 6; i++) buf[offset + i] = parseInt(normal.slice(i * 3, i * 3 + 2), 16);
}

export function readIPv4(buf: Uint8Array, offset: number): string {
  return `${buf[offset] ?? 0}.${buf[offset + 1] ?? 0}.${buf[offset + 2] ?? 0}.${buf[offset + 3] ?? 0}`;
}

export function writeIPv4(ip: string, buf: Uint8Array, offset: number): void {
  const parsed = parseIP(ip);
  if (parsed?.family !== 4) throw new TypeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  for (let i = 0; i < 4; i++) buf[offset + i] = Number((parsed.value >> BigInt(24 - 8 * i)) & 0xffn);
}

export function readIPv6(buf: Uint8Array, offset: number): string {
  let value = 0n;
  for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(buf[offset + i] ?? 0);
  return formatIP({ family: 6, value });
}

export function writeIPv6(ip: string, buf: Uint8Array, offset: number): void {
  buf.set(ipv6Bytes(ip), offset);
}

export function ipv6Bytes(ip: string): Uint8Array {
  const parsed = parseIP(ip);
  if (parsed?.family !== 6) throw new TypeError(`not an IPv6 address: ${JSON.stringify(ip)}`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number((parsed.value >> BigInt(120 - 8 * i)) & 0xffn);
  return out;
}

export const UNSPECIFIED_IPV6 = '::';
export const ALL_NODES_IPV6 = 'ff02::1';

export function isMulticastIPv6(ip: string): boolean {
  const parsed = parseIP(ip);
  return parsed?.family === 6 && parsed.value >> 120n === 0xffn;
}

/** RFC 4291 §2.7.1: ff02::1:ff00:0/104 plus the low 24 bits of the unicast address. */
export function solicitedNodeGroup(ip: string): string {
  const parsed = parseIP(ip);
  if (parsed?.family !== 6) throw new TypeError(`not an IPv6 address: ${JSON.stringify(ip)}`);
  const base = 0xff0200000000000000000001ff000000n;
  return formatIP({ family: 6, value: base | (parsed.value & 0xffffffn) });
}

export function isSolicitedNodeGroup(ip: string): boolean {
  const parsed = parseIP(ip);
  return parsed?.family === 6 && parsed.value >> 24n === 0xff0200000000000000000001ffn;
}

/** RFC 2464 §7: an IPv6 multicast group maps to 33:33 plus its low 32 bits. */
export function ipv6MulticastMac(group: string): Mac {
  const bytes = ipv6Bytes(group);
  return readMac(
    Uint8Array.of(0x33, 0x33, bytes[12] ?? 0, bytes[13] ?? 0, bytes[14] ?? 0, bytes[15] ?? 0),
    0,
  );
}
