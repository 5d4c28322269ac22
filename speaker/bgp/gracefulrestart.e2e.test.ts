// Graceful restart (RFC 4724) against real FRR in the e2e world: node1's speaker (testkit/bgp/speakerhost.ts, the
// speaker's BGPSessionManager as its own process) peers with `neighbor X graceful-restart`, node2's without.
// On SIGTERM, node1 closes without a NOTIFICATION and FRR keeps its route, marked stale, while the speaker is
// down; the restarted speaker's first OPEN has the R bit, and its route is fresh again once its End-of-RIB,
// sent only after its first routes, arrives. node2's route is withdrawn as soon as its session ends (after a
// graceful shutdown with 65535:0, RFC 8326). A drain withdraws even the GR neighbour's route: 65535:0 first,
// then a Cease. Needs root.
import { createWorld, type World } from '../../e2e/harness/net';
import type { ManagedProcess } from '../../e2e/harness/processes';
import { waitFor } from '../../e2e/harness/readiness';
import type { FrrRouter } from '../../e2e/harness/routers/frr';
import { NODE_AS, spawnSpeakerHost, startRouterFrr } from '../../testkit/bgp/speakerworld';

jest.setTimeout(90_000);

const VIP_GR = '198.51.100.21/32';
const VIP_PLAIN = '198.51.100.22/32';
/** How long the restarted speaker takes to set its routes, as the reconciler does after its caches sync. */
const ROUTES_DELAY_MS = 1500;

let world: World | undefined;
let frr: FrrRouter | undefined;
const procs = new Map<string, ManagedProcess>();
let restarts = 0;

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

interface FrrPath {
  stale?: boolean;
  nexthops?: { ip: string }[];
}

async function paths(prefix: string): Promise<FrrPath[]> {
  const out = await need(frr, 'frr').vtysh(`show bgp ipv4 unicast ${prefix} json`);
  return (JSON.parse(out) as { paths?: FrrPath[] }).paths ?? [];
}

async function neighbor(address: string): Promise<Record<string, unknown>> {
  const out = await need(frr, 'frr').vtysh(`show bgp neighbors ${address} json`);
  return (JSON.parse(out) as Record<string, Record<string, unknown>>)[address] ?? {};
}

async function startSpeaker(
  role: 'node1' | 'node2',
  delayMs: number,
  env: Record<string, string> = { SHUTDOWN_WAIT_MS: '300' },
): Promise<void> {
  const w = need(world, 'world');
  const gr = role === 'node1';
  const proc = await spawnSpeakerHost(w, {
    role,
    name: `speakerhost-${role}-${restarts++}`,
    peerAddress: w.router.primary.v4,
    options: gr ? 'gr' : 'none',
    prefixes: [gr ? VIP_GR : VIP_PLAIN],
    routesDelayMs: delayMs,
    env,
  });
  procs.set(role, proc);
}

beforeAll(async () => {
  world = await createWorld({ nodes: 2 });
  const w = world;
  frr = await startRouterFrr(w, [
    { address: w.host('node1').primary.v4, asn: NODE_AS, gracefulRestart: true },
    { address: w.host('node2').primary.v4, asn: NODE_AS },
  ]);
  await Promise.all([startSpeaker('node1', 0), startSpeaker('node2', 0)]);
}, 60_000);

afterAll(async () => {
  await world?.destroy();
});

test('graceful restart is negotiated with the GR neighbour only, and FRR holds both routes', async () => {
  const w = need(world, 'world');
  await waitFor(
    'both routes',
    async () => (await paths(VIP_GR)).length === 1 && (await paths(VIP_PLAIN)).length === 1,
    {
      timeoutMs: 30_000,
    },
  );
  const gr = await neighbor(w.host('node1').primary.v4);
  expect(JSON.stringify(gr.neighborCapabilities ?? {})).toMatch(/gracefulRestart/i);
  // Both sides set the N bit (RFC 8538 2): FRR 8.4 offers it too.
  expect(gr.gracefulRestartInfo).toMatchObject({ remoteGrMode: 'Restart', nBit: true });
  expect((await paths(VIP_GR))[0]?.stale).toBeUndefined();
});

test('SIGTERM: the GR route stays stale in FRR while the speaker is down; the other is withdrawn at once', async () => {
  const w = need(world, 'world');
  const stopped = Date.now();
  await Promise.all([
    need(procs.get('node1'), 'node1').stop(5000),
    need(procs.get('node2'), 'node2').stop(5000),
  ]);
  await waitFor(
    'node1 session down',
    async () => (await neighbor(w.host('node1').primary.v4)).bgpState !== 'Established',
    { timeoutMs: 10_000 },
  );
  // Without GR the route goes with the session: the 300 ms graceful-shutdown wait, then the Cease.
  await waitFor('plain route withdrawn', async () => (await paths(VIP_PLAIN)).length === 0, {
    timeoutMs: 5000,
  });
  expect(Date.now() - stopped).toBeLessThan(5000);
  // With GR FRR keeps the route, marked stale, for the restart time (120 s); hold it for a few seconds.
  await waitFor('GR route stale', async () => (await paths(VIP_GR))[0]?.stale === true, { timeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 3000));
  expect(await paths(VIP_GR)).toEqual([expect.objectContaining({ stale: true })]);
  const nh = (await paths(VIP_GR))[0]?.nexthops?.[0]?.ip;
  expect(nh).toBe(w.host('node1').primary.v4);
});

test('the restarted speaker sets the R bit; its route stays stale until its End-of-RIB, then is fresh', async () => {
  const w = need(world, 'world');
  // This one is stopped as a drain in the next test.
  await startSpeaker('node1', ROUTES_DELAY_MS, { STOP_KIND: 'drain', SHUTDOWN_WAIT_MS: '2000' });
  await waitFor(
    'node1 session back',
    async () => (await neighbor(w.host('node1').primary.v4)).bgpState === 'Established',
    { timeoutMs: 20_000 },
  );
  const info = (await neighbor(w.host('node1').primary.v4)).gracefulRestartInfo as Record<string, unknown>;
  expect(info).toMatchObject({ rBit: true });
  // Established but no routes set yet: no End-of-RIB, so FRR still holds the stale route.
  expect(await paths(VIP_GR)).toEqual([expect.objectContaining({ stale: true })]);
  await waitFor(
    'GR route refreshed',
    async () => {
      const p = await paths(VIP_GR);
      return p.length === 1 && p[0]?.stale !== true;
    },
    { timeoutMs: 10_000 },
  );
});

test('a drain withdraws even with graceful restart: GRACEFUL_SHUTDOWN first, then the Cease', async () => {
  const w = need(world, 'world');
  const stopping = need(procs.get('node1'), 'node1').stop(8000);
  await waitFor(
    'route re-announced with graceful-shutdown',
    async () => /graceful-?shutdown/i.test(JSON.stringify(await paths(VIP_GR))),
    { timeoutMs: 2000, intervalMs: 100 },
  );
  await stopping;
  await waitFor('GR route withdrawn', async () => (await paths(VIP_GR)).length === 0, { timeoutMs: 3000 });
  const n = await neighbor(w.host('node1').primary.v4);
  expect(n.bgpState).not.toBe('Established');
  // FRR sets the N bit (RFC 8538), so the Cease went out as a Hard Reset, which FRR decodes to the inner Cease.
  expect(n).toMatchObject({ lastErrorCodeSubcode: '0602', lastNotificationHardReset: true });
});
