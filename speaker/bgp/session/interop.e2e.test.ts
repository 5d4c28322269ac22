// The session layer against real routers in the e2e world: one session host (testdata/sessionhost.ts) per
// node namespace, FRR on the router, a second FRR on the far segment for multihop, and a hostile peer on the
// client. Proves sessions Established from every node, ECMP over every node for IPv4 (iBGP) and IPv6 (eBGP),
// LOCAL_PREF, communities and large communities in FRR's RIB, withdrawal, TCP MD5 (a wrong password never
// establishes; the right one does, without disturbing the other sessions), eBGP multihop with TTL 255 to a
// 4-octet AS, and that a hostile peer gets the right NOTIFICATION while the other sessions stay up. Needs root.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createWorld, nodeExecutable, type World } from '../../../e2e/harness/net';
import { waitFor } from '../../../e2e/harness/readiness';
import { type FrrRouter, startFrr } from '../../../e2e/harness/routers/frr';
import type { SessionStats } from './session';

jest.setTimeout(120_000);

const ROUTER_AS = 64512;
const NODE_EBGP_AS = 64513;
const FAR_AS = 4200000000;
const HOSTILE_AS = 64666;
const VIP4 = '198.51.100.10/32';
const VIP6 = '2001:db8:5::10/128';
const NODES = ['node1', 'node2', 'node3'];
const COMMUNITY = 64512 * 65536 + 100; // 64512:100

let world: World | undefined;
let frr: FrrRouter | undefined;
let far: FrrRouter | undefined;
const dirs = new Map<string, string>();

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

interface HostConfig {
  localAs: number;
  routerId: string;
  peers: Record<string, unknown>[];
  routes: Record<string, unknown>[];
}

const ROUTES = [
  {
    prefix: VIP4,
    localPref: 150,
    communities: [COMMUNITY],
    largeCommunities: [{ global: 64512, local1: 7, local2: 9 }],
  },
  { prefix: VIP6, communities: [COMMUNITY] },
];

function configFor(w: World, node: string, password: string | undefined, routes = ROUTES): HostConfig {
  const me = w.host(node).primary;
  const router = w.router.primary;
  const peers: Record<string, unknown>[] = [
    {
      name: 'router-v4',
      peerAddress: router.v4,
      peerAs: ROUTER_AS,
      family: 'ipv4',
      holdTime: 9,
      ...(password !== undefined ? { password } : {}),
    },
    {
      name: 'router-v6',
      peerAddress: router.v6,
      peerAs: ROUTER_AS,
      localAs: NODE_EBGP_AS,
      family: 'ipv6',
      holdTime: 9,
    },
  ];
  if (node === 'node1') {
    peers.push({
      name: 'far',
      peerAddress: need(w.farRouter, 'far router').primary.v4,
      peerAs: FAR_AS,
      family: 'ipv4',
      ttl: 255,
      sourceAddress: me.v4,
    });
    peers.push({ name: 'hostile', peerAddress: w.client.primary.v4, peerAs: HOSTILE_AS, family: 'ipv4' });
  }
  return { localAs: ROUTER_AS, routerId: me.v4, peers, routes };
}

function writeConfig(node: string, c: HostConfig): void {
  const dir = dirs.get(node) ?? '';
  fs.writeFileSync(path.join(dir, 'config.json.tmp'), JSON.stringify(c));
  fs.renameSync(path.join(dir, 'config.json.tmp'), path.join(dir, 'config.json'));
}

function status(node: string): Record<string, SessionStats> {
  try {
    return JSON.parse(fs.readFileSync(path.join(dirs.get(node) ?? '', 'status.json'), 'utf8')) as Record<
      string,
      SessionStats
    >;
  } catch {
    return {};
  }
}

interface FrrNeighbor {
  bgpState?: string;
  connectionsEstablished?: number;
}

async function neighbor(router: FrrRouter, address: string): Promise<FrrNeighbor> {
  const all = JSON.parse(await router.vtysh(`show bgp neighbors ${address} json`)) as Record<
    string,
    FrrNeighbor
  >;
  return all[address] ?? {};
}

async function routeJson(
  router: FrrRouter,
  family: 'ipv4' | 'ipv6',
  prefix: string,
): Promise<{ paths?: Record<string, unknown>[] }> {
  return JSON.parse(await router.vtysh(`show bgp ${family} unicast ${prefix} json`)) as {
    paths?: Record<string, unknown>[];
  };
}

/** Waits for `count` paths to `prefix` in FRR's table; returns them, and the first next hop of each, sorted. */
async function waitPaths(
  router: FrrRouter,
  family: 'ipv4' | 'ipv6',
  prefix: string,
  count: number,
): Promise<{ paths: Record<string, unknown>[]; hops: string[] }> {
  await waitFor(
    `${count} paths to ${prefix}`,
    async () => ((await routeJson(router, family, prefix)).paths ?? []).length === count,
    { timeoutMs: 30_000 },
  );
  const paths = (await routeJson(router, family, prefix)).paths ?? [];
  const hops = paths.map((p) => ((p.nexthops as { ip: string }[] | undefined) ?? [])[0]?.ip ?? '').sort();
  return { paths, hops };
}

const hostileLog = (): string => path.join(dirs.get('client') ?? '', 'hostile.jsonl');

beforeAll(async () => {
  world = await createWorld({ nodes: 3, multihop: true });
  const w = world;
  const router = w.router.primary;
  const nodeHosts = NODES.map((n) => w.host(n).primary);
  [frr, far] = await Promise.all([
    startFrr(w, 'router', {
      hostname: 'router',
      asn: ROUTER_AS,
      routerId: router.v4,
      connectRetry: 1,
      neighbors: [
        ...nodeHosts.map((h, i) => ({
          address: h.v4,
          asn: ROUTER_AS,
          ...(i === 1 ? { password: 'md5-secret' } : {}),
        })),
        ...nodeHosts.map((h) => ({ address: h.v6, asn: NODE_EBGP_AS })),
      ],
    }),
    startFrr(
      w,
      'farrouter',
      {
        hostname: 'far',
        asn: FAR_AS,
        routerId: need(w.farRouter, 'far router').primary.v4,
        neighbors: [{ address: nodeHosts[0]?.v4 ?? '', asn: ROUTER_AS, multihop: true }],
      },
      { name: 'frr-far' },
    ),
  ]);
  for (const n of NODES) {
    const dir = path.join(w.runDir, `sessionhost-${n}`);
    fs.mkdirSync(dir, { recursive: true });
    dirs.set(n, dir);
  }
  const clientDir = path.join(w.runDir, 'hostile');
  fs.mkdirSync(clientDir, { recursive: true });
  dirs.set('client', clientDir);
  const script = path.join(__dirname, 'testdata', 'sessionhost.ts');
  const node = nodeExecutable();
  await w.spawnIn('client', 'hostile', [
    node,
    '-r',
    'ts-node/register/transpile-only',
    script,
    '--hostile',
    w.client.primary.v4,
    '179',
    'garbage',
    hostileLog(),
  ]);
  for (const n of NODES) {
    writeConfig(n, configFor(w, n, n === 'node2' ? 'wrong-password' : undefined));
    await w.spawnIn(n, `sessionhost-${n}`, [
      node,
      '-r',
      'ts-node/register/transpile-only',
      script,
      path.join(dirs.get(n) ?? '', 'config.json'),
      path.join(dirs.get(n) ?? '', 'status.json'),
    ]);
  }
}, 120_000);

afterAll(async () => {
  await world?.destroy();
});

test('sessions reach Established from every node (node2 only once its MD5 password is right)', async () => {
  const w = need(world, 'world');
  const f = need(frr, 'frr');
  for (const n of ['node1', 'node3']) {
    await waitFor(
      `${n} v4 established`,
      async () => (await neighbor(f, w.host(n).primary.v4)).bgpState === 'Established',
      { timeoutMs: 30_000 },
    );
  }
  // Wrong password: FRR drops the unsigned-by-its-key segments, so nothing gets through. Give it several
  // connect attempts.
  await new Promise((r) => setTimeout(r, 5000));
  expect((await neighbor(f, w.host('node2').primary.v4)).bgpState).not.toBe('Established');
  expect(status('node2')['router-v4']?.state).not.toBe('Established');
  const before = (await neighbor(f, w.host('node1').primary.v4)).connectionsEstablished;
  writeConfig('node2', configFor(w, 'node2', 'md5-secret'));
  await waitFor(
    'node2 v4 established with MD5',
    async () => (await neighbor(f, w.host('node2').primary.v4)).bgpState === 'Established',
    { timeoutMs: 30_000 },
  );
  // Re-configuring node2's session did not disturb node1's.
  expect((await neighbor(f, w.host('node1').primary.v4)).connectionsEstablished).toBe(before);
});

test('FRR holds the IPv4 address with every node as ECMP next hop, LOCAL_PREF, communities, large communities', async () => {
  const w = need(world, 'world');
  const f = need(frr, 'frr');
  const nodeV4 = NODES.map((n) => w.host(n).primary.v4).sort();
  const { paths, hops } = await waitPaths(f, 'ipv4', VIP4, 3);
  expect(hops).toEqual(nodeV4);
  for (const p of paths) {
    expect(p.locPrf).toBe(150);
    expect((p.community as { string?: string } | undefined)?.string).toBe('64512:100');
    expect((p.largeCommunity as { string?: string } | undefined)?.string).toBe('64512:7:9');
  }
  // ECMP: zebra installed one route with all three nodes as next hops.
  await waitFor(
    'ECMP route installed',
    async () => ((await f.installedBgpRoutes('ipv4')).get(VIP4) ?? []).length === 3,
    { timeoutMs: 15_000 },
  );
  expect([...((await f.installedBgpRoutes('ipv4')).get(VIP4) ?? [])].sort()).toEqual(nodeV4);
});

test('FRR holds the IPv6 address over the IPv6 sessions with every node as next hop', async () => {
  const w = need(world, 'world');
  const f = need(frr, 'frr');
  const nodeV6 = NODES.map((n) => w.host(n).primary.v6).sort();
  const { hops } = await waitPaths(f, 'ipv6', VIP6, 3);
  expect(hops).toEqual(nodeV6);
});

test('eBGP multihop (TTL 255) to a 4-octet AS on the far segment', async () => {
  const w = need(world, 'world');
  const farFrr = need(far, 'far frr');
  await waitFor(
    'far session established',
    async () => (await neighbor(farFrr, w.host('node1').primary.v4)).bgpState === 'Established',
    { timeoutMs: 30_000 },
  );
  await waitFor(
    'far router holds the address',
    async () => ((await routeJson(farFrr, 'ipv4', VIP4)).paths ?? []).length === 1,
    { timeoutMs: 30_000 },
  );
  const [p] = (await routeJson(farFrr, 'ipv4', VIP4)).paths ?? [];
  expect((p?.aspath as { string?: string } | undefined)?.string).toBe('64512');
  expect(p?.locPrf).toBeUndefined(); // LOCAL_PREF never goes to an external peer
});

test('a hostile peer that sends garbage gets Connection Not Synchronized; the other sessions stay up', async () => {
  const w = need(world, 'world');
  const f = need(frr, 'frr');
  const before = (await neighbor(f, w.host('node1').primary.v4)).connectionsEstablished;
  await waitFor(
    'hostile peer got a NOTIFICATION',
    async () => fs.existsSync(hostileLog()) && fs.readFileSync(hostileLog(), 'utf8').includes('notification'),
    { timeoutMs: 30_000 },
  );
  const lines = fs
    .readFileSync(hostileLog(), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toContainEqual({ type: 'notification', code: 1, subcode: 1 });
  // The speaker keeps retrying the hostile peer with backoff, and nothing else is affected.
  expect((await neighbor(f, w.host('node1').primary.v4)).bgpState).toBe('Established');
  expect((await neighbor(f, w.host('node1').primary.v4)).connectionsEstablished).toBe(before);
  expect(status('node1').far?.state).toBe('Established');
});

test('withdrawal: with no routes wanted FRR drops the addresses; announced again they come back', async () => {
  const w = need(world, 'world');
  const f = need(frr, 'frr');
  for (const n of NODES) writeConfig(n, configFor(w, n, n === 'node2' ? 'md5-secret' : undefined, []));
  await waitFor(
    'IPv4 address withdrawn',
    async () => ((await routeJson(f, 'ipv4', VIP4)).paths ?? []).length === 0,
    { timeoutMs: 15_000 },
  );
  await waitFor(
    'IPv6 address withdrawn',
    async () => ((await routeJson(f, 'ipv6', VIP6)).paths ?? []).length === 0,
    { timeoutMs: 15_000 },
  );
  expect(status('node1')['router-v4']).toMatchObject({ state: 'Established', announced: 0, pending: 0 });
  for (const n of NODES) writeConfig(n, configFor(w, n, n === 'node2' ? 'md5-secret' : undefined));
  await waitFor(
    'IPv4 address back',
    async () => ((await routeJson(f, 'ipv4', VIP4)).paths ?? []).length === 3,
    { timeoutMs: 15_000 },
  );
});
