import { readIPv6 } from '../codec/address';

// Reads a classic pcap file (as `tcpdump -w` writes, Ethernet link type) into timestamped frames.

export interface CapturedFrame {
  readonly timeMs: number;
  readonly bytes: Uint8Array;
}

export function readPcap(file: Buffer): CapturedFrame[] {
  if (file.length < 24) return [];
  const magic = file.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const out: CapturedFrame[] = [];
  for (let at = 24; at + 16 <= file.length;) {
    const sec = u32(at);
    const frac = u32(at + 4);
    const len = u32(at + 8);
    if (at + 16 + len > file.length) break; // a record tcpdump is still writing
    out.push({
      timeMs: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3),
      bytes: file.subarray(at + 16, at + 16 + len),
    });
    at += 16 + len;
  }
  return out;
}

/**
 * The multicast groups an MLDv2 report (RFC 3810 §5.2, ICMPv6 type 143) in this frame lists, or [] when it
 * is not one. Reports sit behind a hop-by-hop options header carrying Router Alert.
 */
export function mldv2ReportGroups(bytes: Uint8Array): { group: string; recordType: number }[] {
  const b = Buffer.from(bytes);
  if (b.length < 54 || b.readUInt16BE(12) !== 0x86dd) return [];
  let next = b[20];
  let at = 54;
  if (next === 0) {
    next = b[at];
    at += ((b[at + 1] ?? 0) + 1) * 8;
  }
  if (next !== 58 || b[at] !== 143) return [];
  const records = b.readUInt16BE(at + 6);
  const groups: { group: string; recordType: number }[] = [];
  let r = at + 8;
  for (let i = 0; i < records && r + 20 <= b.length; i++) {
    const recordType = b[r] ?? 0;
    const aux = (b[r + 1] ?? 0) * 4;
    const sources = b.readUInt16BE(r + 2);
    groups.push({ group: readIPv6(b, r + 4), recordType });
    r += 20 + sources * 16 + aux;
  }
  return groups;
}
