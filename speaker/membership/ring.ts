// The heartbeat ring: members ordered by sha256 of their node name, so every member derives the same ring
// from the same view without coordination, and neighbours are spread independently of naming schemes.
// Each member heartbeats its k successors and watches its k predecessors: O(k) packets per member per
// interval whatever the cluster size.
import { createHash } from 'crypto';

const keys = new Map<string, string>();

function ringKey(name: string): string {
  let k = keys.get(name);
  if (k === undefined) {
    k = createHash('sha256').update(name).digest('hex');
    keys.set(name, k);
  }
  return k;
}

export function ringOrder(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => {
    const ka = ringKey(a);
    const kb = ringKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
}

/** The up to k members after `self` (clockwise), never self. `ring` must contain self. */
export function successors(ring: readonly string[], self: string, k: number): string[] {
  return neighbours(ring, self, k, 1);
}

/** The up to k members before `self`: the ones expected to heartbeat `self`. */
export function predecessors(ring: readonly string[], self: string, k: number): string[] {
  return neighbours(ring, self, k, -1);
}

function neighbours(ring: readonly string[], self: string, k: number, step: 1 | -1): string[] {
  const at = ring.indexOf(self);
  if (at < 0) return [];
  const out: string[] = [];
  const n = Math.min(k, ring.length - 1);
  for (let i = 1; i <= n; i++) {
    const name = ring[(((at + step * i) % ring.length) + ring.length) % ring.length];
    if (name !== undefined) out.push(name);
  }
  return out;
}
