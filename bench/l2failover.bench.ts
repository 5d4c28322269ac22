// Layer 2 failover as a client sees it, in the harness's world: the demo's dual-stack Service (ironlb from the
// manifest, speakers from the DaemonSet), then repeated trials of: find the owner (the MAC answering the
// client's ARP requests), kill its node (kill -9 of its pods, its kubelet and heartbeats stopped: a crash), and
// time from the kill to (1) the first gratuitous ARP from another node seen at the client and (2) the client's
// first successful HTTP request (a client opening a new connection every 20 ms, each given 1 s, so the
// outage's end is not hidden behind a try in flight); then the node returns and everything re-converges before
// the next trial. Also membership traffic on the wire per speaker (UDP on --ml-bindport, sent and received,
// captured in one node's namespace over 10 s) at each world size. Prints p50/p99 per size; asserts nothing.
//
// Knobs: IRONLB_BENCH_SIZES (node counts for failover, default "3,20"), IRONLB_BENCH_PPS_SIZES (default
// "3,10,20"; sizes also in the failover list reuse that world), IRONLB_BENCH_TRIALS (20). Runs as root. The
// speakers run compiled when dist/ exists (`npm run build:release`; remove dist/ afterwards), else under ts-node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCapture } from '../e2e/harness/net';
import { REPO_ROOT } from '../e2e/harness/paths';
import { type InstalledCluster } from '../e2e/install/cluster';
import { startDemoLayer2, waitForFullMembership } from '../e2e/install/layer2kit';
import { failoverTrials, percentile } from './l2kit';

const TRIALS = Number(process.env['IRONLB_BENCH_TRIALS'] ?? 20);
const sizesOf = (v: string | undefined, d: string): number[] =>
  (v ?? d)
    .split(',')
    .map(Number)
    .filter((n) => n > 1);
const FAILOVER_SIZES = sizesOf(process.env['IRONLB_BENCH_SIZES'], '3,20');
const PPS_SIZES = sizesOf(process.env['IRONLB_BENCH_PPS_SIZES'], '3,10,20');
const MEMBERSHIP_PORT = 7946;

const say = (line: string): void => {
  process.stderr.write(`[l2failover.bench] ${line}\n`);
};

/** Membership packets each speaker sends and receives per second, on the wire, seen from the first node. */
async function membershipRate(cluster: InstalledCluster): Promise<{ sent: number; received: number }> {
  const { world } = cluster;
  const first = world.nodes[0];
  if (first === undefined) throw new Error('no nodes');
  const capture = await startCapture(world, `udp port ${MEMBERSHIP_PORT}`, { role: first.role });
  const windowMs = 10_000;
  await new Promise((r) => setTimeout(r, windowMs));
  await capture.stop();
  const packets = capture.packets();
  const own = first.primary.v4;
  const sent = packets.filter((p) => p.summary.startsWith(`${own}.`)).length;
  const received = packets.length - sent;
  return { sent: sent / (windowMs / 1000), received: received / (windowMs / 1000) };
}

async function main(): Promise<void> {
  const compiled = fs.existsSync(path.join(REPO_ROOT, 'dist', 'speaker', 'main.js'));
  const sizes = [...new Set([...FAILOVER_SIZES, ...PPS_SIZES])].sort((a, b) => a - b);
  const rows: string[] = [];
  const ppsRows: string[] = [];
  const header = `Layer 2 failover, kill of the owner's node to the client (speakers ${compiled ? 'compiled' : 'under ts-node'})`;
  for (const n of sizes) {
    const t = Date.now();
    const demo = await startDemoLayer2(n, say);
    try {
      say(`${n} nodes up in ${Math.round((Date.now() - t) / 1000)} s`);
      await waitForFullMembership(demo.cluster.world, 120_000);
      if (PPS_SIZES.includes(n)) {
        const rate = await membershipRate(demo.cluster);
        ppsRows.push(
          `${String(n).padStart(5)} | ${rate.sent.toFixed(1).padStart(11)} | ${rate.received.toFixed(1).padStart(15)}`,
        );
        say(`membership on the wire at ${n} nodes: ${ppsRows.at(-1) ?? ''}`);
      }
      if (FAILOVER_SIZES.includes(n)) {
        const trials = await failoverTrials(demo.cluster, demo.ip4, {
          trials: TRIALS,
          say,
          converge: () => waitForFullMembership(demo.cluster.world, 60_000),
        });
        const garp = trials.map((x) => x.garpMs);
        const http = trials.map((x) => x.httpMs);
        rows.push(
          `${String(n).padStart(5)} | ${String(trials.length).padStart(6)} | ${String(percentile(garp, 50)).padStart(8)} | ${String(percentile(garp, 99)).padStart(8)} | ${String(percentile(http, 50)).padStart(8)} | ${String(percentile(http, 99)).padStart(8)}`,
        );
        say(`failover at ${n} nodes: ${rows.at(-1) ?? ''}`);
      }
    } finally {
      await demo.cluster.stop();
    }
  }
  console.log(header);
  console.log('nodes | trials | GARP p50 | GARP p99 | HTTP p50 | HTTP p99   (ms after the kill)');
  for (const r of rows) console.log(r);
  console.log('membership packets per second for one speaker, on the wire');
  console.log('nodes | sent per s | received per s');
  for (const r of ppsRows) console.log(r);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
