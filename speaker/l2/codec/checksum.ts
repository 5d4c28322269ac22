// The Internet checksum (RFC 1071) and the ICMPv6 checksum over the IPv6 pseudo-header (RFC 4443 §2.3,
// RFC 8200 §8.1): source, destination, upper-layer length (32 bits), three zero bytes, next header 58.
import { ipv6Bytes } from './address';

export const NEXT_HEADER_ICMPV6 = 58;

function sum16(bytes: Uint8Array, start: number, end: number, acc: number): number {
  let sum = acc;
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (i < end) sum += (bytes[i] ?? 0) << 8; // odd length: pad with a zero byte
  return sum;
}

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return ~fold(sum16(bytes, start, end, 0)) & 0xffff;
}

/**
 * The checksum to put in an ICMPv6 message's checksum field (which must be zero while computing), or, over
 * a received message with the field filled in, 0 when it is valid.
 */
export function icmpv6Checksum(
  source: string,
  destination: string,
  message: Uint8Array,
  start = 0,
  end = message.length,
): number {
  const length = end - start;
  let sum = sum16(ipv6Bytes(source), 0, 16, 0);
  sum = sum16(ipv6Bytes(destination), 0, 16, sum);
  sum += Math.floor(length / 0x10000) + (length & 0xffff) + NEXT_HEADER_ICMPV6;
  return ~fold(sum16(message, start, end, sum)) & 0xffff;
}
