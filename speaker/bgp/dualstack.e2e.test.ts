// dualStackAddressFamily against real FRR in the e2e world: node1's speaker peers over IPv4, node2's over IPv6,
// each BGPPeer with dualStackAddressFamily and each FRR neighbour with both families activated. One session
// carries both families (RFC 4760 multiprotocol capabilities for IPv4 and IPv6 unicast): FRR holds node1's
// IPv6 prefix, learnt over IPv4, with node1's global IPv6 address as next hop (RFC 2545 3), and node2's
// IPv4 prefix, learnt over IPv6, with node2's IPv4 address; zebra installs both. The speaker is
// testkit/bgp/speakerhost.ts (the speaker's BGPSessionManager as its own process). Needs root.
import { createWorld, type World } from '../../e2e/harness/net';
import { waitFor } from '../../e2e/harness/readiness';
import type { FrrRouter } from '../../e2e/harness/routers/frr';
import { NODE_AS, spawnSpeakerHost, startRouterFrr } from '../../testkit/bgp/speakerworld';

jest.setTimeout(90_000);

const NODE1 = { v4: '198.51.100.31/32', v6: '2001:db8:5::31/128' };
const NODE2 = { v4: '198.51.100.32/32', v6: '2001:db8:5::32/128' };

let world: World | undefined;
let frr: FrrRouter | undefined;

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

async function nextHops(family: 'ipv4' | 'ipv6', prefix: string): Promise<string[]> {
  const out = await need(frr, 'frr').vtysh(`show bgp ${family} unicast ${prefix} json`);
  const paths =
    (JSON.parse(out) as { paths?: { nexthops?: { ip: string; scope?: string }[] }[] }).paths ?? [];
  return paths.flatMap((p) => (p.nexthops ?? []).filter((h) => h.scope !== 'link-local').map((h) => h.ip));
}

beforeAll(async () => {
  world = await createWorld({ nodes: 2 });
  const w = world;
  const n1 = w.host('node1').primary;
  const n2 = w.host('node2').primary;
  frr = await startRouterFrr(w, [
    { address: n1.v4, asn: NODE_AS, families: ['ipv4', 'ipv6'] },
    { address: n2.v6, asn: NODE_AS, families: ['ipv4', 'ipv6'] },
  ]);
  const run = (role: string, peerAddress: string, prefixes: { v4: string; v6: string }) =>
    spawnSpeakerHost(w, {
      role,
      name: `speakerhost-${role}`,
      peerAddress,
      options: 'dual',
      prefixes: [prefixes.v4, prefixes.v6],
      routesDelayMs: 0,
    });
  await Promise.all([run('node1', w.router.primary.v4, NODE1), run('node2', w.router.primary.v6, NODE2)]);
}, 60_000);

afterAll(async () => {
  await world?.destroy();
});

test('an IPv4 session carries IPv6 prefixes with the node’s global IPv6 address as next hop', async () => {
  const w = need(world, 'world');
  const n1 = w.host('node1').primary;
  await waitFor('node1 prefixes', async () => (await nextHops('ipv6', NODE1.v6)).length === 1, {
    timeoutMs: 40_000,
  });
  expect(await nextHops('ipv6', NODE1.v6)).toEqual([n1.v6]);
  expect(await nextHops('ipv4', NODE1.v4)).toEqual([n1.v4]);
  const neighbor = JSON.parse(await need(frr, 'frr').vtysh(`show bgp neighbors ${n1.v4} json`)) as Record<
    string,
    { addressFamilyInfo?: Record<string, { acceptedPrefixCounter?: number }> }
  >;
  const families = neighbor[n1.v4]?.addressFamilyInfo ?? {};
  expect(families.ipv4Unicast?.acceptedPrefixCounter).toBe(1);
  expect(families.ipv6Unicast?.acceptedPrefixCounter).toBe(1);
});

test('an IPv6 session carries IPv4 prefixes with the node’s IPv4 address as next hop', async () => {
  const w = need(world, 'world');
  const n2 = w.host('node2').primary;
  await waitFor('node2 prefixes', async () => (await nextHops('ipv4', NODE2.v4)).length === 1, {
    timeoutMs: 30_000,
  });
  expect(await nextHops('ipv4', NODE2.v4)).toEqual([n2.v4]);
  expect(await nextHops('ipv6', NODE2.v6)).toEqual([n2.v6]);
});

test('zebra installs the cross-family routes (the next hops resolve on the shared segment)', async () => {
  const w = need(world, 'world');
  const f = need(frr, 'frr');
  await waitFor(
    'both installed',
    async () =>
      ((await f.installedBgpRoutes('ipv6')).get(NODE1.v6) ?? []).length === 1 &&
      ((await f.installedBgpRoutes('ipv4')).get(NODE2.v4) ?? []).length === 1,
    { timeoutMs: 15_000 },
  );
  expect((await f.installedBgpRoutes('ipv6')).get(NODE1.v6)).toEqual([w.host('node1').primary.v6]);
  expect((await f.installedBgpRoutes('ipv4')).get(NODE2.v4)).toEqual([w.host('node2').primary.v4]);
});
