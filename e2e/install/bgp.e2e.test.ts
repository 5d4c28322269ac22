// BGP end to end, from the manifest: manifests/ironlb-native.yaml in a world of three nodes, FRR on the
// world's router peering (eBGP) with every node's speaker over IPv4 (TCP MD5, the key from passwordSecret)
// and IPv6, the world's BGP pool, the demo's backends and a dual-stack LoadBalancer Service. FRR's RIB holds
// the Service's addresses with all three nodes as ECMP next hops, zebra installs the multipath route, and
// HTTP from the client (which reaches BGP pools only through the router) is answered by a backend;
// ServiceBGPStatus names both peers on every node; externalTrafficPolicy Local leaves only the node with the
// endpoint; a speaker whose Pod is deleted leaves its IPv6 route stale in FRR (graceful restart on the IPv6
// peer) until the new speaker's End-of-RIB, while its IPv4 route (no GR) is withdrawn; deleting the Service
// withdraws both prefixes. Upstream: e2etest/bgptests/bgp.go ("A service of
// protocol load balancer should work with ETP=cluster", "... ETP=local", "should be withdrawn when
// deleted"; e2etest/bgptests/graceful_restart.go "GracefulRestart, when speakers restart"). Needs root (network namespaces); fails, never skips.
import { z } from 'zod';
import { type FrrRouter, startFrr } from '../harness/routers/frr';
import { waitFor } from '../harness/readiness';
import { readService } from '../../testkit/servicereader';
import {
  applyWhenAdmitted,
  installAndWaitForSpeakers,
  startCluster,
  waitForSpeakersReady,
  type InstalledCluster,
} from './cluster';
import { httpUntilAnswered } from './layer2kit';
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

jest.setTimeout(180_000);

const NODES = 3;
const COMMUNITY = '64512:100';
const MD5_PASSWORD = 'bgp-md5-key';

let cluster: InstalledCluster | undefined;
let frr: FrrRouter | undefined;
let ip4 = '';
let ip6 = '';

function c(): InstalledCluster {
  if (cluster === undefined) throw new Error('cluster did not start (see beforeAll failure)');
  return cluster;
}
function router(): FrrRouter {
  if (frr === undefined) throw new Error('FRR did not start (see beforeAll failure)');
  return frr;
}

const say = (line: string): void => {
  process.stderr.write(`[bgp.e2e] ${line}\n`);
};

function bgpObjects(pools: readonly string[], routerV4: string, routerV6: string): Doc[] {
  const peer = (name: string, peerAddress: string, spec: Record<string, unknown> = {}): Doc => ({
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name, namespace: NS },
    spec: { myASN: CLUSTER_ASN, peerASN: ROUTER_ASN, peerAddress, holdTime: '9s', ...spec },
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'router-md5', namespace: NS },
      type: 'kubernetes.io/basic-auth',
      stringData: { password: MD5_PASSWORD },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'bgp-pool', namespace: NS },
      spec: { addresses: [...pools] },
    },
    // TCP MD5 (RFC 2385) on the IPv4 sessions, the key read from the Secret.
    peer('router-v4', routerV4, { passwordSecret: { name: 'router-md5' } }),
    // Graceful restart (RFC 4724) on the IPv6 sessions only: a restarted speaker's IPv6 route stays, stale,
    // while its IPv4 route (no GR) goes at once.
    peer('router-v6', routerV6, { enableGracefulRestart: true }),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'bgp', namespace: NS },
      spec: { ipAddressPools: ['bgp-pool'], communities: [COMMUNITY] },
    },
  ];
}

const routeJson = z.looseObject({
  paths: z
    .array(
      z.looseObject({
        nexthops: z.array(z.looseObject({ ip: z.string() })).optional(),
        community: z.looseObject({ string: z.string() }).optional(),
      }),
    )
    .optional(),
});

/** FRR's paths to `prefix`: the first next hop of each, sorted, and the communities seen. */
async function paths(
  family: 'ipv4' | 'ipv6',
  prefix: string,
): Promise<{ hops: string[]; communities: string[] }> {
  const out = routeJson.parse(JSON.parse(await router().vtysh(`show bgp ${family} unicast ${prefix} json`)));
  const list = out.paths ?? [];
  return {
    hops: list.map((p) => p.nexthops?.[0]?.ip ?? '').sort(),
    communities: list.map((p) => p.community?.string ?? ''),
  };
}

async function waitHops(
  family: 'ipv4' | 'ipv6',
  prefix: string,
  want: string[],
  timeoutMs = 60_000,
): Promise<void> {
  let last: string[] = [];
  await waitFor(
    `FRR to hold ${prefix} via ${want.join(', ') || 'nothing'}`,
    async () => {
      last = (await paths(family, prefix)).hops;
      return JSON.stringify(last) === JSON.stringify([...want].sort());
    },
    { timeoutMs, intervalMs: 250 },
  ).catch((err: unknown) => {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\nlast next hops: ${JSON.stringify(last)}`,
    );
  });
}

const statusList = z.looseObject({
  items: z.array(
    z.looseObject({
      status: z
        .looseObject({ node: z.string(), serviceName: z.string(), peers: z.array(z.string()).optional() })
        .optional(),
    }),
  ),
});

async function bgpStatuses(): Promise<{ node: string; peers: string[] }[]> {
  const list = statusList.parse(
    await c().admin.request({
      method: 'GET',
      path: `/apis/metallb.io/v1beta1/namespaces/${NS}/servicebgpstatuses`,
    }),
  );
  return list.items
    .flatMap((i) =>
      i.status?.serviceName === DEMO_SERVICE ? [{ node: i.status.node, peers: i.status.peers ?? [] }] : [],
    )
    .sort((a, b) => a.node.localeCompare(b.node));
}

const podList = z.looseObject({
  items: z.array(
    z.looseObject({
      metadata: z.looseObject({ deletionTimestamp: z.string().optional() }),
      spec: z.looseObject({ nodeName: z.string().optional() }),
      status: z
        .looseObject({
          conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
        })
        .optional(),
    }),
  ),
});

/** Nodes of the demo backends that are Ready and not terminating. */
async function backendNodes(): Promise<string[]> {
  const pods = podList.parse(
    await c().admin.request({
      method: 'GET',
      path: `/api/v1/namespaces/${DEMO_NAMESPACE}/pods`,
      query: { labelSelector: 'app=demo' },
    }),
  );
  return pods.items
    .filter(
      (p) =>
        p.metadata.deletionTimestamp === undefined &&
        (p.status?.conditions ?? []).some((cond) => cond.type === 'Ready' && cond.status === 'True'),
    )
    .map((p) => p.spec.nodeName ?? '')
    .sort();
}

const nodeV4 = (): string[] =>
  c()
    .world.nodes.map((n) => n.primary.v4)
    .sort();
const nodeV6 = (): string[] =>
  c()
    .world.nodes.map((n) => n.primary.v6)
    .sort();

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
    neighbors: world.nodes.flatMap((n) => [
      { address: n.primary.v4, asn: CLUSTER_ASN, password: MD5_PASSWORD },
      { address: n.primary.v6, asn: CLUSTER_ASN, gracefulRestart: true },
    ]),
  });
  await installAndWaitForSpeakers(cluster);
  say(`controller and speakers Ready ${Date.now() - t}ms after start`);
  await applyWhenAdmitted(admin, bgpObjects(world.plan.pools.bgp, r.v4, r.v6), (m) =>
    say(`webhook not ready: ${m}`),
  );
  await applyManifest(admin, backendObjects(NODES));
  let ips: string[] = [];
  await waitFor(
    `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE} to get an IPv4 and an IPv6 address from bgp-pool`,
    async () => {
      ips = (await readService(admin, DEMO_NAMESPACE, DEMO_SERVICE)).ips;
      return ips.some((i) => !i.includes(':')) && ips.some((i) => i.includes(':'));
    },
    { timeoutMs: 60_000 },
  );
  ip4 = ips.find((i) => !i.includes(':')) ?? '';
  ip6 = ips.find((i) => i.includes(':')) ?? '';
  await exposeServiceOnNodes(world, ips);
  say(`Service addresses ${ip4} ${ip6}`);
}, 300_000);

afterAll(async () => {
  await frr?.stop().catch(() => undefined);
  await cluster?.stop();
});

describe('BGP from the manifest', () => {
  test('every speaker establishes both sessions with the router (IPv4 with the MD5 key from the Secret)', async () => {
    await waitFor(
      'six Established sessions on the router',
      async () => {
        const peers = await router().peers();
        return peers.filter((p) => p.state === 'Established').length === NODES * 2;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  test("FRR's RIB holds the IPv4 address with all three nodes as ECMP next hops, with the community", async () => {
    const t = Date.now();
    await waitHops('ipv4', `${ip4}/32`, nodeV4());
    say(`IPv4 /32 via all nodes ${Date.now() - t}ms after the sessions were up`);
    expect((await paths('ipv4', `${ip4}/32`)).communities).toEqual([COMMUNITY, COMMUNITY, COMMUNITY]);
    await waitFor(
      'zebra to install one multipath route',
      async () => ((await router().installedBgpRoutes('ipv4')).get(`${ip4}/32`) ?? []).length === NODES,
      { timeoutMs: 15_000 },
    );
    expect([...((await router().installedBgpRoutes('ipv4')).get(`${ip4}/32`) ?? [])].sort()).toEqual(
      nodeV4(),
    );
  });

  test('the IPv6 address too, over the IPv6 sessions, with every node as next hop', async () => {
    await waitHops('ipv6', `${ip6}/128`, nodeV6());
  });

  test('HTTP from the client, routed by the router over BGP, reaches a backend on both families', async () => {
    const nodes = c().world.nodes.map((n) => n.role);
    const v4 = await httpUntilAnswered(c().world, ip4, 30_000);
    expect(nodes).toContain(v4.node);
    const v6 = await httpUntilAnswered(c().world, ip6, 30_000);
    expect(nodes).toContain(v6.node);
    say(`HTTP answered by ${v4.node} (IPv4) and ${v6.node} (IPv6)`);
  });

  test('every node has a ServiceBGPStatus naming both peers', async () => {
    const want = c()
      .world.nodes.map((n) => ({ node: n.role, peers: ['router-v4', 'router-v6'] }))
      .sort((a, b) => a.node.localeCompare(b.node));
    let last: unknown = [];
    await waitFor(
      'a ServiceBGPStatus per node',
      async () => {
        last = await bgpStatuses();
        return JSON.stringify(last) === JSON.stringify(want);
      },
      { timeoutMs: 30_000 },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast: ${JSON.stringify(last)}`);
    });
  });

  test('externalTrafficPolicy Local leaves only the node with the endpoint as next hop', async () => {
    const { admin, world } = c();
    await admin.request({
      method: 'PATCH',
      path: `/apis/apps/v1/namespaces/${DEMO_NAMESPACE}/deployments/demo`,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 1 } },
    });
    await admin.request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${DEMO_NAMESPACE}/services/${DEMO_SERVICE}`,
      contentType: 'application/merge-patch+json',
      body: { spec: { externalTrafficPolicy: 'Local' } },
    });
    let backends: string[] = [];
    await waitFor(
      'one Ready backend left',
      async () => {
        backends = await backendNodes();
        return backends.length === 1;
      },
      { timeoutMs: 60_000 },
    );
    const [only] = backends;
    const host = world.nodes.find((n) => n.role === only);
    if (host === undefined) throw new Error(`backend on unknown node ${String(only)}`);
    await waitHops('ipv4', `${ip4}/32`, [host.primary.v4]);
    await waitHops('ipv6', `${ip6}/128`, [host.primary.v6]);
    const answer = await httpUntilAnswered(world, ip4, 30_000);
    expect(answer.node).toBe(only);
    await waitFor(
      'only that node keeps a ServiceBGPStatus',
      async () => {
        const s = await bgpStatuses();
        return s.length === 1 && s[0]?.node === only;
      },
      { timeoutMs: 30_000 },
    );
  });

  test('a restarted speaker (Pod deleted, SIGTERM): FRR keeps its IPv6 route stale (graceful restart), drops the IPv4 one', async () => {
    const { admin, world } = c();
    const [only] = await backendNodes();
    const host = world.nodes.find((n) => n.role === only);
    if (only === undefined || host === undefined) throw new Error('no backend node');
    const nodes = world.nodes.map((n) => n.role);
    const pod = (await waitForSpeakersReady(admin, nodes)).get(only);
    if (pod === undefined) throw new Error(`no speaker on ${only}`);
    const stale = async (): Promise<boolean[]> => {
      const out = JSON.parse(await router().vtysh(`show bgp ipv6 unicast ${ip6}/128 json`)) as {
        paths?: { stale?: boolean }[];
      };
      return (out.paths ?? []).map((p) => p.stale === true);
    };
    await admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}` });
    // No GR on IPv4: GRACEFUL_SHUTDOWN for --bgp-shutdown-wait (1 s), then the Cease withdraws the route.
    await waitHops('ipv4', `${ip4}/32`, [], 15_000);
    // GR on IPv6: the session closed without a NOTIFICATION and FRR holds the route, stale.
    await waitFor('the IPv6 route stale', async () => JSON.stringify(await stale()) === '[true]', {
      timeoutMs: 15_000,
      intervalMs: 250,
    });
    expect((await paths('ipv6', `${ip6}/128`)).hops).toEqual([host.primary.v6]);
    await waitFor(
      `a new Ready speaker on ${only}`,
      async () =>
        (await waitForSpeakersReady(admin, nodes, 60_000)).get(only)?.metadata.name !== pod.metadata.name,
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    // The new speaker's End-of-RIB follows its routes: the IPv6 route is fresh, the IPv4 one back.
    await waitFor('the IPv6 route fresh', async () => JSON.stringify(await stale()) === '[false]', {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    await waitHops('ipv4', `${ip4}/32`, [host.primary.v4]);
  });

  test('deleting the Service withdraws both prefixes and the statuses', async () => {
    await c().admin.request({
      method: 'DELETE',
      path: `/api/v1/namespaces/${DEMO_NAMESPACE}/services/${DEMO_SERVICE}`,
    });
    await waitHops('ipv4', `${ip4}/32`, [], 30_000);
    await waitHops('ipv6', `${ip6}/128`, [], 30_000);
    await waitFor('no ServiceBGPStatus left', async () => (await bgpStatuses()).length === 0, {
      timeoutMs: 30_000,
    });
  });
});
