// IPAddressPools (and the pool half of legacy AddressPools): addresses parsed and summarised, service
// allocation resolved against Namespace labels, names and CIDRs checked for uniqueness across every pool.
import { Cidr, cidrFirst, cidrLast, formatCidr, parseCidr, summarizeRange } from '../addr/cidr';
import { parseIP } from '../addr/ip';
import { ServiceAllocation as RawServiceAllocation } from '../api/ipaddresspool';
import { objectRef } from '../api/meta';
import { ErrorSink, ObjectIdentity } from './errors';
import { LabelledObject } from './resources';
import { EVERYTHING, Report, parseSelectorList, selectNames } from './selector';
import { Labels, ServiceAllocation } from './types';

/** A pool as written, whichever kind defined it. */
export interface PoolSource {
  readonly id: ObjectIdentity;
  readonly addresses: readonly string[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly labels: Labels;
  readonly serviceAllocation?: RawServiceAllocation;
}

export interface PoolEntry {
  readonly index: number;
  readonly text: string;
  readonly cidrs: readonly Cidr[];
}

/** A parsed pool before advertisements are attached. */
export interface PoolDraft {
  readonly id: ObjectIdentity;
  readonly name: string;
  readonly entries: readonly PoolEntry[];
  readonly cidrs: readonly Cidr[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly labels: Labels;
  readonly serviceAllocation?: ServiceAllocation;
}

export type EntryParse = { ok: true; cidrs: Cidr[] } | { ok: false; reason: string };

/**
 * One spec.addresses entry: a CIDR (host bits allowed, normalised away) or "A-B" with optional spaces around
 * either address, summarised to the minimal list of CIDRs. Reasons name what is wrong with the entry; the
 * entry itself is quoted by the caller.
 */
export function parsePoolAddress(entry: string): EntryParse {
  if (!entry.includes('-')) {
    const cidr = parseCidr(entry);
    return cidr ? { ok: true, cidrs: [cidr] } : { ok: false, reason: 'invalid CIDR' };
  }
  const parts = entry.split('-');
  if (parts.length !== 2) return { ok: false, reason: 'invalid range: expected exactly one "-"' };
  const [startText = '', endText = ''] = parts.map((p) => p.trim());
  const start = parseIP(startText);
  if (!start) return { ok: false, reason: `invalid range: invalid start IP "${startText}"` };
  const end = parseIP(endText);
  if (!end) return { ok: false, reason: `invalid range: invalid end IP "${endText}"` };
  if (start.family !== end.family)
    return { ok: false, reason: 'invalid range: start and end are of different IP families' };
  if (start.value > end.value) return { ok: false, reason: 'range start is after its end' };
  return { ok: true, cidrs: summarizeRange(start, end) };
}

export function buildPools(
  sources: readonly PoolSource[],
  namespaces: readonly LabelledObject[],
  sink: ErrorSink,
): Map<string, PoolDraft> {
  const pools = new Map<string, PoolDraft>();
  // Pools with errors still take part in the overlap check with their valid entries: every error is reported.
  const everyPool: PoolDraft[] = [];
  const definedBy = new Map<string, ObjectIdentity>();
  for (const source of sources) {
    const report = sink.for(source.id);
    const before = sink.count;
    const name = source.id.name;
    if (name === '') report('metadata.name', 'missing pool name');
    const existing = definedBy.get(name);
    if (existing)
      report(
        'metadata.name',
        `duplicate definition of pool, already defined by ${objectRef(existing.kind, existing)}`,
      );
    else definedBy.set(name, source.id);
    if (source.addresses.length === 0) report('spec.addresses', 'pool has no addresses defined');
    const entries: PoolEntry[] = [];
    source.addresses.forEach((text, index) => {
      const parsed = parsePoolAddress(text);
      if (parsed.ok) entries.push({ index, text, cidrs: parsed.cidrs });
      else report(`spec.addresses[${index}]`, parsed.reason, { value: text });
    });
    const serviceAllocation = source.serviceAllocation
      ? buildServiceAllocation(source.serviceAllocation, namespaces, report)
      : undefined;
    const draft: PoolDraft = {
      id: source.id,
      name,
      entries,
      cidrs: entries.flatMap((e) => e.cidrs),
      autoAssign: source.autoAssign,
      avoidBuggyIPs: source.avoidBuggyIPs,
      labels: source.labels,
      ...(serviceAllocation ? { serviceAllocation } : {}),
    };
    everyPool.push(draft);
    if (sink.count === before && !existing) pools.set(name, draft);
  }
  reportOverlaps(everyPool, sink);
  return pools;
}

function buildServiceAllocation(
  raw: RawServiceAllocation,
  namespaces: readonly LabelledObject[],
  report: Report,
): ServiceAllocation {
  const field = 'spec.serviceAllocation';
  const listed = raw.namespaces ?? [];
  listed.forEach((ns, i) => {
    if (listed.indexOf(ns) !== i)
      report(`${field}.namespaces[${i}]`, 'duplicate definition in namespaces field', { value: ns });
  });
  const namespaceSelectors = parseSelectorList(raw.namespaceSelectors, `${field}.namespaceSelectors`, report);
  const serviceSelectors = parseSelectorList(raw.serviceSelectors, `${field}.serviceSelectors`, report);
  const priority = raw.priority ?? 0;
  const restrictsNamespaces = listed.length > 0 || (raw.namespaceSelectors ?? []).length > 0;
  if (!restrictsNamespaces && (raw.serviceSelectors ?? []).length === 0) {
    // Priority only: the pool is pinned for every Service, so it still sorts by priority (upstream's
    // labels.Everything()).
    return { priority, namespaceSelectors: [], serviceSelectors: [EVERYTHING] };
  }
  const known = namespaces.map((n) => ({ name: n.metadata.name ?? '', labels: n.metadata.labels ?? {} }));
  const selected = selectNames(known, namespaceSelectors, false);
  return {
    priority,
    ...(restrictsNamespaces ? { namespaces: new Set([...listed, ...selected]) } : {}),
    namespaceSelectors,
    serviceSelectors,
  };
}

interface PlacedCidr {
  readonly pool: PoolDraft;
  readonly poolOrder: number;
  readonly entry: PoolEntry;
  readonly cidr: Cidr;
}

/**
 * Every CIDR must be disjoint from every other, within a pool and across pools. Two CIDRs overlap exactly when
 * one contains the other, so a sweep in address order against the widest CIDR seen so far finds every CIDR that
 * overlaps an earlier one. Each overlapping pair of entries is reported once, on the entry defined later.
 */
function reportOverlaps(pools: readonly PoolDraft[], sink: ErrorSink): void {
  const placed: PlacedCidr[] = pools.flatMap((pool, poolOrder) =>
    pool.entries.flatMap((entry) => entry.cidrs.map((cidr) => ({ pool, poolOrder, entry, cidr }))),
  );
  placed.sort(
    (a, b) =>
      a.cidr.family - b.cidr.family || cmpBig(a.cidr.base, b.cidr.base) || a.cidr.prefix - b.cidr.prefix,
  );
  const reported = new Set<string>();
  let holder: PlacedCidr | undefined;
  for (const item of placed) {
    if (
      holder &&
      holder.cidr.family === item.cidr.family &&
      cidrFirst(item.cidr).value <= cidrLast(holder.cidr).value
    ) {
      const [earlier, later] = isDefinedBefore(holder, item) ? [holder, item] : [item, holder];
      const key = `${later.poolOrder}/${later.entry.index}/${earlier.poolOrder}/${earlier.entry.index}`;
      if (!reported.has(key)) {
        reported.add(key);
        const where = earlier.pool === later.pool ? 'this pool' : `pool ${JSON.stringify(earlier.pool.name)}`;
        sink.for(later.pool.id)(
          `spec.addresses[${later.entry.index}]`,
          `CIDR ${formatCidr(later.cidr)} overlaps with already defined CIDR ${formatCidr(earlier.cidr)} (${JSON.stringify(earlier.entry.text)} in ${where})`,
          { value: later.entry.text },
        );
      }
    }
    if (
      !holder ||
      holder.cidr.family !== item.cidr.family ||
      cidrLast(item.cidr).value > cidrLast(holder.cidr).value
    )
      holder = item;
  }
}

function isDefinedBefore(a: PlacedCidr, b: PlacedCidr): boolean {
  return a.poolOrder < b.poolOrder || (a.poolOrder === b.poolOrder && a.entry.index < b.entry.index);
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
