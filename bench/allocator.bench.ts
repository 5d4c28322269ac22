// Allocation cost as a pool fills up: ironlb's Allocator (lowest free address from a per-CIDR index)
// against a naive allocator that walks the CIDR from its first address for every allocation, as upstream's
// getIPFromCIDR does. Prints figures only; nothing is asserted, timings depend on the machine.
//
// Run: make bench   (ts-node, transpile only)
import { performance } from 'node:perf_hooks';
import { Cidr, cidrFirst, cidrSize } from '../addr/cidr';
import { IPAddress, formatIP } from '../addr/ip';
import { Allocator } from '../controller/allocator/allocator';
import { cidrsOf, pool, svc } from '../testkit/allocatorfixtures';
import { FamilyRequest } from '../controller/allocator/types';

const MARKS = [0.1, 0.5, 0.9, 0.99];
/** Allocations timed around each mark. */
const WINDOW = 500;
const NAIVE_WINDOW = 20;

/** Upstream's shape: one pass over the CIDR per allocation, keyed by the address text. */
class NaiveAllocator {
  readonly used = new Set<string>();
  constructor(private readonly cidr: Cidr) {}

  allocate(): IPAddress | undefined {
    const first = cidrFirst(this.cidr);
    const size = cidrSize(this.cidr);
    for (let i = 0n; i < size; i++) {
      const ip: IPAddress = { family: first.family, value: first.value + i };
      const key = formatIP(ip);
      if (!this.used.has(key)) {
        this.used.add(key);
        return ip;
      }
    }
    return undefined;
  }
}

interface Row {
  mark: number;
  ironlbUs: number;
  naiveUs: number;
}

function fmt(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(2)} µs`;
}

function benchFamily(label: string, entry: string, families: FamilyRequest): void {
  const [cidr] = cidrsOf(entry);
  if (!cidr) throw new Error(`bad CIDR ${entry}`);
  const total = Number(cidrSize(cidr));
  const alloc = new Allocator();
  alloc.setPools([pool('bench', [entry])]);

  // Fill through the Allocator, timing a window of allocations just after each mark.
  const windows = MARKS.map((m) => Math.floor(total * m));
  const ironlb = new Map<number, number>();
  const started = performance.now();
  let windowStart = 0;
  for (let i = 0; i < total; i++) {
    const markIndex = windows.findIndex((w) => i === w);
    if (markIndex >= 0) windowStart = performance.now();
    const result = alloc.allocate(svc(`bench/svc-${i}`), families);
    if (!result.ok) throw new Error(`allocation ${i} failed: ${result.error.message}`);
    for (const [k, w] of windows.entries()) {
      if (i === w + WINDOW - 1) ironlb.set(k, ((performance.now() - windowStart) * 1000) / WINDOW);
    }
  }
  const totalMs = performance.now() - started;
  const overflow = alloc.allocate(svc('bench/one-too-many'), families);
  if (overflow.ok) throw new Error('a full pool handed out another address');

  // The naive allocator at the same fill levels: pre-fill its set, then time a few allocations.
  const rows: Row[] = MARKS.map((mark, k) => {
    const naive = new NaiveAllocator(cidr);
    const first = cidrFirst(cidr);
    const fill = windows[k] ?? 0;
    for (let i = 0; i < fill; i++)
      naive.used.add(formatIP({ family: first.family, value: first.value + BigInt(i) }));
    const t0 = performance.now();
    for (let i = 0; i < NAIVE_WINDOW; i++) naive.allocate();
    const naiveUs = ((performance.now() - t0) * 1000) / NAIVE_WINDOW;
    return { mark, ironlbUs: ironlb.get(k) ?? NaN, naiveUs };
  });

  console.log(`\n${label}: ${entry}, ${total} addresses, one Service per address`);
  console.log('  fill   ironlb/alloc   naive/alloc   naive ÷ ironlb');
  for (const r of rows) {
    const pct = `${Math.round(r.mark * 100)}%`.padStart(4);
    console.log(
      `  ${pct}   ${fmt(r.ironlbUs).padStart(12)}   ${fmt(r.naiveUs).padStart(11)}   ${(r.naiveUs / r.ironlbUs).toFixed(0).padStart(10)}x`,
    );
  }
  // The naive total is the sum over every fill level; its per-allocation cost grows linearly, so the
  // trapezoid over the measured points is a fair estimate without spending minutes running it.
  const naiveTotalMs = estimateNaiveTotalMs(rows, total);
  console.log(
    `  total: ironlb ${totalMs.toFixed(0)} ms (${fmt((totalMs * 1000) / total)}/alloc); naive ≈ ${(naiveTotalMs / 1000).toFixed(1)} s (estimated)`,
  );
}

function estimateNaiveTotalMs(rows: readonly Row[], total: number): number {
  const points = [
    { mark: 0, us: rows[0]?.naiveUs ?? 0 },
    ...rows.map((r) => ({ mark: r.mark, us: r.naiveUs })),
  ];
  const last = rows[rows.length - 1];
  points.push({ mark: 1, us: last?.naiveUs ?? 0 });
  let us = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (!a || !b) continue;
    us += ((a.us + b.us) / 2) * (b.mark - a.mark) * total;
  }
  return us / 1000;
}

benchFamily('IPv4 /16', '10.0.0.0/16', { families: [4], policy: 'SingleStack' });
benchFamily('IPv6 /112', 'fd00::/112', { families: [6], policy: 'SingleStack' });
