// Layer 2 failover trials as a client sees them, shared by l2failover.bench.ts and sxs.bench.ts (ironlb's and
// upstream MetalLB's speakers over the same kill -9 trials): find the owner (the MAC answering the client's
// ARP requests), kill its node, time the first gratuitous ARP from another node and the client's first HTTP
// answer, let the node return and everything re-converge before the next trial.
import { killNode } from '../e2e/harness/nodefailure';
import { arpOf, startCapture, startHttpProber, type Capture } from '../e2e/harness/net';
import { waitFor } from '../e2e/harness/readiness';
import { nodeOfMac, waitForSpeakersReady, type InstalledCluster } from '../e2e/install/cluster';
import { arpReplies } from '../e2e/install/layer2kit';
import { BACKEND_PORT } from '../e2e/demo/objects';

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

/** The MAC answering the client now (three replies in a row from one MAC), from a running capture. */
export async function answerer(capture: Capture, ip: string, timeoutMs = 60_000): Promise<string> {
  const since = Date.now();
  let mac = '';
  await waitFor(
    `one MAC answering ${ip}`,
    async () => {
      const last = arpReplies(capture, ip, since).slice(-3);
      mac = last.length === 3 && new Set(last.map((r) => r.mac)).size === 1 ? (last[0]?.mac ?? '') : '';
      return mac !== '';
    },
    { timeoutMs, intervalMs: 100 },
  );
  return mac;
}

export interface Trial {
  owner: string;
  successor: string;
  garpMs: number;
  httpMs: number;
}

export interface TrialOptions {
  trials: number;
  say: (line: string) => void;
  /** After the node returned and its speaker is Ready: waits until the speakers agree again (or throws). */
  converge: () => Promise<void>;
}

export async function failoverTrials(
  cluster: InstalledCluster,
  ip4: string,
  { trials: TRIALS, say, converge }: TrialOptions,
): Promise<Trial[]> {
  const { world } = cluster;
  const nodes = world.nodes.map((n) => n.role);
  const trials: Trial[] = [];
  let unconverged = 0;
  const capture = await startCapture(world, 'arp');
  const pinger = await world.spawnIn('client', `bench-arping-${nodes.length}`, [
    'arping',
    '-i',
    'eth0',
    '-W',
    '0.2',
    '-c',
    '1000000',
    '-w',
    '100000',
    ip4,
  ]);
  // The client sends continuously: a new connection every 20 ms, each with 1 s to complete.
  const prober = await startHttpProber(world, 'client', `bench-http-${nodes.length}`, {
    ip: ip4,
    port: BACKEND_PORT,
    intervalMs: 20,
    timeoutMs: 1000,
  });
  try {
    for (let t = 1; t <= TRIALS; t++) {
      const ownerMac = await answerer(capture, ip4);
      const owner = nodeOfMac(world, ownerMac) ?? ownerMac;
      const i = cluster.nodes.findIndex((n) => n.name === owner);
      const node = cluster.nodes[i];
      const kubelet = cluster.kubelets[i];
      if (node === undefined || kubelet === undefined) throw new Error(`no node ${owner}`);
      const t0 = Date.now();
      const dead = await killNode({ node, kubelet, world });
      const answered = await prober.firstSuccessSince(t0, 30_000, (r) => r.detail !== owner);
      const tHttp = answered.endMs;
      const garp = await capture.waitFor(`a gratuitous ARP for ${ip4} from another node`, (p) => {
        const a = arpOf(p);
        return (
          a?.op === 'request' &&
          a.sender === ip4 &&
          a.target === ip4 &&
          p.srcMac !== ownerMac &&
          p.time * 1000 >= t0
        );
      });
      const trial = {
        owner,
        successor: nodeOfMac(world, garp.srcMac) ?? garp.srcMac,
        garpMs: Math.round(garp.time * 1000 - t0),
        httpMs: tHttp - t0,
      };
      trials.push(trial);
      say(
        `${nodes.length} nodes, trial ${t}: ${trial.owner} -> ${trial.successor}: gratuitous ARP ${trial.garpMs}ms, HTTP ${trial.httpMs}ms`,
      );
      await dead.returns();
      await waitForSpeakersReady(cluster.admin, nodes);
      // Reported, not fatal: the figure is the client's, and a view that does not converge is itself a finding.
      await converge().catch((err: unknown) => {
        unconverged += 1;
        say(`trial ${t}: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  } finally {
    await prober.stop();
    await pinger.stop();
    await capture.stop();
  }
  if (unconverged > 0)
    say(`${nodes.length} nodes: membership had not converged 60 s after ${unconverged} returns`);
  return trials;
}
