// The speaker half of sxs.bench.ts: ironlb's speakers (its own manifest, startDemoLayer2) and upstream
// MetalLB's (its release manifest, e2e/install/upstreammetallb.ts), each in a fresh world of NODES nodes and a
// control plane of its own, on the same work: the demo's backends and Service from lan-pool in Layer 2 mode.
// Figures: failover over the same kill -9 trials (bench/l2kit.ts), the distinct MACs answering the address
// after convergence and after the owner's links went down and came back, speaker RSS idle and with SERVICES
// more announced Services. BGP rows come from bench/sxsbgp.ts.
import * as fs from 'node:fs';
import type { KubeObject } from '../kube/object';
import { metallbBuild } from '../e2e/harness/kubelet/metallb';
import { waitFor } from '../e2e/harness/readiness';
import { applyManifest, METALLB_NAMESPACE } from '../e2e/install/manifest';
import {
  nodeOfMac,
  startCluster,
  waitForSpeakersReady,
  type InstalledCluster,
  type SpeakerPod,
} from '../e2e/install/cluster';
import {
  answeringMacs,
  httpUntilAnswered,
  serveDemoService,
  startDemoLayer2,
  waitForFullMembership,
} from '../e2e/install/layer2kit';
import { installUpstream, upstreamImageTable } from '../e2e/install/upstreammetallb';
import { BACKEND_PORT, DEMO_NAMESPACE } from '../e2e/demo/objects';
import { readService } from '../testkit/servicereader';
import { failoverTrials, percentile } from './l2kit';

export type SpeakerSide = 'ironlb' | 'metallb';

export interface SpeakerKnobs {
  nodes: number;
  trials: number;
  /** Extra IPv4 LoadBalancer Services for the "RSS with N Services" row (lan-pool holds 31 more). */
  services: number;
  say: (line: string) => void;
}

export interface SpeakerFigures {
  garpP50: number;
  garpP99: number;
  httpP50: number;
  httpP99: number;
  trials: number;
  macsConverged: number;
  macsAfterRejoin: number;
  rssIdleMiB: number;
  rssLoadedMiB: number;
}

interface Layer2World {
  cluster: InstalledCluster;
  ip4: string;
  /** After a node returned: waits until the speakers agree again. */
  converge: () => Promise<void>;
}

async function ironlbWorld(k: SpeakerKnobs): Promise<Layer2World> {
  const demo = await startDemoLayer2(k.nodes, k.say);
  await waitForFullMembership(demo.cluster.world, 120_000);
  return {
    cluster: demo.cluster,
    ip4: demo.ip4,
    converge: () => waitForFullMembership(demo.cluster.world, 60_000),
  };
}

/** MetalLB's memberlist has no view to read from outside; a settled period stands in for "agrees again". */
const METALLB_SETTLE_MS = 5_000;

async function metallbWorld(k: SpeakerKnobs): Promise<Layer2World> {
  const build = metallbBuild();
  const cluster = await startCluster({
    nodes: k.nodes,
    kubelet: { images: upstreamImageTable(build) },
    onStep: k.say,
  });
  try {
    const { admin, world } = cluster;
    await installUpstream(admin, build, k.nodes, k.say);
    const { ip4 } = await serveDemoService(cluster, k.nodes, k.say);
    await httpUntilAnswered(world, ip4, 30_000);
    return { cluster, ip4, converge: () => new Promise((r) => setTimeout(r, METALLB_SETTLE_MS)) };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] === undefined ? NaN : Number(m[1]) / 1024;
}

/** Median VmRSS of the speaker processes, one per node. */
async function speakerRss(cluster: InstalledCluster): Promise<number> {
  const speakers: Map<string, SpeakerPod> = await waitForSpeakersReady(
    cluster.admin,
    cluster.nodes.map((n) => n.name),
  );
  const values: number[] = [];
  for (const [node, pod] of speakers) {
    const kubelet = cluster.kubelets.find((x) => x.node.name === node);
    const pid = kubelet?.pidsOf(METALLB_NAMESPACE, pod.metadata.name)[0];
    if (pid !== undefined) values.push(rssMiB(pid));
  }
  return percentile(values, 50);
}

function extraServices(n: number): KubeObject[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `extra-${i}`, namespace: DEMO_NAMESPACE },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'demo' },
      ports: [{ name: 'http', port: BACKEND_PORT, targetPort: 'http' }],
    },
  }));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function speakerFigures(side: SpeakerSide, k: SpeakerKnobs): Promise<SpeakerFigures> {
  const w = side === 'ironlb' ? await ironlbWorld(k) : await metallbWorld(k);
  const { cluster, ip4 } = w;
  const { world } = cluster;
  try {
    await sleep(10_000);
    const rssIdleMiB = await speakerRss(cluster);
    k.say(`${side}: speaker RSS idle ${rssIdleMiB.toFixed(1)} MiB`);
    const converged = await answeringMacs(world, ip4, `ARP answers for ${ip4}`, k.say);
    const trials = await failoverTrials(cluster, ip4, { trials: k.trials, say: k.say, converge: w.converge });
    // The owner's links go down (a pulled cable: its speaker keeps running) and come back.
    const owner = nodeOfMac(world, (await answeringMacs(world, ip4, `owner of ${ip4}`, k.say))[0] ?? '');
    if (owner === undefined) throw new Error(`no node owns ${ip4}`);
    k.say(`${side}: ${owner}'s links down for 15 s`);
    await world.linkDown(owner);
    await sleep(15_000);
    await world.linkUp(owner);
    await w.converge().catch((err: unknown) => k.say(`after rejoin: ${String(err)}`));
    await sleep(5_000);
    const rejoined = await answeringMacs(world, ip4, `ARP answers for ${ip4} after ${owner} rejoined`, k.say);
    k.say(`${side}: creating ${k.services} more Services`);
    await applyManifest(cluster.admin, extraServices(k.services));
    await waitFor(
      `${k.services} more Services addressed`,
      async () => {
        for (let i = 0; i < k.services; i++)
          if ((await readService(cluster.admin, DEMO_NAMESPACE, `extra-${i}`)).ips.length === 0) return false;
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await sleep(10_000);
    const rssLoadedMiB = await speakerRss(cluster);
    k.say(`${side}: speaker RSS with the extra Services ${rssLoadedMiB.toFixed(1)} MiB`);
    const garp = trials.map((t) => t.garpMs);
    const http = trials.map((t) => t.httpMs);
    return {
      garpP50: percentile(garp, 50),
      garpP99: percentile(garp, 99),
      httpP50: percentile(http, 50),
      httpP99: percentile(http, 99),
      trials: trials.length,
      macsConverged: converged.length,
      macsAfterRejoin: rejoined.length,
      rssIdleMiB,
      rssLoadedMiB,
    };
  } finally {
    await cluster.stop();
  }
}
