// BGP with BFD end to end, from the manifest: manifests/ironlb-native.yaml in a world of two nodes, FRR
// bgpd + bfdd on the world's router with `neighbor X bfd profile` (100 ms x 3) for each node, and a BGPPeer
// naming a BFDProfile of the same timers with a 9 s hold time. BFD comes Up in FRR's `show bfd peers` for
// both speakers and FRR holds the Service's address via both nodes. When node1's speaker is frozen (SIGSTOP:
// its TCP session stays alive in the kernel, so only BFD can tell) or node1 drops off the network, FRR's BFD
// goes Down within the detection time and bgpd drops node1's session and path long before the hold timer,
// while node2's path stays; all of it comes back afterwards. Upstream: e2etest/bgptests/bfd.go ("BFD should
// work with the given bfd profile"). Needs root (network namespaces); fails, never skips.
import { type FrrRouter, startFrr } from '../harness/routers/frr';
import type { FrrBfdPeer } from '../harness/routers/frrbfd';
import { momentOf, waitFor } from '../harness/readiness';
import { readService } from '../../testkit/servicereader';
import {
  applyWhenAdmitted,
  installAndWaitForSpeakers,
  startCluster,
  waitForSpeakersReady,
  type InstalledCluster,
} from './cluster';
import { applyManifest, METALLB_NAMESPACE as NS } from './manifest';
import {
  backendObjects,
  CLUSTER_ASN,
  DEMO_NAMESPACE,
  DEMO_SERVICE,
  exposeServiceOnNodes,
  ROUTER_ASN,
  type Doc,
} from '../demo/objects';

jest.setTimeout(120_000);

const NODES = 2;
const HOLD_TIME_S = 9;
const BFD = { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 };
const DETECTION_MS = BFD.receiveInterval * BFD.detectMultiplier;

let cluster: InstalledCluster | undefined;
let frr: FrrRouter | undefined;
let prefix = '';

function c(): InstalledCluster {
  if (cluster === undefined) throw new Error('cluster did not start (see beforeAll failure)');
  return cluster;
}
function router(): FrrRouter {
  if (frr === undefined) throw new Error('FRR did not start (see beforeAll failure)');
  return frr;
}

const say = (line: string): void => {
  process.stderr.write(`[bgpbfd.e2e] ${line}\n`);
};

function bfdObjects(pools: readonly string[], routerV4: string): Doc[] {
  return [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BFDProfile',
      metadata: { name: 'fast', namespace: NS },
      spec: BFD,
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'bgp-pool', namespace: NS },
      spec: { addresses: [...pools] },
    },
    {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'router', namespace: NS },
      spec: {
        myASN: CLUSTER_ASN,
        peerASN: ROUTER_ASN,
        peerAddress: routerV4,
        holdTime: `${HOLD_TIME_S}s`,
        bfdProfile: 'fast',
      },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'bgp', namespace: NS },
      spec: { ipAddressPools: ['bgp-pool'] },
    },
  ];
}

const nodeAddress = (role: string): string => c().world.host(role).primary.v4;

async function bfdPeer(role: string): Promise<FrrBfdPeer | undefined> {
  return (await router().bfdPeers()).find((p) => p.peer === nodeAddress(role));
}

/** FRR's next hops for the Service's address, sorted. */
async function hops(): Promise<string[]> {
  const paths = (await router().routes('ipv4')).get(prefix) ?? [];
  return paths.flatMap((p) => p.nexthops.slice(0, 1)).sort();
}

const allHops = (): string[] =>
  c()
    .world.nodes.map((n) => n.primary.v4)
    .sort();

async function waitAllUp(timeoutMs: number): Promise<void> {
  let last = '';
  await waitFor(
    'BFD Up with every speaker and the address via every node',
    async () => {
      const peers = await Promise.all(c().world.nodes.map((n) => bfdPeer(n.role)));
      const h = await hops();
      last = JSON.stringify({ bfd: peers.map((p) => p?.status), hops: h });
      return peers.every((p) => p?.status === 'up') && JSON.stringify(h) === JSON.stringify(allHops());
    },
    { timeoutMs, intervalMs: 100, maxIntervalMs: 250 },
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast: ${last}`);
  });
}

/** From `cut`: FRR's BFD with node1 Down, then node1's path gone with node2's left. */
async function expectNode1Dropped(what: string, cut: number): Promise<void> {
  const down = await momentOf(
    'FRR BFD Down with node1',
    async () => (await bfdPeer('node1'))?.status !== 'up',
    5_000,
  );
  const other = c().world.host('node2').primary.v4;
  const gone = await momentOf(
    "node1's path withdrawn",
    async () => JSON.stringify(await hops()) === JSON.stringify([other]),
    5_000,
  );
  say(
    `${what}: FRR BFD Down after ${down - cut} ms, node1's path withdrawn after ${gone - cut} ms (hold time ${HOLD_TIME_S} s)`,
  );
  // The detection time after the last packet (sent at most one interval before), vtysh polling (~30 ms a
  // call, 100-300 ms on a loaded machine) and scheduling; far below the 9 s hold timer either way.
  expect(down - cut).toBeLessThan(DETECTION_MS + 900);
  expect(gone - cut).toBeLessThan(2_500);
  expect((await bfdPeer('node2'))?.status).toBe('up');
}

beforeAll(async () => {
  const t = Date.now();
  cluster = await startCluster({ nodes: NODES, onStep: say });
  const { admin, world } = cluster;
  const r = world.router.primary;
  frr = await startFrr(world, 'router', {
    hostname: 'router',
    asn: ROUTER_ASN,
    routerId: r.v4,
    connectRetry: 1,
    neighbors: world.nodes.map((n) => ({
      address: n.primary.v4,
      asn: CLUSTER_ASN,
      holdTime: HOLD_TIME_S,
      bfd: BFD,
    })),
  });
  await installAndWaitForSpeakers(cluster);
  say(`controller and speakers Ready ${Date.now() - t}ms after start`);
  // Both families, as the demo's dual-stack Service asks for both; only the IPv4 peer is configured.
  await applyWhenAdmitted(admin, bfdObjects(world.plan.pools.bgp, r.v4), (m) =>
    say(`webhook not ready: ${m}`),
  );
  await applyManifest(admin, backendObjects(NODES));
  let ips: string[] = [];
  await waitFor(
    `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE} to get an IPv4 address from bgp-pool`,
    async () => {
      ips = (await readService(admin, DEMO_NAMESPACE, DEMO_SERVICE)).ips;
      return ips.some((i) => !i.includes(':'));
    },
    { timeoutMs: 60_000 },
  );
  const ip4 = ips.find((i) => !i.includes(':')) ?? '';
  prefix = `${ip4}/32`;
  await exposeServiceOnNodes(world, [ip4]);
  say(`Service address ${ip4}`);
}, 240_000);

afterAll(async () => {
  await frr?.stop().catch(() => undefined);
  await cluster?.stop();
});

test("BFD comes Up in FRR with every speaker at the profile's 100 ms x 3, and FRR holds the address via both nodes", async () => {
  await waitAllUp(60_000);
  for (const n of c().world.nodes) {
    expect(await bfdPeer(n.role)).toMatchObject({
      isMultihop: false,
      remoteReceiveInterval: 100,
      remoteTransmitInterval: 100,
      remoteDetectMultiplier: 3,
    });
  }
});

test("a frozen speaker (SIGSTOP, its TCP session alive): FRR's BFD drops it within the detection time, long before the hold timer; all back after SIGCONT", async () => {
  const { admin, kubelets } = c();
  const pod = (
    await waitForSpeakersReady(
      admin,
      c().world.nodes.map((n) => n.role),
    )
  ).get('node1');
  const kubelet = kubelets.find((k) => k.node.name === 'node1');
  if (pod === undefined || kubelet === undefined) throw new Error('no speaker on node1');
  const pids = kubelet.pidsOf(NS, pod.metadata.name);
  expect(pids.length).toBeGreaterThan(0);
  const cut = Date.now();
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    await expectNode1Dropped('speaker frozen', cut);
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  }
  const back = Date.now();
  await waitAllUp(30_000);
  say(`BFD and node1's path back ${Date.now() - back} ms after SIGCONT`);
});

test("node1 drops off the network: FRR's BFD drops its session within the detection time; all back with the link", async () => {
  const { world } = c();
  const cut = Date.now();
  await world.linkDown('node1');
  await expectNode1Dropped('link cut', cut);
  expect((await bfdPeer('node1'))?.diagnostic).toBe('control detection time expired');
  const back = Date.now();
  await world.linkUp('node1');
  await waitAllUp(60_000);
  say(`BFD and node1's path back ${Date.now() - back} ms after the link`);
});
