// Which addresses of one CIDR are in use, and which is the lowest free one, in O(log n) amortised: MetalLB
// walks the CIDR from its first address on every allocation (about 2x10^9 checks to fill a /16); a /64 could
// never be walked at all.
//
// Invariant: every free address below `cursor` is in `released` (possibly with stale entries, dropped when
// they surface). Addresses at or above the cursor are free unless they are in `used` (explicit requests can
// take addresses ahead of the cursor). Nothing is ever enumerated beyond what has been handed out.
import { Cidr, cidrContains, cidrLast, cidrSize } from '../../addr/cidr';
import { IPAddress } from '../../addr/ip';
import { BigIntMinHeap } from './minheap';

/** IPv4 addresses ending in .0 or .255, which some old firmware mistakes for network or broadcast addresses. */
export function isBuggyIP(ip: IPAddress): boolean {
  if (ip.family !== 4) return false;
  const last = ip.value & 0xffn;
  return last === 0n || last === 0xffn;
}

/** How many addresses of a CIDR avoidBuggyIPs removes (MetalLB's poolCount). */
export function buggyCount(cidr: Cidr): bigint {
  if (cidr.family !== 4) return 0n;
  if (cidr.prefix <= 24) return (cidrSize(cidr) / 256n) * 2n;
  let count = 0n;
  if ((cidr.base & 0xffn) === 0n) count++;
  if ((cidrLast(cidr).value & 0xffn) === 0xffn) count++;
  return count;
}

export class CidrSpace {
  readonly capacity: bigint;
  private readonly last: bigint;
  private cursor: bigint;
  private readonly released = new BigIntMinHeap();
  private readonly used = new Set<bigint>();

  constructor(
    readonly cidr: Cidr,
    readonly avoidBuggyIPs: boolean,
  ) {
    this.cursor = cidr.base;
    this.last = cidrLast(cidr).value;
    this.capacity = cidrSize(cidr) - (avoidBuggyIPs ? buggyCount(cidr) : 0n);
  }

  get usedCount(): number {
    return this.used.size;
  }

  /** Whether the address belongs to this space: inside the CIDR and not excluded as buggy. */
  owns(ip: IPAddress): boolean {
    return cidrContains(this.cidr, ip) && !(this.avoidBuggyIPs && isBuggyIP(ip));
  }

  /** Marks an owned address used; returns false if it already was. */
  take(value: bigint): boolean {
    if (this.used.has(value)) return false;
    this.used.add(value);
    return true;
  }

  release(value: bigint): void {
    if (!this.used.delete(value)) return;
    if (value < this.cursor) this.released.push(value);
  }

  /** The lowest free address, or undefined when the space is full. Does not take it. */
  lowestFree(): bigint | undefined {
    for (let top = this.released.peek(); top !== undefined; top = this.released.peek()) {
      if (!this.used.has(top)) return top;
      this.released.pop(); // stale: re-used after it was released
    }
    while (this.cursor <= this.last && (this.used.has(this.cursor) || this.isSkipped(this.cursor)))
      this.cursor++;
    return this.cursor <= this.last ? this.cursor : undefined;
  }

  private isSkipped(value: bigint): boolean {
    return this.avoidBuggyIPs && isBuggyIP({ family: this.cidr.family, value });
  }
}
