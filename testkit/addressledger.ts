// The bookkeeping of the controller's scale runs, free of any API client so it is unit-tested on its own
// (addressledger.test.ts): the pool they allocate from, and a ledger of which Service holds which address
// that flags, at the moment it happens, an address held by two Services.
import { performance } from 'node:perf_hooks';
import { Cidr, cidrContains, parsePoolEntry } from '../addr/cidr';
import { formatIP, parseIP } from '../addr/ip';
import { ingressIPs, Service } from '../api/service';

/** The pool every scale run allocates from: two CIDRs and a range, 10,240 addresses. */
export const SCALE_POOL = {
  name: 'scale',
  addresses: ['2001:db8:100::/116', '2001:db8:200::/116', '2001:db8:300::1-2001:db8:300::800'],
} as const;

const POOL_CIDRS: readonly Cidr[] = SCALE_POOL.addresses.flatMap((entry) => {
  const parsed = parsePoolEntry(entry);
  if (!parsed.ok) throw new Error(`SCALE_POOL entry ${entry}: ${parsed.reason}`);
  return parsed.cidrs;
});

export function inScalePool(ip: string): boolean {
  const parsed = parseIP(ip);
  return parsed !== undefined && POOL_CIDRS.some((c) => cidrContains(c, parsed));
}

/** One spelling per address, so "2001:db8:100::0001" and "2001:db8:100::1" count as the same. */
export function canonicalIP(ip: string): string {
  const parsed = parseIP(ip);
  return parsed ? formatIP(parsed) : ip;
}

/** Addresses held by more than one Service in `view`, each with its holders. */
export function sharedAddresses(view: ReadonlyMap<string, readonly string[]>): string[] {
  const holders = new Map<string, string[]>();
  for (const [key, ips] of view) for (const ip of ips) holders.set(ip, [...(holders.get(ip) ?? []), key]);
  return [...holders]
    .filter(([, keys]) => keys.length > 1)
    .map(([ip, keys]) => `${ip} on ${keys.join(', ')}`);
}

/**
 * Every Service's addresses as a watch reports them, checked after every event: an address on two Services at
 * once is recorded in `violations`. Watch events arrive in resourceVersion order, so each state checked is
 * one the cluster really was in.
 */
export class AddressLedger {
  readonly violations: string[] = [];
  /** performance.now() when the watch first saw each Service with an address. */
  readonly firstAddressedAt = new Map<string, number>();
  private readonly ipsOf = new Map<string, string[]>();
  private readonly holderOf = new Map<string, Set<string>>();
  private readonly waiters = new Set<() => void>();

  observe(key: string, svc: Service | undefined): void {
    const ips = svc && svc.spec?.type === 'LoadBalancer' ? ingressIPs(svc).map(canonicalIP) : [];
    for (const ip of this.ipsOf.get(key) ?? []) {
      const holders = this.holderOf.get(ip);
      holders?.delete(key);
      if (holders?.size === 0) this.holderOf.delete(ip);
    }
    if (svc === undefined) this.ipsOf.delete(key);
    else this.ipsOf.set(key, ips);
    for (const ip of ips) {
      const holders = this.holderOf.get(ip) ?? new Set<string>();
      holders.add(key);
      this.holderOf.set(ip, holders);
      if (holders.size > 1) this.violations.push(`${ip} held by ${[...holders].join(', ')}`);
    }
    if (ips.length > 0 && !this.firstAddressedAt.has(key)) this.firstAddressedAt.set(key, performance.now());
    for (const wake of [...this.waiters]) wake();
  }

  addressesOf(key: string): readonly string[] | undefined {
    return this.ipsOf.get(key);
  }

  /** Services (in `namespace`, if given) the watch currently knows, and how many of them have an address. */
  counts(namespace?: string): { services: number; addressed: number } {
    let services = 0;
    let addressed = 0;
    for (const [key, ips] of this.ipsOf) {
      if (namespace !== undefined && !key.startsWith(`${namespace}/`)) continue;
      services++;
      if (ips.length > 0) addressed++;
    }
    return { services, addressed };
  }

  /** Resolves when `done()` holds after some event; rejects after `timeoutMs` with `what`. */
  until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }
}

/** The q-quantile (0..1) of `values`, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
