// CIDR prefixes and address ranges. Pools accept both ("192.0.2.0/24", "192.0.2.10-192.0.2.20"); MetalLB
// summarises a range into the minimal list of CIDRs that covers exactly it (mikioh/ipaddr Summarize), and
// several rules (overlap, aggregation length) are defined on those CIDRs, so we do the same.
import { FAMILY_BITS, Family, IPAddress, formatIP, parseIP } from './ip';

export interface Cidr {
  readonly family: Family;
  /** The network address: host bits are always zero. */
  readonly base: bigint;
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > FAMILY_BITS[ip.family]) return undefined;
  // Host bits are allowed and normalised away, as Go's net.ParseCIDR does.
  return { family: ip.family, base: ip.value & prefixMask(ip.family, prefix), prefix };
}

export function prefixMask(family: Family, prefix: number): bigint {
  const bits = BigInt(FAMILY_BITS[family]);
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(FAMILY_BITS[cidr.family] - cidr.prefix);
}

export function cidrFirst(cidr: Cidr): IPAddress {
  return { family: cidr.family, value: cidr.base };
}

export function cidrLast(cidr: Cidr): IPAddress {
  return { family: cidr.family, value: cidr.base + cidrSize(cidr) - 1n };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIP(cidrFirst(cidr))}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr, ip: IPAddress): boolean {
  return ip.family === cidr.family && (ip.value & prefixMask(cidr.family, cidr.prefix)) === cidr.base;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const wider = a.prefix <= b.prefix ? a : b;
  const narrower = wider === a ? b : a;
  return cidrContains(wider, cidrFirst(narrower));
}

/**
 * The minimal list of CIDRs covering exactly [first, last], in ascending order: at each step take the largest
 * aligned block that starts at the cursor and does not pass the end.
 */
export function summarizeRange(first: IPAddress, last: IPAddress): Cidr[] {
  if (first.family !== last.family) throw new RangeError('summarizeRange: mixed address families');
  if (first.value > last.value) throw new RangeError('summarizeRange: start is after end');
  const family = first.family;
  const bits = FAMILY_BITS[family];
  const out: Cidr[] = [];
  let cursor = first.value;
  while (cursor <= last.value) {
    let hostBits = 0;
    while (hostBits < bits) {
      const next = hostBits + 1;
      const blockSize = 1n << BigInt(next);
      if (cursor % blockSize !== 0n || cursor + blockSize - 1n > last.value) break;
      hostBits = next;
    }
    out.push({ family, base: cursor, prefix: bits - hostBits });
    cursor += 1n << BigInt(hostBits);
  }
  return out;
}

export type PoolEntryParse = { ok: true; cidrs: Cidr[] } | { ok: false; reason: string };

/**
 * One entry of IPAddressPool spec.addresses: a CIDR or "A-B" (spaces around either address are trimmed).
 * The reasons mirror MetalLB's parser messages so users searching for them find the same cause.
 */
export function parsePoolEntry(entry: string): PoolEntryParse {
  if (!entry.includes('-')) {
    const cidr = parseCidr(entry);
    return cidr ? { ok: true, cidrs: [cidr] } : { ok: false, reason: `invalid CIDR "${entry}"` };
  }
  const parts = entry.split('-');
  if (parts.length !== 2)
    return { ok: false, reason: `invalid IP range "${entry}": expected exactly one "-"` };
  const [startText = '', endText = ''] = parts.map((p) => p.trim());
  const start = parseIP(startText);
  if (!start) return { ok: false, reason: `invalid range "${entry}": invalid start IP "${startText}"` };
  const end = parseIP(endText);
  if (!end) return { ok: false, reason: `invalid range "${entry}": invalid end IP "${endText}"` };
  if (start.family !== end.family) {
    return { ok: false, reason: `invalid IP range "${entry}": start and end are different address families` };
  }
  if (start.value > end.value) {
    return {
      ok: false,
      reason: `invalid IP range "${entry}": start IP ${startText} is after the end IP ${endText}`,
    };
  }
  return { ok: true, cidrs: summarizeRange(start, end) };
}
