// The session layer against GoBGP (gobgpd v3, built by scripts/build-cluster-bins.sh) as the router: one
// session host per node (testkit/bgp/interop.ts), iBGP over IPv4 in a 2-octet AS, eBGP over IPv6 from a
// 4-octet AS. Proves sessions Established from every node, TCP MD5 (a wrong password never establishes, the
// right one does), LOCAL_PREF, communities and large communities in `gobgp global rib -j`, a path from every
// node in GoBGP's RIB (GoBGP installs nothing in the kernel without zebra, so multipath stops at the RIB),
// the 4-octet AS in the AS_PATH, and withdrawal. Needs root.
import { createWorld, type World } from '../../../e2e/harness/net';
import { waitFor } from '../../../e2e/harness/readiness';
import { type GobgpRouter, startGobgp } from '../../../e2e/harness/routers/gobgp';
import {
  COMMUNITY,
  type HostConfig,
  LARGE_COMMUNITY,
  MD5_PASSWORD,
  NODES,
  ROUTER_AS,
  ROUTES,
  SessionHosts,
  VIP4,
  VIP6,
  need,
  routerNeighbors,
  routerPeers,
} from '../../../testkit/bgp/interop';

jest.setTimeout(60_000);

const NODE_EBGP_AS = 4200000001;

let world: World | undefined;
let gobgp: GobgpRouter | undefined;
let hosts: SessionHosts | undefined;

function configFor(w: World, node: string, password: string, routes = ROUTES): HostConfig {
  const me = w.host(node).primary;
  const peers = routerPeers(w, node, { ebgpAs: NODE_EBGP_AS, md5: { node: 'node2', password } });
  return { localAs: ROUTER_AS, routerId: me.v4, peers, routes };
}

type Json = Record<string, unknown>;

/** One path of `gobgp global rib -j`: its attributes by type code. */
interface GobgpPath {
  attrs: Map<number, Json>;
}

async function paths(g: GobgpRouter, family: 'ipv4' | 'ipv6', prefix: string): Promise<GobgpPath[]> {
  const text = (await g.cli('global', 'rib', '-j', '-a', family)).trim();
  const rib = (text === '' || text === 'null' ? {} : JSON.parse(text)) as Record<string, Json[]>;
  return (rib[prefix] ?? []).map((p) => ({
    attrs: new Map(((p.attrs ?? []) as Json[]).map((a) => [Number(a.type), a])),
  }));
}

async function waitPaths(
  g: GobgpRouter,
  family: 'ipv4' | 'ipv6',
  prefix: string,
  count: number,
): Promise<GobgpPath[]> {
  await waitFor(
    `${count} paths to ${prefix} in GoBGP`,
    async () => {
      const got = await paths(g, family, prefix);
      if (got.length !== count) throw new Error(`${got.length} paths`);
      return true;
    },
    { timeoutMs: 20_000 },
  );
  return paths(g, family, prefix);
}

// RFC 4271 4.3 and RFC 4760 3 attribute type codes, as GoBGP's JSON names them.
const AS_PATH = 2;
const NEXT_HOP = 3;
const LOCAL_PREF = 5;
const COMMUNITIES = 8;
const MP_REACH_NLRI = 14;
const LARGE_COMMUNITIES = 32;

function nextHop(p: GobgpPath): unknown {
  return (p.attrs.get(NEXT_HOP) ?? p.attrs.get(MP_REACH_NLRI))?.nexthop;
}

function asPath(p: GobgpPath): unknown {
  return ((p.attrs.get(AS_PATH)?.as_paths ?? []) as Json[]).flatMap((s) => s.asns as number[]);
}

function largeCommunities(p: GobgpPath): unknown {
  return ((p.attrs.get(LARGE_COMMUNITIES)?.value ?? []) as Json[]).map((c) => ({
    global: c.ASN,
    local1: c.LocalData1,
    local2: c.LocalData2,
  }));
}

beforeAll(async () => {
  world = await createWorld({ nodes: 3 });
  const w = world;
  gobgp = await startGobgp(w, 'router', {
    asn: ROUTER_AS,
    routerId: w.router.primary.v4,
    connectRetry: 1,
    neighbors: routerNeighbors(w, NODE_EBGP_AS, 'node2'),
  });
  hosts = new SessionHosts(w);
  await hosts.start(new Map(NODES.map((n) => [n, configFor(w, n, 'wrong-password')])));
}, 60_000);

afterAll(async () => {
  await world?.destroy();
});

test('sessions reach Established from every node (node2 only once its MD5 password is right)', async () => {
  const w = need(world, 'world');
  const g = need(gobgp, 'gobgp');
  const h = need(hosts, 'session hosts');
  for (const n of ['node1', 'node3']) {
    await g.waitEstablished(w.host(n).primary.v4, 20_000);
    await g.waitEstablished(w.host(n).primary.v6, 20_000);
  }
  await g.waitEstablished(w.host('node2').primary.v6, 20_000);
  // Wrong key: the kernel under gobgpd drops every segment whose signature does not match.
  await new Promise((r) => setTimeout(r, 4000));
  const node2 = (await g.neighbors()).find((n) => n.address === w.host('node2').primary.v4);
  expect(node2?.state).not.toBe('established');
  expect(h.status('node2')['router-v4']?.state).not.toBe('Established');
  h.write('node2', configFor(w, 'node2', MD5_PASSWORD));
  await g.waitEstablished(w.host('node2').primary.v4, 20_000);
});

test('GoBGP holds the IPv4 address from every node with LOCAL_PREF, community and large community', async () => {
  const w = need(world, 'world');
  const g = need(gobgp, 'gobgp');
  const got = await waitPaths(g, 'ipv4', VIP4, 3);
  expect(got.map(nextHop).sort()).toEqual(NODES.map((n) => w.host(n).primary.v4).sort());
  for (const p of got) {
    expect(p.attrs.get(LOCAL_PREF)?.value).toBe(150);
    expect(p.attrs.get(COMMUNITIES)?.communities).toEqual([COMMUNITY]);
    expect(largeCommunities(p)).toEqual([LARGE_COMMUNITY]);
    expect(asPath(p)).toEqual([]); // iBGP: the speaker prepends nothing
  }
});

test('GoBGP holds the IPv6 address over eBGP from the 4-octet AS, every node as next hop, no LOCAL_PREF', async () => {
  const w = need(world, 'world');
  const g = need(gobgp, 'gobgp');
  const got = await waitPaths(g, 'ipv6', VIP6, 3);
  expect(got.map(nextHop).sort()).toEqual(NODES.map((n) => w.host(n).primary.v6).sort());
  for (const p of got) {
    expect(asPath(p)).toEqual([NODE_EBGP_AS]);
    expect(p.attrs.get(COMMUNITIES)?.communities).toEqual([COMMUNITY]);
    expect(largeCommunities(p)).toEqual([LARGE_COMMUNITY]);
    expect(p.attrs.has(LOCAL_PREF)).toBe(false); // never sent to an external peer (RFC 4271 5.1.5)
  }
});

test('withdrawal: with no routes wanted GoBGP drops the addresses; announced again they come back', async () => {
  const w = need(world, 'world');
  const g = need(gobgp, 'gobgp');
  const h = need(hosts, 'session hosts');
  for (const n of NODES) h.write(n, configFor(w, n, MD5_PASSWORD, []));
  await waitPaths(g, 'ipv4', VIP4, 0);
  await waitPaths(g, 'ipv6', VIP6, 0);
  expect(h.status('node1')['router-v4']).toMatchObject({ state: 'Established', announced: 0 });
  for (const n of NODES) h.write(n, configFor(w, n, MD5_PASSWORD));
  await waitPaths(g, 'ipv4', VIP4, 3);
  await waitPaths(g, 'ipv6', VIP6, 3);
});
