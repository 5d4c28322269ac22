// Proves the routers of the e2e world: FRR, BIRD and GoBGP start inside the world's namespaces and answer
// their query commands, real BGP sessions come up between them (GoBGP and BIRD in node namespaces stand in
// for the speaker until ours exists), routes flow both ways, FRR installs what it learns into the router
// namespace's kernel table, and traffic from the client follows those routes to a node backend. Needs root.
import {
  addServiceAddress,
  httpGetFrom,
  startBackend,
  ipJson,
  listNamespaces,
  createWorld,
  type World,
} from '../harness/net';
import { type BirdRouter, startBird } from '../harness/routers/bird';
import { type FrrRouter, startFrr } from '../harness/routers/frr';
import { type GobgpRouter, startGobgp } from '../harness/routers/gobgp';
import { waitFor } from '../harness/readiness';

jest.setTimeout(90_000);

// ASNs as in MetalLB's e2e topology: iBGP in 64512, eBGP peers in 64513 and 4200000000.
const ROUTER_AS = 64512;
const NODE1_AS = 64513;
const FAR_AS = 4200000000;

let world: World | undefined;
let frr: FrrRouter | undefined;
let gobgp: GobgpRouter | undefined;
let bird: BirdRouter | undefined;
let farBird: BirdRouter | undefined;
let gobgp3: GobgpRouter | undefined;

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

interface KernelRoute {
  dst: string;
  gateway?: string;
  protocol?: string;
  nexthops?: { gateway?: string }[];
}

async function kernelBgpRoutes(w: World, family: '-4' | '-6'): Promise<Map<string, string[]>> {
  const routes = await ipJson<KernelRoute>(w.ns('router'), [family, 'route', 'show', 'proto', 'bgp']);
  return new Map(
    routes.map((r) => [
      r.dst,
      r.gateway !== undefined
        ? [r.gateway]
        : (r.nexthops ?? []).map((n) => n.gateway ?? '').filter((g) => g !== ''),
    ]),
  );
}

beforeAll(async () => {
  world = await createWorld({ nodes: 3, multihop: true });
  const w = world;
  const node1 = w.host('node1').primary;
  const node2 = w.host('node2').primary;
  const node3 = w.host('node3').primary;
  const router = w.router.primary;
  const far = need(w.farRouter, 'far router').primary;
  // Started together: each waits only for its own daemon to answer.
  [frr, gobgp, bird, farBird, gobgp3] = await Promise.all([
    startFrr(w, 'router', {
      hostname: 'router',
      asn: ROUTER_AS,
      routerId: router.v4,
      neighbors: [
        { address: node1.v4, asn: NODE1_AS },
        { address: node1.v6, asn: NODE1_AS },
        { address: node2.v4, asn: ROUTER_AS, password: 'ibgp-test' },
        { address: node3.v4, asn: NODE1_AS },
      ],
    }),
    startGobgp(w, 'node1', {
      asn: NODE1_AS,
      routerId: node1.v4,
      neighbors: [
        { address: router.v4, asn: ROUTER_AS },
        { address: router.v6, asn: ROUTER_AS },
        { address: far.v4, asn: FAR_AS, multihop: true, port: 180, password: 'ebgp-test' },
      ],
    }),
    startBird(w, 'node2', {
      asn: ROUTER_AS,
      routerId: node2.v4,
      exportToKernel: false,
      neighbors: [{ address: router.v4, asn: ROUTER_AS, password: 'ibgp-test' }],
      networks: ['203.0.113.144/28'],
    }),
    startBird(w, 'farrouter', {
      asn: FAR_AS,
      routerId: far.v4,
      listenPort: 180,
      exportToKernel: false,
      neighbors: [{ address: node1.v4, asn: NODE1_AS, multihop: true, password: 'ebgp-test' }],
    }),
    // A second speaker in the same AS as node1, for ECMP.
    startGobgp(w, 'node3', {
      asn: NODE1_AS,
      routerId: node3.v4,
      neighbors: [{ address: router.v4, asn: ROUTER_AS }],
    }),
  ]);
}, 90_000);

afterAll(async () => {
  await world?.destroy();
});

describe('routers', () => {
  test('FRR, BIRD and GoBGP answer their query commands', async () => {
    const w = need(world, 'world');
    const f = need(frr, 'frr');
    const summary = JSON.parse(await f.vtysh('show bgp summary json')) as {
      ipv4Unicast?: { routerId?: string; as?: number };
    };
    expect(summary.ipv4Unicast).toMatchObject({ routerId: w.router.primary.v4, as: ROUTER_AS });
    expect(JSON.parse(await f.vtysh('show ip route json'))).toHaveProperty([`${w.plan.segments[0]?.v4}`]);

    const b = need(bird, 'bird');
    expect(await b.birdc('show', 'status')).toContain(`Router ID is ${w.host('node2').primary.v4}`);
    expect((await b.protocols()).map((p) => p.name)).toEqual(
      expect.arrayContaining(['device1', 'kernel_ipv4', 'static_ipv4', b.protocolFor(w.router.primary.v4)]),
    );

    const g = need(gobgp, 'gobgp');
    expect(await g.cli('global')).toContain(`AS:        ${NODE1_AS}`);
    expect((await g.neighbors()).map((n) => n.address).sort()).toEqual(
      [w.router.primary.v4, w.router.primary.v6, need(w.farRouter, 'far router').primary.v4].sort(),
    );
  });

  test('sessions establish: eBGP in both families, iBGP with a password, eBGP multihop on port 180', async () => {
    const w = need(world, 'world');
    const f = need(frr, 'frr');
    await f.waitEstablished(w.host('node1').primary.v4);
    await f.waitEstablished(w.host('node1').primary.v6);
    await f.waitEstablished(w.host('node2').primary.v4);
    await need(gobgp, 'gobgp').waitEstablished(w.router.primary.v4);
    await need(bird, 'bird').waitEstablished(w.router.primary.v4);
    await need(gobgp, 'gobgp').waitEstablished(need(w.farRouter, 'far router').primary.v4);
    await need(farBird, 'far bird').waitEstablished(w.host('node1').primary.v4);
    await f.waitEstablished(w.host('node3').primary.v4);
    expect((await f.peers()).filter((p) => p.state === 'Established')).toHaveLength(4);
  });

  test('a route announced by GoBGP is learned by FRR and installed in the router namespace kernel table', async () => {
    const w = need(world, 'world');
    const f = need(frr, 'frr');
    const g = need(gobgp, 'gobgp');
    const node1 = w.host('node1').primary;
    await g.announce('203.0.113.128/28');
    await g.announce('2001:db8:100::/124');
    await waitFor(
      'FRR installs both prefixes via node1',
      async () => {
        const v4 = await kernelBgpRoutes(w, '-4');
        const v6 = await kernelBgpRoutes(w, '-6');
        if (v4.get('203.0.113.128/28')?.[0] !== node1.v4)
          throw new Error(`v4 kernel routes: ${JSON.stringify([...v4])}`);
        if (v6.get('2001:db8:100::/124')?.[0] !== node1.v6)
          throw new Error(`v6 kernel routes: ${JSON.stringify([...v6])}`);
        return true;
      },
      { timeoutMs: 30_000 },
    );
    const routes = await f.routes('ipv4');
    expect(routes.get('203.0.113.128/28')).toEqual([
      expect.objectContaining({
        valid: true,
        bestpath: true,
        nexthops: [node1.v4],
        asPath: String(NODE1_AS),
      }),
    ]);
    expect((await f.installedBgpRoutes('ipv6')).get('2001:db8:100::/124')).toEqual([node1.v6]);
  });

  test('routes flow onward: BIRD learns GoBGP route over iBGP, the far BIRD over multihop, FRR learns BIRD route', async () => {
    const w = need(world, 'world');
    const node2 = w.host('node2').primary;
    await waitFor(
      'BIRD in node2 and in farrouter learn 203.0.113.128/28',
      async () => {
        const near = await need(bird, 'bird').routePrefixes('ipv4');
        const far = await need(farBird, 'far bird').routePrefixes('ipv4');
        if (!near.includes('203.0.113.128/28')) throw new Error(`node2 bird has ${near.join(', ')}`);
        if (!far.includes('203.0.113.128/28')) throw new Error(`farrouter bird has ${far.join(', ')}`);
        return true;
      },
      { timeoutMs: 30_000 },
    );
    await waitFor(
      'FRR installs BIRD route via node2',
      async () => (await kernelBgpRoutes(w, '-4')).get('203.0.113.144/28')?.[0] === node2.v4,
      { timeoutMs: 30_000 },
    );
  });

  test('the client reaches a node backend through the route the router learned', async () => {
    const w = need(world, 'world');
    const vip = '203.0.113.130';
    await addServiceAddress(w, 'node1', vip);
    await startBackend(w, 'node1', 8080);
    const answer = await httpGetFrom(w, 'client', vip);
    expect(answer).toMatchObject({ node: 'node1' });
    expect(answer.local.replace(/^::ffff:/, '')).toBe(vip);
  });

  test('two nodes announcing the same prefix become an ECMP route in the kernel table', async () => {
    const w = need(world, 'world');
    const g3 = need(gobgp3, 'gobgp node3');
    await g3.waitEstablished(w.router.primary.v4);
    await need(gobgp, 'gobgp').announce('203.0.113.160/28');
    await g3.announce('203.0.113.160/28');
    const want = [w.host('node1').primary.v4, w.host('node3').primary.v4].sort();
    await waitFor(
      'FRR installs 203.0.113.160/28 via node1 and node3',
      async () => {
        const hops = (await kernelBgpRoutes(w, '-4')).get('203.0.113.160/28') ?? [];
        if (JSON.stringify([...hops].sort()) !== JSON.stringify(want))
          throw new Error(`next hops ${hops.join(', ')}`);
        return true;
      },
      { timeoutMs: 30_000 },
    );
    const paths = (await need(frr, 'frr').routes('ipv4')).get('203.0.113.160/28') ?? [];
    expect(paths.flatMap((p) => p.nexthops).sort()).toEqual(want);
  });

  test('a withdrawn route leaves FRR and the kernel table', async () => {
    const w = need(world, 'world');
    await need(gobgp, 'gobgp').withdraw('203.0.113.128/28');
    await waitFor(
      'FRR removes 203.0.113.128/28',
      async () => {
        const v4 = await kernelBgpRoutes(w, '-4');
        if (v4.has('203.0.113.128/28')) throw new Error('still in the kernel table');
        return !(await need(frr, 'frr').routes('ipv4')).has('203.0.113.128/28');
      },
      { timeoutMs: 30_000 },
    );
    // The other family's route and BIRD's route are unaffected.
    expect((await kernelBgpRoutes(w, '-6')).has('2001:db8:100::/124')).toBe(true);
    expect((await kernelBgpRoutes(w, '-4')).has('203.0.113.144/28')).toBe(true);
  });

  test('teardown leaves no namespace or daemon behind', async () => {
    const w = need(world, 'world');
    const pids = w.processes().map((p) => p.pid);
    expect(pids.length).toBeGreaterThanOrEqual(5);
    await w.destroy();
    expect((await listNamespaces()).filter((n) => n.startsWith(`${w.prefix}-`))).toEqual([]);
    for (const pid of pids) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      expect({ pid, alive }).toEqual({ pid, alive: false });
    }
  });
});
