// The session layer against BIRD 2 (Debian's bird2) as the router: one session host per node (testkit/bgp/
// interop.ts), iBGP over IPv4 in a 2-octet AS, eBGP over IPv6 from a 4-octet AS. Proves sessions
// Established from every node, TCP MD5 (a wrong password never establishes, the right one does), LOCAL_PREF,
// communities and large communities in `birdc show route all`, every node as next hop and BIRD's kernel
// protocol installing one multipath route over all three, the 4-octet AS in the AS_PATH, and withdrawal.
// Needs root.
import { createWorld, type World } from '../../../e2e/harness/net';
import { waitFor } from '../../../e2e/harness/readiness';
import { type BirdRouter, startBird } from '../../../e2e/harness/routers/bird';
import {
  type HostConfig,
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
let bird: BirdRouter | undefined;
let hosts: SessionHosts | undefined;

function configFor(w: World, node: string, password: string, routes = ROUTES): HostConfig {
  const me = w.host(node).primary;
  const peers = routerPeers(w, node, { ebgpAs: NODE_EBGP_AS, md5: { node: 'node2', password } });
  return { localAs: ROUTER_AS, routerId: me.v4, peers, routes };
}

/** One path of `birdc show route <prefix> all`: its next hop and its BGP.* attributes. */
interface BirdPath {
  via: string;
  attrs: Map<string, string>;
}

/** Parses `show route all` for one prefix: a path starts at its `[peer_...]` line, then tab-indented lines. */
function parseRouteAll(text: string): BirdPath[] {
  const out: BirdPath[] = [];
  let cur: BirdPath | undefined;
  for (const line of text.split('\n')) {
    if (/\s\[peer_/.test(line)) {
      // An `unreachable` path is one BIRD could not resolve a next hop for.
      cur = { via: line.includes(' unreachable [') ? 'unreachable' : '', attrs: new Map() };
      out.push(cur);
      continue;
    }
    if (cur === undefined) continue;
    const via = /^\s+via\s+(\S+)/.exec(line);
    if (via?.[1] !== undefined) cur.via = via[1];
    const attr = /^\s+(BGP\.[a-z_]+):\s?(.*)$/.exec(line);
    if (attr?.[1] !== undefined) cur.attrs.set(attr[1], (attr[2] ?? '').trim());
  }
  return out;
}

async function routeAll(b: BirdRouter, prefix: string): Promise<string> {
  try {
    return await b.birdc('show', 'route', prefix, 'all');
  } catch (err) {
    // birdc exits 1 with "Network not found" when the table has no route to the prefix.
    if (err instanceof Error && err.message.includes('Network not found')) return '';
    throw err;
  }
}

async function paths(b: BirdRouter, prefix: string): Promise<BirdPath[]> {
  return parseRouteAll(await routeAll(b, prefix));
}

async function waitPaths(b: BirdRouter, prefix: string, count: number): Promise<BirdPath[]> {
  await waitFor(
    `${count} paths to ${prefix} in BIRD`,
    async () => {
      const text = await routeAll(b, prefix);
      if (parseRouteAll(text).length !== count) throw new Error(text);
      return true;
    },
    { timeoutMs: 20_000 },
  );
  return paths(b, prefix);
}

beforeAll(async () => {
  world = await createWorld({ nodes: 3 });
  const w = world;
  bird = await startBird(w, 'router', {
    asn: ROUTER_AS,
    routerId: w.router.primary.v4,
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
  const b = need(bird, 'bird');
  const h = need(hosts, 'session hosts');
  for (const n of ['node1', 'node3']) {
    await b.waitEstablished(w.host(n).primary.v4, 20_000);
    await b.waitEstablished(w.host(n).primary.v6, 20_000);
  }
  await b.waitEstablished(w.host('node2').primary.v6, 20_000);
  // Wrong key: BIRD's kernel drops every segment whose signature does not match, so no connection forms.
  await new Promise((r) => setTimeout(r, 4000));
  const node2 = (await b.protocols()).find((p) => p.name === b.protocolFor(w.host('node2').primary.v4));
  expect(node2?.info).not.toBe('Established');
  expect(h.status('node2')['router-v4']?.state).not.toBe('Established');
  h.write('node2', configFor(w, 'node2', MD5_PASSWORD));
  await b.waitEstablished(w.host('node2').primary.v4, 20_000);
});

test('BIRD holds the IPv4 address from every node with LOCAL_PREF, community and large community; kernel multipath', async () => {
  const w = need(world, 'world');
  const b = need(bird, 'bird');
  const got = await waitPaths(b, VIP4, 3);
  expect(got.map((p) => p.via).sort()).toEqual(NODES.map((n) => w.host(n).primary.v4).sort());
  for (const p of got) {
    expect(p.attrs.get('BGP.local_pref')).toBe('150');
    expect(p.attrs.get('BGP.community')).toBe('(64512,100)');
    expect(p.attrs.get('BGP.large_community')).toBe('(64512, 7, 9)');
    expect(p.attrs.get('BGP.as_path')).toBe(''); // iBGP: the speaker prepends nothing
  }
  // `merge paths on` in BIRD's kernel protocol: one kernel route, every node a next hop.
  await waitFor(
    'multipath route in the router kernel',
    async () => {
      const out = (await w.exec('router', ['ip', '-4', 'route', 'show', VIP4])).stdout;
      return NODES.every((n) => out.includes(`via ${w.host(n).primary.v4}`));
    },
    { timeoutMs: 15_000 },
  );
});

test('BIRD holds the IPv6 address over eBGP from the 4-octet AS, every node as next hop', async () => {
  const w = need(world, 'world');
  const b = need(bird, 'bird');
  const got = await waitPaths(b, VIP6, 3);
  expect(got.map((p) => p.via).sort()).toEqual(NODES.map((n) => w.host(n).primary.v6).sort());
  for (const p of got) {
    expect(p.attrs.get('BGP.as_path')).toBe(String(NODE_EBGP_AS));
    expect(p.attrs.get('BGP.community')).toBe('(64512,100)');
    expect(p.attrs.get('BGP.large_community')).toBe('(64512, 7, 9)');
    // LOCAL_PREF never goes to an external peer: BIRD attaches its own default (100) on eBGP import.
    expect(p.attrs.get('BGP.local_pref')).toBe('100');
  }
});

test('withdrawal: with no routes wanted BIRD drops the addresses; announced again they come back', async () => {
  const w = need(world, 'world');
  const b = need(bird, 'bird');
  const h = need(hosts, 'session hosts');
  for (const n of NODES) h.write(n, configFor(w, n, MD5_PASSWORD, []));
  await waitPaths(b, VIP4, 0);
  await waitPaths(b, VIP6, 0);
  expect(h.status('node1')['router-v4']).toMatchObject({ state: 'Established', announced: 0 });
  for (const n of NODES) h.write(n, configFor(w, n, MD5_PASSWORD));
  await waitPaths(b, VIP4, 3);
  await waitPaths(b, VIP6, 3);
});
