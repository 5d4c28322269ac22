// L2Advertisements and BGPAdvertisements: selectors resolved to pool and node names, community aliases to
// values, and the per-pool rules checked (aggregation length against the pool's prefixes, LOCAL_PREF
// conflicts between advertisements of the same pool).
import { LabelSelector as RawLabelSelector } from '../api/meta';
import { SERVICE_SELECTORS_NEED_DEFAULT_AGGREGATION } from '../api/bgpadvertisement';
import { parseCommunity, compareCommunities } from './community';
import { ErrorSink, ObjectIdentity, compareText } from './errors';
import { PoolDraft } from './pools';
import { LabelledObject } from './resources';
import {
  Report,
  formatSelector,
  parseSelector,
  parseSelectorList,
  selectNames,
  selectorMatches,
} from './selector';
import { BGPAdvertisement, Community, L2Advertisement, LabelSelector } from './types';

/** An advertisement as written, whichever kind defined it (legacy AddressPools imply one). */
export interface L2Source {
  readonly id: ObjectIdentity;
  readonly ipAddressPools?: readonly string[];
  readonly ipAddressPoolSelectors?: readonly RawLabelSelector[];
  readonly nodeSelectors?: readonly RawLabelSelector[];
  readonly interfaces?: readonly string[];
  readonly serviceSelectors?: readonly RawLabelSelector[];
  readonly preferredNodeSelectors?: readonly {
    readonly weight: number;
    readonly preference: RawLabelSelector;
  }[];
}

export interface BGPSource {
  readonly id: ObjectIdentity;
  readonly aggregationLength?: number;
  readonly aggregationLengthV6?: number;
  readonly localPref?: number;
  readonly communities?: readonly string[];
  readonly ipAddressPools?: readonly string[];
  readonly ipAddressPoolSelectors?: readonly RawLabelSelector[];
  readonly nodeSelectors?: readonly RawLabelSelector[];
  readonly peers?: readonly string[];
  readonly serviceSelectors?: readonly RawLabelSelector[];
}

export interface Named {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface AttachedAdvertisements {
  readonly l2: L2Advertisement[];
  readonly bgp: BGPAdvertisement[];
  readonly l2ByPool: Map<string, L2Advertisement[]>;
  readonly bgpByPool: Map<string, BGPAdvertisement[]>;
}

function reportDuplicates(
  values: readonly string[] | undefined,
  field: string,
  what: string,
  report: Report,
): void {
  (values ?? []).forEach((v, i) => {
    if ((values ?? []).indexOf(v) !== i)
      report(`${field}[${i}]`, `duplicate definition of ${what}`, { value: v });
  });
}

function namedNodes(nodes: readonly LabelledObject[]): Named[] {
  return nodes.map((n) => ({ name: n.metadata.name ?? '', labels: n.metadata.labels ?? {} }));
}

/** Pool names an advertisement applies to: by name (existing pools only) and by label; neither means all. */
function selectPools(
  pools: ReadonlyMap<string, PoolDraft>,
  byName: readonly string[] | undefined,
  selectors: readonly LabelSelector[],
  hasSelectors: boolean,
): string[] {
  if ((byName ?? []).length === 0 && !hasSelectors) return [...pools.keys()].sort();
  const selected = new Set((byName ?? []).filter((n) => pools.has(n)));
  for (const name of selectNames(
    [...pools.values()].map((p) => ({ name: p.name, labels: p.labels })),
    selectors,
    false,
  )) {
    selected.add(name);
  }
  return [...selected].sort();
}

export function buildL2Advertisements(
  sources: readonly L2Source[],
  pools: ReadonlyMap<string, PoolDraft>,
  nodes: readonly LabelledObject[],
  sink: ErrorSink,
): { all: L2Advertisement[]; byPool: Map<string, L2Advertisement[]> } {
  const all: L2Advertisement[] = [];
  const byPool = new Map<string, L2Advertisement[]>();
  const known = namedNodes(nodes);
  for (const source of sources) {
    const report = sink.for(source.id);
    const before = sink.count;
    reportDuplicates(source.ipAddressPools, 'spec.ipAddressPools', 'ipAddressPools', report);
    const poolSelectors = parseSelectorList(
      source.ipAddressPoolSelectors,
      'spec.ipAddressPoolSelectors',
      report,
    );
    const nodeSelectors = parseSelectorList(source.nodeSelectors, 'spec.nodeSelectors', report);
    const serviceSelectors = parseSelectorList(source.serviceSelectors, 'spec.serviceSelectors', report);
    const eligible = selectNames(known, nodeSelectors, true);
    const preferredNodes = new Map<string, number>();
    (source.preferredNodeSelectors ?? []).forEach((p, i) => {
      const parsed = parseSelector(p.preference);
      if (!parsed.ok) {
        report(`spec.preferredNodeSelectors[${i}].preference`, parsed.reason);
        return;
      }
      for (const node of known) {
        if (eligible.has(node.name) && selectorMatches(parsed.selector, node.labels)) {
          preferredNodes.set(node.name, (preferredNodes.get(node.name) ?? 0) + p.weight);
        }
      }
    });
    if (sink.count !== before) continue;
    const interfaces = [...(source.interfaces ?? [])];
    const ad: L2Advertisement = {
      name: source.id.name,
      ipAddressPools: selectPools(
        pools,
        source.ipAddressPools,
        poolSelectors,
        (source.ipAddressPoolSelectors ?? []).length > 0,
      ),
      nodeSelectors,
      nodes: eligible,
      interfaces,
      allInterfaces: interfaces.length === 0,
      serviceSelectors: sortSelectors(serviceSelectors),
      preferredNodes,
    };
    all.push(ad);
    for (const pool of ad.ipAddressPools) {
      const list = byPool.get(pool) ?? [];
      if (!containsEquivalentL2(list, ad)) list.push(ad);
      byPool.set(pool, list);
    }
  }
  return { all, byPool };
}

/**
 * Two L2 advertisements with the same nodes, interfaces and service selectors announce a pool the same way, so
 * a pool keeps one of them. Advertisements with preferences are never merged: their weights add up.
 */
function containsEquivalentL2(list: readonly L2Advertisement[], ad: L2Advertisement): boolean {
  if (ad.preferredNodes.size > 0) return false;
  return list.some(
    (other) =>
      other.preferredNodes.size === 0 &&
      other.allInterfaces === ad.allInterfaces &&
      sameSet(other.nodes, ad.nodes) &&
      sameSet(new Set(other.interfaces), new Set(ad.interfaces)) &&
      JSON.stringify(other.serviceSelectors) === JSON.stringify(ad.serviceSelectors),
  );
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function sortSelectors(selectors: readonly LabelSelector[]): LabelSelector[] {
  return [...selectors].sort((a, b) => compareText(formatSelector(a), formatSelector(b)));
}

export function buildBGPAdvertisements(
  sources: readonly BGPSource[],
  pools: ReadonlyMap<string, PoolDraft>,
  nodes: readonly LabelledObject[],
  aliases: ReadonlyMap<string, Community>,
  sink: ErrorSink,
): { all: BGPAdvertisement[]; byPool: Map<string, BGPAdvertisement[]> } {
  const all: BGPAdvertisement[] = [];
  const byPool = new Map<string, BGPAdvertisement[]>();
  const known = namedNodes(nodes);
  for (const source of sources) {
    const report = sink.for(source.id);
    const before = sink.count;
    reportDuplicates(source.ipAddressPools, 'spec.ipAddressPools', 'ipAddressPools', report);
    reportDuplicates(source.communities, 'spec.communities', 'community', report);
    reportDuplicates(source.peers, 'spec.peers', 'peers', report);
    const poolSelectors = parseSelectorList(
      source.ipAddressPoolSelectors,
      'spec.ipAddressPoolSelectors',
      report,
    );
    const nodeSelectors = parseSelectorList(source.nodeSelectors, 'spec.nodeSelectors', report);
    const serviceSelectors = parseSelectorList(source.serviceSelectors, 'spec.serviceSelectors', report);
    const aggregationLength = source.aggregationLength ?? 32;
    const aggregationLengthV6 = source.aggregationLengthV6 ?? 128;
    if (aggregationLength < 0 || aggregationLength > 32) {
      report(
        'spec.aggregationLength',
        `invalid aggregation length ${aggregationLength} for IPv4: must be between 0 and 32`,
      );
    }
    if (aggregationLengthV6 < 0 || aggregationLengthV6 > 128) {
      report(
        'spec.aggregationLengthV6',
        `invalid aggregation length ${aggregationLengthV6} for IPv6: must be between 0 and 128`,
      );
    }
    if (
      (source.serviceSelectors ?? []).length > 0 &&
      (aggregationLength !== 32 || aggregationLengthV6 !== 128)
    ) {
      report('spec.serviceSelectors', SERVICE_SELECTORS_NEED_DEFAULT_AGGREGATION);
    }
    const communities = new Map<string, Community>();
    (source.communities ?? []).forEach((text, i) => {
      const alias = aliases.get(text);
      if (alias) {
        communities.set(alias.text, alias);
        return;
      }
      const parsed = parseCommunity(text);
      if (parsed.ok) communities.set(parsed.community.text, parsed.community);
      else if (parsed.problem === 'format') {
        // Maybe an alias whose Community has not been created yet: transient, as upstream.
        report(
          `spec.communities[${i}]`,
          'not a community alias defined by any Community, nor a community value (AA:NN or large:A:B:C)',
          {
            value: text,
            transient: true,
          },
        );
      } else report(`spec.communities[${i}]`, parsed.reason, { value: text });
    });
    if (sink.count !== before) continue;
    const ad: BGPAdvertisement = {
      name: source.id.name,
      aggregationLength,
      aggregationLengthV6,
      localPref: source.localPref ?? 0,
      communities: [...communities.values()].sort(compareCommunities),
      ipAddressPools: selectPools(
        pools,
        source.ipAddressPools,
        poolSelectors,
        (source.ipAddressPoolSelectors ?? []).length > 0,
      ),
      peers: [...(source.peers ?? [])],
      nodeSelectors,
      nodes: selectNames(known, nodeSelectors, true),
      serviceSelectors: sortSelectors(serviceSelectors),
    };
    // A pool the advertisement cannot apply to is an error, so in a config that builds, every pool listed here
    // has this very object among its advertisements.
    for (const poolName of ad.ipAddressPools) {
      const pool = pools.get(poolName);
      if (!pool) continue;
      const existing = byPool.get(poolName) ?? [];
      if (checkAdvertisementForPool(ad, pool, existing, report)) byPool.set(poolName, [...existing, ad]);
    }
    all.push(ad);
  }
  return { all, byPool };
}

/** The per-pool rules; false when the advertisement cannot apply to the pool. */
function checkAdvertisementForPool(
  ad: BGPAdvertisement,
  pool: PoolDraft,
  existing: readonly BGPAdvertisement[],
  report: Report,
): boolean {
  let ok = true;
  for (const entry of pool.entries) {
    const first = entry.cidrs[0];
    if (!first) continue;
    const [field, length] =
      first.family === 4
        ? ['spec.aggregationLength', ad.aggregationLength]
        : ['spec.aggregationLengthV6', ad.aggregationLengthV6];
    // A range may be summarised into several CIDRs: its widest one bounds the aggregation.
    const widest = Math.min(...entry.cidrs.map((c) => c.prefix));
    if (length < widest) {
      report(
        field,
        `invalid aggregation length ${length}: prefix ${widest} of ${JSON.stringify(entry.text)} in pool ${JSON.stringify(pool.name)} is more specific than the aggregation length`,
      );
      ok = false;
    }
  }
  if (!ok || ad.serviceSelectors.length > 0) return ok;
  // Without service selectors both advertisements announce the same services: different LOCAL_PREFs for the
  // same route to the same peer from the same node would contradict each other.
  for (const other of existing) {
    if (other.serviceSelectors.length > 0 || haveCompatibleLocalPref(ad, other, pool)) continue;
    report(
      'spec.localPref',
      `invalid local preference ${ad.localPref}: BGPAdvertisement ${JSON.stringify(other.name)} already sets local preference ${other.localPref} for the same routes of pool ${JSON.stringify(pool.name)} (same aggregation length, peers and nodes)`,
    );
    return false;
  }
  return true;
}

export function haveCompatibleLocalPref(a: BGPAdvertisement, b: BGPAdvertisement, pool: PoolDraft): boolean {
  if (a.localPref === b.localPref) return true;
  const hasV4 = pool.cidrs.some((c) => c.family === 4);
  const hasV6 = pool.cidrs.some((c) => c.family === 6);
  const v4Differs = a.aggregationLength !== b.aggregationLength;
  const v6Differs = a.aggregationLengthV6 !== b.aggregationLengthV6;
  if (!hasV4 && !hasV6) return true;
  if ((!hasV6 && v4Differs) || (!hasV4 && v6Differs) || (v4Differs && v6Differs)) return true;
  if (a.peers.length > 0 && b.peers.length > 0 && !a.peers.some((p) => b.peers.includes(p))) return true;
  return ![...a.nodes].some((n) => b.nodes.has(n));
}
