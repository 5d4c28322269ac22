// IP address management for LoadBalancer Services: pure state, no Kubernetes client. The controller feeds it
// pools from the config model and Services from the API, and writes back what it decides.
//
// Compatibility with MetalLB (upstream internal/allocator/allocator.go, controller/service.go): requested addresses need no autoAssign; a pool annotation
// picks one pool; otherwise pinned pools (serviceAllocation) by priority, then every unrestricted autoAssign
// pool. Where MetalLB is nondeterministic (fallback pools iterate a Go map; equal priorities are unordered)
// ironlb orders by pool name, so the same cluster state always yields the same address.
import { Family, IPAddress, formatIP, ipKey } from '../../addr/ip';
import { compareText } from '../../config/errors';
import { PoolSpace, PoolCounts } from './poolspace';
import { AddressUse, portKey, sharingConflict } from './sharing';
import {
  Allocation,
  AllocationError,
  AllocationResult,
  AllocatorPool,
  FamilyRequest,
  ServiceClaim,
} from './types';

export class Allocator {
  private pools = new Map<string, PoolSpace>();
  private readonly allocations = new Map<string, Allocation>();
  private readonly uses = new Map<string, AddressUse>();
  /** sharing key -> addresses currently shared under it, so sharing never scans every address in use. */
  private readonly bySharingKey = new Map<string, Set<string>>();

  /**
   * Replaces the pools. Every allocation is re-homed to the pool that now owns its addresses (a renamed or
   * split pool keeps its Services' addresses); allocations no pool owns any more are dropped and returned,
   * so the controller can clear and re-allocate those Services.
   */
  setPools(pools: readonly AllocatorPool[]): string[] {
    this.pools = new Map(pools.map((p) => [p.name, new PoolSpace(p)]));
    const previous = [...this.allocations.entries()];
    this.allocations.clear();
    this.uses.clear();
    this.bySharingKey.clear();
    const dropped: string[] = [];
    for (const [key, alloc] of previous) {
      const pool = this.poolFor(alloc.ips);
      if (!pool) {
        dropped.push(key);
        continue;
      }
      this.record(key, { ...alloc, pool: pool.name });
    }
    return dropped.sort(compareText);
  }

  allocation(serviceKey: string): Allocation | undefined {
    return this.allocations.get(serviceKey);
  }

  allocatedServices(): string[] {
    return [...this.allocations.keys()];
  }

  counts(poolName: string): PoolCounts | undefined {
    return this.pools.get(poolName)?.counts();
  }

  /** The one pool that owns every address given, or undefined. Pools never overlap (the config model checks). */
  poolFor(ips: readonly IPAddress[]): PoolSpace | undefined {
    if (ips.length === 0) return undefined;
    for (const pool of this.pools.values()) if (ips.every((ip) => pool.owns(ip))) return pool;
    return undefined;
  }

  poolNameFor(ips: readonly IPAddress[]): string | undefined {
    return this.poolFor(ips)?.name;
  }

  /** Gives the Service exactly these addresses (a restart re-claim, or a request by annotation or spec). */
  assign(svc: ServiceClaim, ips: readonly IPAddress[]): AllocationResult {
    if (ips.length === 0 || ips.length > 2) {
      return fail(`a service can have one address, or two of different families, not ${ips.length}`);
    }
    const [first, second] = ips;
    if (first && second && first.family === second.family) {
      return fail(`requested addresses ${ips.map(formatIP).join(',')} are of the same family`);
    }
    const pool = this.poolFor(ips);
    if (!pool) return fail(`"${ips.map(formatIP).join(',')}" is not allowed in config`);
    if (!isCompatible(pool.pool, svc)) {
      return fail(`pool ${pool.name} not compatible for ip assignment`);
    }
    for (const ip of ips) {
      const conflict = sharingConflict(this.uses.get(ipKey(ip)), svc);
      if (conflict) return { ok: false, error: conflict };
    }
    this.unassign(svc.key);
    this.record(svc.key, {
      pool: pool.name,
      ips: [...ips],
      sharingKey: svc.sharingKey,
      backendKey: svc.backendKey,
      ports: svc.ports,
    });
    return { ok: true, pool: pool.name, ips: [...ips] };
  }

  /** The metallb.io/address-pool annotation: from this pool only; autoAssign is not required. */
  allocateFromPool(svc: ServiceClaim, families: FamilyRequest, poolName: string): AllocationResult {
    const pool = this.pools.get(poolName);
    if (!pool) return fail(`unknown pool "${poolName}"`);
    if (!isCompatible(pool.pool, svc)) {
      return fail(`pool ${poolName} not compatible for ip assignment`);
    }
    const existing = this.allocations.get(svc.key);
    if (existing && existing.pool === poolName && fitsFamilies(existing.ips, families)) {
      return this.assign(svc, existing.ips);
    }
    const ips = this.pickFromPool(pool, svc, families);
    if (!ips) return fail(`no available IPs in pool "${poolName}" for ${describeFamilies(families)}`);
    return this.assign(svc, ips);
  }

  /** Automatic allocation: pinned pools by priority, then every unrestricted autoAssign pool, by name. */
  allocate(svc: ServiceClaim, families: FamilyRequest): AllocationResult {
    const existing = this.allocations.get(svc.key);
    if (existing && fitsFamilies(existing.ips, families)) return this.assign(svc, existing.ips);
    const candidates = this.candidatePools(svc);
    let fallback: { pool: PoolSpace; ips: IPAddress[] } | undefined;
    for (const pool of candidates) {
      const picked = this.pickFromPool(pool, svc, families);
      if (!picked) continue;
      if (picked.length >= wantedCount(families) || !isPreferDual(families)) return this.assign(svc, picked);
      // PreferDualStack: a single-family pool is only a candidate; a dual-stack pool later in order wins.
      if (
        !fallback ||
        (picked[0]?.family === families.families[0] && fallback.ips[0]?.family !== families.families[0])
      ) {
        fallback = { pool, ips: picked };
      }
    }
    if (fallback) return this.assign(svc, fallback.ips);
    return fail('no available IPs');
  }

  /**
   * PreferDualStack: a Service that holds one address gains one of the other family from the same pool
   * (upstream AllocateFromPoolForAdditionalFamily). The existing address stays first.
   */
  allocateAdditionalFamily(svc: ServiceClaim, current: IPAddress, poolName: string): AllocationResult {
    const pool = this.pools.get(poolName);
    if (!pool) return fail(`unknown pool "${poolName}"`);
    const family: Family = current.family === 4 ? 6 : 4;
    const ip = this.firstUsable(pool, family, svc);
    if (!ip) return fail(`no available IPv${family} addresses in pool "${poolName}"`);
    return this.assign(svc, [current, ip]);
  }

  /** Frees the Service's addresses; idempotent. */
  unassign(serviceKey: string): boolean {
    const alloc = this.allocations.get(serviceKey);
    if (!alloc) return false;
    this.allocations.delete(serviceKey);
    for (const ip of alloc.ips) {
      const key = ipKey(ip);
      const use = this.uses.get(key);
      if (!use) continue;
      use.services.delete(serviceKey);
      for (const [port, owner] of [...use.ports]) if (owner === serviceKey) use.ports.delete(port);
      if (use.services.size > 0) continue;
      this.uses.delete(key);
      this.bySharingKey.get(use.sharingKey)?.delete(key);
      this.pools.get(use.pool)?.spaceFor(ip)?.release(ip.value);
    }
    return true;
  }

  private record(serviceKey: string, alloc: Allocation): void {
    this.allocations.set(serviceKey, alloc);
    for (const ip of alloc.ips) {
      const key = ipKey(ip);
      let use = this.uses.get(key);
      if (!use) {
        use = {
          ip,
          pool: alloc.pool,
          sharingKey: alloc.sharingKey,
          backendKey: alloc.backendKey,
          services: new Set(),
          ports: new Map(),
        };
        this.uses.set(key, use);
        this.pools.get(alloc.pool)?.spaceFor(ip)?.take(ip.value);
      } else if (use.services.size === 0 || (use.services.size === 1 && use.services.has(serviceKey))) {
        this.bySharingKey.get(use.sharingKey)?.delete(key);
        use.sharingKey = alloc.sharingKey;
        use.backendKey = alloc.backendKey;
      }
      use.services.add(serviceKey);
      for (const port of alloc.ports) use.ports.set(portKey(port), serviceKey);
      if (use.sharingKey !== '') {
        let set = this.bySharingKey.get(use.sharingKey);
        if (!set) this.bySharingKey.set(use.sharingKey, (set = new Set()));
        set.add(key);
      }
    }
  }

  private candidatePools(svc: ServiceClaim): PoolSpace[] {
    const pools = [...this.pools.values()].sort((a, b) => compareText(a.name, b.name));
    const pinned = pools
      .filter((p) => p.pool.serviceAllocation && p.pool.autoAssign && isCompatible(p.pool, svc))
      .sort((a, b) => priorityRank(a.pool) - priorityRank(b.pool));
    const open = pools.filter((p) => !p.pool.serviceAllocation && p.pool.autoAssign);
    return [...pinned, ...open];
  }

  /** The addresses this pool would give the Service under its family policy, or undefined. */
  private pickFromPool(pool: PoolSpace, svc: ServiceClaim, families: FamilyRequest): IPAddress[] | undefined {
    const wanted = families.policy === 'SingleStack' ? families.families.slice(0, 1) : families.families;
    const found: IPAddress[] = [];
    for (const family of wanted) {
      const ip = this.firstUsable(pool, family, svc);
      if (ip) found.push(ip);
    }
    if (families.policy === 'RequireDualStack' && found.length < 2) return undefined;
    if (found.length === 0) return undefined;
    if (families.policy === 'SingleStack' || families.families.length === 1) return found.slice(0, 1);
    // IPv4 first whatever the primary family, as upstream's selectIPsForFamilyAndPolicy
    // (internal/allocator/allocator.go) returns them: the first address also feeds the Layer 2 election hash,
    // so a different order would elect a different node than MetalLB does.
    return found.sort((a, b) => a.family - b.family);
  }

  /**
   * The first address, in CIDR order then ascending, that the Service may use: either the lowest free one or
   * a lower one it may share (same key, same backend, no port clash), as MetalLB's walk would find.
   */
  private firstUsable(pool: PoolSpace, family: Family, svc: ServiceClaim): IPAddress | undefined {
    const shareable = this.shareableAddresses(pool, family, svc);
    for (const space of pool.spaces) {
      if (space.cidr.family !== family) continue;
      let best = space.lowestFree();
      for (const ip of shareable)
        if (space.owns(ip) && (best === undefined || ip.value < best)) best = ip.value;
      if (best !== undefined) return { family, value: best };
    }
    return undefined;
  }

  private shareableAddresses(pool: PoolSpace, family: Family, svc: ServiceClaim): IPAddress[] {
    if (svc.sharingKey === '') return [];
    const out: IPAddress[] = [];
    for (const key of this.bySharingKey.get(svc.sharingKey) ?? []) {
      const use = this.uses.get(key);
      if (!use || use.pool !== pool.name || use.ip.family !== family) continue;
      if (!sharingConflict(use, svc)) out.push(use.ip);
    }
    return out;
  }
}

function fail(message: string): AllocationResult {
  return { ok: false, error: new AllocationError(message) };
}

export function isCompatible(pool: AllocatorPool, svc: ServiceClaim): boolean {
  const sa = pool.serviceAllocation;
  if (!sa) return true;
  if (sa.namespaces && !sa.namespaces.has(svc.namespace)) return false;
  if (sa.serviceSelectors.length > 0 && !sa.serviceSelectors.some((match) => match(svc.labels))) return false;
  return true;
}

function priorityRank(pool: AllocatorPool): number {
  const p = pool.serviceAllocation?.priority ?? 0;
  return p > 0 ? p : Number.MAX_SAFE_INTEGER;
}

function isPreferDual(f: FamilyRequest): boolean {
  return f.policy === 'PreferDualStack' && f.families.length > 1;
}

function wantedCount(f: FamilyRequest): number {
  return f.policy === 'SingleStack' ? 1 : f.families.length;
}

/** Whether existing addresses still match what the Service asks for (MetalLB's serviceFamilyChanged). */
export function fitsFamilies(ips: readonly IPAddress[], f: FamilyRequest): boolean {
  const have = new Set(ips.map((ip) => ip.family));
  if (f.policy === 'SingleStack' || f.families.length === 1) {
    return ips.length === 1 && have.has(f.families[0] ?? 4);
  }
  if (f.policy === 'RequireDualStack') return have.size === 2;
  return ips.length >= 1 && ips.every((ip) => f.families.includes(ip.family));
}

function describeFamilies(f: FamilyRequest): string {
  const names = f.families.map((x) => (x === 4 ? 'IPv4' : 'IPv6'));
  return f.policy === 'SingleStack' ? (names[0] ?? 'IPv4') : `${f.policy} ${names.join('/')}`;
}
