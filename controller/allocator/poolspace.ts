// One pool's address space: its CIDRs in spec order, per family, with counts for the pool status.
import { IPAddress } from '../../addr/ip';
import { CidrSpace } from './cidrspace';
import { AllocatorPool } from './types';

const MAX_INT64 = (1n << 63n) - 1n;
/** MetalLB reports IPv6 CIDRs of 2^62 addresses or more as MaxInt64; a status field is an int64. */
const HUGE = 1n << 62n;

export interface PoolCounts {
  assignedIPv4: bigint;
  assignedIPv6: bigint;
  availableIPv4: bigint;
  availableIPv6: bigint;
  totalIPv4: bigint;
  totalIPv6: bigint;
}

export class PoolSpace {
  readonly spaces: readonly CidrSpace[];

  constructor(readonly pool: AllocatorPool) {
    this.spaces = pool.cidrs.map((c) => new CidrSpace(c, pool.avoidBuggyIPs));
  }

  get name(): string {
    return this.pool.name;
  }

  spaceFor(ip: IPAddress): CidrSpace | undefined {
    return this.spaces.find((s) => s.owns(ip));
  }

  owns(ip: IPAddress): boolean {
    return this.spaceFor(ip) !== undefined;
  }

  counts(): PoolCounts {
    const total = { 4: 0n, 6: 0n };
    const used = { 4: 0n, 6: 0n };
    for (const s of this.spaces) {
      total[s.cidr.family] += s.capacity >= HUGE ? MAX_INT64 : s.capacity;
      used[s.cidr.family] += BigInt(s.usedCount);
    }
    const cap = (v: bigint) => (v > MAX_INT64 ? MAX_INT64 : v);
    return {
      assignedIPv4: used[4],
      assignedIPv6: used[6],
      totalIPv4: cap(total[4]),
      totalIPv6: cap(total[6]),
      availableIPv4: cap(total[4] - used[4]),
      availableIPv6: total[6] >= MAX_INT64 ? MAX_INT64 : cap(total[6] - used[6]),
    };
  }
}
