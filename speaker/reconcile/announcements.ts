// Which addresses this node answers for, across Services: several Services may share one address
// (allow-shared-ip), so an address is withdrawn only when the last Service holding it lets go, and its
// interfaces are the union of what each holder asked for (upstream internal/layer2 ipRefcnt). The announcer
// is called only when an address's answer set changes, because each announce starts a gratuitous burst.
import type { Interfaces } from './decide';

/** The part of the L2 announcer (speaker/l2/announcer.ts) the speaker drives. */
export interface L2Announcer {
  announce(ip: string, interfaces: readonly string[] | 'all'): void;
  withdraw(ip: string): void;
}

const sameInterfaces = (a: Interfaces, b: Interfaces): boolean =>
  a === 'all' || b === 'all' ? a === b : a.length === b.length && a.every((x, i) => x === b[i]);

export class Announcements {
  /** ip → holder (Service key) → the interfaces that holder asked for. */
  private readonly holders = new Map<string, Map<string, Interfaces>>();
  /** holder → the ips it holds: the reverse index, so a Service's change costs its own addresses only. */
  private readonly byHolder = new Map<string, Set<string>>();
  /** ip → what the announcer was last told. */
  private readonly announced = new Map<string, Interfaces>();

  constructor(private readonly announcer: L2Announcer) {}

  /** Sets what `holder` announces (replacing its earlier set); an empty list releases everything it held. */
  set(holder: string, ips: readonly string[], interfaces: Interfaces): void {
    const touched = new Set<string>(ips);
    for (const ip of this.byHolder.get(holder) ?? []) {
      if (touched.has(ip)) continue;
      this.holders.get(ip)?.delete(holder);
      touched.add(ip);
    }
    if (ips.length === 0) this.byHolder.delete(holder);
    else this.byHolder.set(holder, new Set(ips));
    for (const ip of ips) {
      let byHolder = this.holders.get(ip);
      if (byHolder === undefined) this.holders.set(ip, (byHolder = new Map()));
      byHolder.set(holder, interfaces);
    }
    for (const ip of touched) this.converge(ip);
  }

  release(holder: string): void {
    this.set(holder, [], 'all');
  }

  /** Forgets every holder and withdraws every address at once (isolation, shutdown). */
  releaseAll(): void {
    this.holders.clear();
    this.byHolder.clear();
    for (const ip of [...this.announced.keys()]) this.converge(ip);
  }

  isAnnounced(ip: string): boolean {
    return this.announced.has(ip);
  }

  size(): number {
    return this.announced.size;
  }

  private converge(ip: string): void {
    const byHolder = this.holders.get(ip);
    if (byHolder !== undefined && byHolder.size === 0) this.holders.delete(ip);
    const want = byHolder !== undefined && byHolder.size > 0 ? union(byHolder.values()) : undefined;
    const had = this.announced.get(ip);
    if (want === undefined) {
      if (had !== undefined) {
        this.announced.delete(ip);
        this.announcer.withdraw(ip);
      }
      return;
    }
    if (had !== undefined && sameInterfaces(had, want)) return;
    this.announced.set(ip, want);
    this.announcer.announce(ip, want);
  }
}

function union(lists: Iterable<Interfaces>): Interfaces {
  const out = new Set<string>();
  for (const l of lists) {
    if (l === 'all') return 'all';
    for (const name of l) out.add(name);
  }
  return [...out].sort();
}
