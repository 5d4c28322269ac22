// The L2 election order (upstream speaker/layer2_controller.go sortL2Candidates): summed preferred-node weight
// descending, then ascending on the bytes of sha256(nodeName + "#" + firstIP). The hash is computed once per
// candidate before sorting, never inside the comparator, and memoised across calls because a membership
// change re-runs the election for every Service with the same (node, IP) pairs. The digest is kept as a
// 32-character 'binary' (latin1) string: string order on code units 0-255 is the bytes' order, and a
// one-byte string costs about a fifth of a Buffer's heap (the memo holds one per node and address).
import { createHash } from 'crypto';
import type { ElectionAdvertisement } from './types';

export interface RankedCandidate {
  readonly node: string;
  readonly weight: number;
  /** sha256 digest bytes as a latin1 string (compares like the bytes). */
  readonly hash: string;
}

/** A bounded memo of election hashes; cleared wholesale when full, which keeps it O(1) per lookup. */
export class ElectionHashes {
  private readonly memo = new Map<string, string>();

  constructor(private readonly maxEntries = 200_000) {}

  hash(node: string, ip: string): string {
    const key = `${node}#${ip}`;
    let h = this.memo.get(key);
    if (h === undefined) {
      h = createHash('sha256').update(key).digest('binary');
      if (this.memo.size >= this.maxEntries) this.memo.clear();
      this.memo.set(key, h);
    }
    return h;
  }

  get size(): number {
    return this.memo.size;
  }
}

const sharedHashes = new ElectionHashes();

/** Summed preferred-node weight of a node over the advertisements that matched the Service. */
export function preferredWeight(node: string, ads: readonly ElectionAdvertisement[]): number {
  let sum = 0;
  for (const ad of ads) sum += ad.preferredNodes.get(node) ?? 0;
  return sum;
}

function rank(
  nodes: Iterable<string>,
  firstIP: string,
  ads: readonly ElectionAdvertisement[],
  hashes: ElectionHashes,
): RankedCandidate[] {
  const out: RankedCandidate[] = [];
  for (const node of nodes)
    out.push({ node, weight: preferredWeight(node, ads), hash: hashes.hash(node, firstIP) });
  return out;
}

export function compareCandidates(a: RankedCandidate, b: RankedCandidate): number {
  if (a.weight !== b.weight) return b.weight - a.weight;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}

/** The whole order, best first: for status, logs and tests. */
export function sortL2Candidates(
  nodes: Iterable<string>,
  firstIP: string,
  ads: readonly ElectionAdvertisement[],
  hashes: ElectionHashes = sharedHashes,
): string[] {
  return rank(nodes, firstIP, ads, hashes)
    .sort(compareCandidates)
    .map((c) => c.node);
}

/** The first of sortL2Candidates in one linear pass (the hot path: only the winner matters). */
export function electL2Winner(
  nodes: Iterable<string>,
  firstIP: string,
  ads: readonly ElectionAdvertisement[],
  hashes: ElectionHashes = sharedHashes,
): string | undefined {
  let best: RankedCandidate | undefined;
  for (const node of nodes) {
    const c = { node, weight: preferredWeight(node, ads), hash: hashes.hash(node, firstIP) };
    if (best === undefined || compareCandidates(c, best) < 0) best = c;
  }
  return best?.node;
}
