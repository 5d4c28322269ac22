// Which Services a change can move, so the speaker recomputes those and no others (upstream reprocesses
// every Service on any node, membership or config change: speaker/main.go SetNode/SetConfig, ForceSync).
// The rules rest on the election being stateless and per Service (speaker/layer2_controller.go
// sortL2Candidates): only this node's own decision matters here, and it can change only if
// - a node that was the winner stops being usable (someone else, maybe this node, takes over);
// - a node becomes usable while this node is the winner (the newcomer may sort first);
// - this node's own usability changes (every Service);
// - the Service's pool or its advertisements change (config), or the Service or its endpoints change.
import { formatCidr } from '../../addr/cidr';
import type { Config, L2Advertisement, LabelSelector, Pool } from '../../config/types';

/** What the speaker remembers of each Service between recomputes: small on purpose. */
export interface ServiceMemo {
  /**
   * The pool its addresses were found in at the last recompute; '' when they were in none (or there was no
   * config yet), so a new pool may claim them; absent when config cannot matter (no addresses, not ours).
   */
  readonly pool?: string;
  /** The node the election picked at the last recompute (this node when it announces). */
  readonly winner?: string;
}

export interface UsabilityChange {
  readonly joined: ReadonlySet<string>;
  readonly left: ReadonlySet<string>;
}

export function usabilityChange(before: ReadonlySet<string>, after: ReadonlySet<string>): UsabilityChange {
  const joined = new Set<string>();
  const left = new Set<string>();
  for (const n of after) if (!before.has(n)) joined.add(n);
  for (const n of before) if (!after.has(n)) left.add(n);
  return { joined, left };
}

/** The Services whose decision on `myNode` a change of usable speakers can move; 'all' when it is mine. */
export function servicesForUsabilityChange(
  change: UsabilityChange,
  myNode: string,
  memos: Iterable<readonly [string, ServiceMemo]>,
): Set<string> | 'all' {
  if (change.joined.has(myNode) || change.left.has(myNode)) return 'all';
  const out = new Set<string>();
  if (change.joined.size === 0 && change.left.size === 0) return out;
  for (const [key, memo] of memos) {
    if (memo.winner === undefined) continue;
    if (memo.winner === myNode ? change.joined.size > 0 : change.left.has(memo.winner)) out.add(key);
  }
  return out;
}

const selectorText = (s: readonly LabelSelector[]): string =>
  s.map((x) => x.requirements.map((r) => `${r.key} ${r.operator} ${r.values.join(',')}`).join(';')).join('|');

function adFingerprint(ad: L2Advertisement): string {
  return [
    ad.name,
    [...ad.nodes].sort().join(','),
    ad.allInterfaces ? '*' : ad.interfaces.join(','),
    selectorText(ad.serviceSelectors),
    [...ad.preferredNodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).join(','),
  ].join('/');
}

/** Everything about a pool that an L2 decision reads: its CIDRs and its advertisements. */
export function poolFingerprint(pool: Pool): string {
  return [pool.cidrs.map(formatCidr).join(','), ...pool.l2Advertisements.map(adFingerprint)].join('\n');
}

/** Pools added, removed or changed between two configs; 'all' when either side is missing. */
export function changedPools(before: Config | undefined, after: Config | undefined): Set<string> | 'all' {
  if (before === undefined || after === undefined) return 'all';
  const out = new Set<string>();
  for (const [name, pool] of after.pools) {
    const old = before.pools.get(name);
    if (old === undefined || poolFingerprint(old) !== poolFingerprint(pool)) out.add(name);
  }
  for (const name of before.pools.keys()) if (!after.pools.has(name)) out.add(name);
  return out;
}

/**
 * The Services a config change can move: those in a changed pool, and those whose addresses were in no pool
 * (a new or widened pool may now hold them). A Service in an unchanged pool keeps its decision.
 */
export function servicesForConfigChange(
  pools: Set<string> | 'all',
  memos: Iterable<readonly [string, ServiceMemo]>,
): Set<string> | 'all' {
  if (pools === 'all') return 'all';
  const out = new Set<string>();
  if (pools.size === 0) return out;
  for (const [key, memo] of memos) {
    if (memo.pool !== undefined && (memo.pool === '' || pools.has(memo.pool))) out.add(key);
  }
  return out;
}
