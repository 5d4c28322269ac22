// Speaker membership over real UDP on 127.0.0.1: how fast a dead speaker is detected, and what liveness
// costs each speaker as the cluster grows. Every member runs the shipped Membership (speaker/membership) with
// its own socket; "kill -9" is an abrupt close of one member's socket and timers, so the others only learn
// of it by silence. Prints figures, asserts nothing (bench/README.md).
//
// Detection here is membership only (the first survivor that stops counting the dead speaker alive); the
// whole failover to the client (gratuitous ARP, first successful request) adds the announcer's reaction and
// is measured in the harness's world by the e2e tests.
import * as crypto from 'node:crypto';
import { Membership } from '../speaker/membership/membership';

const KEY = crypto.randomBytes(32);
const TRIALS = Number(process.env['IRONLB_BENCH_TRIALS'] ?? 20);
const SIZES = [3, 10, 20];
const COST_WINDOW_MS = 3_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(2);
  }
  return check();
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

interface Cluster {
  readonly names: string[];
  readonly members: Membership[];
}

async function startCluster(n: number, trial: number): Promise<Cluster> {
  const names = Array.from({ length: n }, (_, i) => `node-${i}`);
  const members = names.map(
    (self, i) =>
      new Membership({
        self,
        bindAddress: '127.0.0.1',
        bindPort: 0,
        secretKey: KEY,
        incarnation: trial * 1000 + i + 1,
      }),
  );
  const ports = await Promise.all(members.map((m) => m.bind()));
  const speakers = names.map((name, i) => ({ name, address: '127.0.0.1', port: ports[i] ?? 0 }));
  await Promise.all(members.map((m) => m.start(speakers)));
  const all = [...names].sort().join(',');
  const converged = await until(
    () => members.every((m) => m.state() === 'active' && [...m.aliveSpeakers()].sort().join(',') === all),
    10_000,
  );
  if (!converged) throw new Error(`${n} members did not converge within 10 s`);
  return { names, members };
}

async function detection(n: number): Promise<number[]> {
  const figures: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const { names, members } = await startCluster(n, trial);
    await sleep(300 + Math.random() * 200);
    const victim = trial % n;
    const victimName = names[victim] ?? '';
    const survivors = members.filter((_, i) => i !== victim);
    const killedAt = performance.now();
    members[victim]?.close();
    const seen = await until(() => survivors.some((m) => !m.aliveSpeakers().has(victimName)), 5_000);
    figures.push(seen ? performance.now() - killedAt : Number.POSITIVE_INFINITY);
    // Every survivor agrees before the next trial, so a slow straggler would show up as a timeout.
    await until(() => survivors.every((m) => !m.aliveSpeakers().has(victimName)), 5_000);
    for (const m of survivors) m.close();
  }
  return figures.sort((a, b) => a - b);
}

async function cost(n: number): Promise<{ sentPerSec: number; receivedPerSec: number }> {
  const { members } = await startCluster(n, 999);
  await sleep(500);
  const before = members.map((m) => m.metrics());
  await sleep(COST_WINDOW_MS);
  const after = members.map((m) => m.metrics());
  for (const m of members) m.close();
  const perMember = (pick: (x: { packetsSent: number; packetsReceived: number }) => number) =>
    Math.max(...after.map((a, i) => (pick(a) - pick(before[i] ?? a)) / (COST_WINDOW_MS / 1000)));
  return { sentPerSec: perMember((x) => x.packetsSent), receivedPerSec: perMember((x) => x.packetsReceived) };
}

async function main(): Promise<void> {
  console.log(`speaker membership over UDP on 127.0.0.1, ${TRIALS} kill trials per size`);
  console.log(
    'members | detection p50 ms | p99 ms | max ms | packets sent/s per member | received/s per member',
  );
  for (const n of SIZES) {
    const d = await detection(n);
    const c = await cost(n);
    console.log(
      `${String(n).padStart(7)} | ${quantile(d, 0.5).toFixed(0).padStart(16)} | ${quantile(d, 0.99).toFixed(0).padStart(6)} | ${(d[d.length - 1] ?? NaN).toFixed(0).padStart(6)} | ${c.sentPerSec.toFixed(1).padStart(25)} | ${c.receivedPerSec.toFixed(1).padStart(21)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
