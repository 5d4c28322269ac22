// The controller at scale against a real kube-apiserver, run as its own process (controller/main.ts) so it can
// be SIGKILLed: a thousand Services survive ten abrupt restarts with churn in between, concurrent writers
// create thousands at once, a standby replica takes over from a killed leader, and a leader frozen (SIGSTOP)
// past its Lease and then resumed steps down instead of allocating from its stale view. Throughout, a watch
// checks after every event that no address is ever on two Services.
//
// About 5 minutes on two shared cores with the defaults; the two Lease takeovers wait out the default 15 s
// lease (controller/main.ts has no flag to shorten it).
//
// Counts come from the environment (defaults are the figures the tests were specified with):
//   IRONLB_SCALE_SERVICES=1000  IRONLB_SCALE_RESTARTS=10  IRONLB_SCALE_CHURN=40
//   IRONLB_SCALE_BURST=2000  IRONLB_SCALE_WRITERS=4  IRONLB_SCALE_FAILOVER=600
import { performance } from 'node:perf_hooks';
import {
  ChildController,
  compileController,
  ControllerBuild,
  createServices,
  deleteServices,
  leaseHolder,
  listAddresses,
  ScaleCluster,
  sleep,
  spawnController,
  startScaleCluster,
  stopScaleCluster,
  waitForLeader,
  watchAddresses,
} from '../testkit/controllerprocess';
import { AddressLedger, inScalePool, sharedAddresses } from '../testkit/addressledger';
import { eventually, NS } from '../testkit/metallbcluster';
import { z } from 'zod';

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${raw ?? ''}: want a positive integer`);
  return value;
}

const SERVICES = count('IRONLB_SCALE_SERVICES', 1000);
const RESTARTS = count('IRONLB_SCALE_RESTARTS', 10);
const CHURN = count('IRONLB_SCALE_CHURN', 40);
const BURST = count('IRONLB_SCALE_BURST', 2000);
const WRITERS = count('IRONLB_SCALE_WRITERS', 4);
const FAILOVER = count('IRONLB_SCALE_FAILOVER', 600);

/** Generous: on two shared cores the controller addresses a few dozen Services a second. */
const ASSIGN_TIMEOUT_MS = 10 * 60_000;

jest.setTimeout(15 * 60_000);

let cluster: ScaleCluster | undefined;
let build: ControllerBuild | undefined;
let watch: { ledger: AddressLedger; stop(): void } | undefined;
const controllers = new Set<ChildController>();
const report: string[] = [];

function c(): ScaleCluster {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster;
}

function ledger(): AddressLedger {
  if (!watch) throw new Error('Service watch did not start (see beforeAll)');
  return watch.ledger;
}

async function spawn(identity: string): Promise<ChildController> {
  if (!build) throw new Error('controller was not compiled (see beforeAll)');
  const controller = await spawnController(c().cp, identity, build);
  controllers.add(controller);
  void controller.proc.exited.then(() => controllers.delete(controller));
  return controller;
}

/**
 * Resolves once every Service the watch knows in `namespace` has an address and there are `expected` of them;
 * fails at once, with its log, if `leader` exits meanwhile.
 */
async function allAddressed(namespace: string, expected: number, leader: ChildController): Promise<void> {
  let exited = false;
  await Promise.race([
    ledger().until(
      `${expected} Services in ${namespace} addressed`,
      () => {
        const n = ledger().counts(namespace);
        return exited || (n.services === expected && n.addressed === expected);
      },
      ASSIGN_TIMEOUT_MS,
    ),
    leader.proc.exited.then(() => {
      exited = true;
      throw new Error(
        `${leader.proc.describeExit()} before ${namespace} was addressed; log:\n${leader.proc.logTail(30)}`,
      );
    }),
  ]);
}

/** What every test ends with: one address each, all in the pool, none shared, anywhere in the cluster. */
async function expectCleanAllocation(namespace: string, expected: number): Promise<Map<string, string[]>> {
  const view = await listAddresses(c().api, namespace);
  expect(view.size).toBe(expected);
  const wrong = [...view].filter(([, ips]) => ips.length !== 1 || !ips.every(inScalePool));
  expect(wrong).toEqual([]);
  expect(sharedAddresses(await listAddresses(c().api))).toEqual([]);
  expect(ledger().violations).toEqual([]);
  return view;
}

const names = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

beforeAll(async () => {
  // Compile while nothing else runs, then start the control plane.
  build = await compileController();
  cluster = await startScaleCluster();
  for (const ns of ['scale-restart', 'scale-burst', 'scale-failover'])
    await c().api.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: ns } } });
  watch = await watchAddresses(c().cp, c().api);
}, 300_000);

afterAll(async () => {
  for (const controller of [...controllers]) await controller.kill();
  watch?.stop();
  await stopScaleCluster(cluster);
  build?.dispose();
  if (report.length > 0) process.stdout.write(`\nscale.int.test figures:\n  ${report.join('\n  ')}\n`);
}, 120_000);

describe('controller at scale against a real API server', () => {
  it(`keeps every address across ${RESTARTS} SIGKILL restarts of a controller serving ${SERVICES} Services`, async () => {
    const { api } = c();
    const ns = 'scale-restart';
    // One pod name across restarts, as a container restarted in its pod: the new process renews its own Lease.
    let controller = await spawn('scale-controller');
    await waitForLeader(api, controller);
    const live = new Set<string>();
    const t0 = performance.now();
    await createServices(api, ns, names('svc', SERVICES), WRITERS);
    for (const n of names('svc', SERVICES)) live.add(n);
    await allAddressed(ns, live.size, controller);
    report.push(`restart: ${SERVICES} Services addressed in ${seconds(performance.now() - t0)}`);

    for (let round = 1; round <= RESTARTS; round++) {
      // Kill mid-work: as soon as the watch shows a quarter of a new batch addressed, while the controller is
      // between one status write and the next and the rest of the batch is still arriving.
      const running = controller;
      const batch = names(`r${round}-up`, CHURN);
      const creating = createServices(api, ns, batch, WRITERS);
      creating.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      const addressedOf = (list: readonly string[]): number =>
        list.filter((n) => (ledger().addressesOf(`${ns}/${n}`)?.length ?? 0) > 0).length;
      await ledger().until(
        'the controller in the middle of a batch',
        () => addressedOf(batch) >= CHURN / 4,
        120_000,
      );
      await running.kill();
      await creating;
      for (const n of batch) live.add(n);
      const before = await listAddresses(api, ns);
      const addressedAtKill = batch.filter((n) => (before.get(`${ns}/${n}`)?.length ?? 0) > 0).length;

      // While it is down: some addressed Services go, more arrive.
      const addressed = [...before]
        .filter(([, ips]) => ips.length > 0)
        .map(([key]) => key.slice(ns.length + 1));
      const gone = new Set<string>();
      for (let i = 0; gone.size < Math.floor(CHURN / 2) && i < addressed.length * 2; i++) {
        const pick = addressed[(round * 7919 + i * 104_729) % addressed.length];
        if (pick !== undefined) gone.add(pick);
      }
      await deleteServices(api, ns, [...gone], WRITERS);
      for (const n of gone) live.delete(n);
      const whileDown = names(`r${round}-down`, Math.ceil(CHURN / 2));
      await createServices(api, ns, whileDown, WRITERS);
      for (const n of whileDown) live.add(n);

      const tRestart = performance.now();
      controller = await spawn('scale-controller');
      await waitForLeader(api, controller);
      await allAddressed(ns, live.size, controller);
      report.push(
        `restart round ${round}: killed with ${addressedAtKill}/${CHURN} new Services addressed; ` +
          `${live.size} Services, all addressed ${seconds(performance.now() - tRestart)} after respawn`,
      );

      const after = await expectCleanAllocation(ns, live.size);
      const moved = [...before].filter(([key, ips]) => {
        if (ips.length === 0 || gone.has(key.slice(ns.length + 1))) return false;
        return JSON.stringify(after.get(key)) !== JSON.stringify(ips);
      });
      expect({ round, moved }).toEqual({ round, moved: [] });
      for (const n of [...batch, ...whileDown].filter((n) => live.has(n)))
        expect(after.get(`${ns}/${n}`)?.length).toBe(1);
    }
    await controller.terminate();
  });

  it(`gives ${BURST} Services created by ${WRITERS} concurrent writers distinct addresses from the pool`, async () => {
    const { api } = c();
    const ns = 'scale-burst';
    const controller = await spawn('scale-controller');
    await waitForLeader(api, controller);
    const t0 = performance.now();
    await createServices(api, ns, names('svc', BURST), WRITERS);
    const tCreated = performance.now();
    await allAddressed(ns, BURST, controller);
    report.push(
      `burst: ${BURST} Services created in ${seconds(tCreated - t0)}, all addressed in ${seconds(performance.now() - t0)}`,
    );
    await expectCleanAllocation(ns, BURST);

    // The controller's own accounting agrees with what it wrote.
    const everywhere = [...(await listAddresses(api)).values()].filter((ips) => ips.length > 0).length;
    const PoolStatus = z.looseObject({
      status: z.looseObject({ assignedIPv6: z.number().optional() }).optional(),
    });
    await eventually(
      `IPAddressPool scale reports ${everywhere} IPv6 addresses assigned`,
      async () =>
        PoolStatus.parse(
          await api.request({
            method: 'GET',
            path: `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools/scale`,
          }),
        ).status?.assignedIPv6 === everywhere,
      120_000,
    );
    await controller.terminate();
  });

  it('a standby replica takes over from a SIGKILLed leader without ever handing one address to two Services', async () => {
    const { api } = c();
    const ns = 'scale-failover';
    const a = await spawn('scale-replica-a');
    await waitForLeader(api, a);
    const b = await spawn('scale-replica-b');
    await eventually('the standby is running', async () => b.proc.logTail(50).includes('starting'), 60_000);
    const { transitions } = await leaseHolder(api);

    // Consistent snapshots (one LIST each) sampled throughout, besides the watch's per-event check.
    let sampling = true;
    let samples = 0;
    const shared: string[] = [];
    const sampler = (async () => {
      while (sampling) {
        shared.push(...sharedAddresses(await listAddresses(api)));
        samples++;
        await sleep(250);
      }
    })();

    let killedAt = 0;
    let killed: Promise<void> | undefined;
    let before = new Map<string, string[]>();
    try {
      await createServices(api, ns, names('svc', FAILOVER), Math.min(WRITERS, 2), {
        onDone: (done) => {
          if (done !== Math.ceil(FAILOVER / 3)) return;
          killedAt = performance.now();
          killed = a.kill().then(async () => {
            before = await listAddresses(api, ns);
          });
        },
      });
      await killed;
      await waitForLeader(api, b);
      report.push(
        `failover: standby leads ${seconds(performance.now() - killedAt)} after the leader's SIGKILL`,
      );
      await allAddressed(ns, FAILOVER, b);
      report.push(
        `failover: all ${FAILOVER} addressed ${seconds(performance.now() - killedAt)} after the SIGKILL`,
      );
    } finally {
      sampling = false;
      await sampler;
    }

    expect(killed).toBeDefined();
    expect(await leaseHolder(api)).toEqual({ holder: 'scale-replica-b', transitions: transitions + 1 });
    expect(samples).toBeGreaterThan(10);
    expect(shared).toEqual([]);
    const after = await expectCleanAllocation(ns, FAILOVER);
    // What the dead leader wrote stands: the new one does not reshuffle it.
    const moved = [...before].filter(
      ([key, ips]) => ips.length > 0 && JSON.stringify(after.get(key)) !== JSON.stringify(ips),
    );
    expect(moved).toEqual([]);
    expect([...before.values()].filter((ips) => ips.length > 0).length).toBeGreaterThan(0);
    report.push(
      `failover: ${samples} LIST samples, ${[...before.values()].filter((i) => i.length > 0).length} addressed before the kill`,
    );
    await b.terminate();
  });

  it('a leader frozen past its Lease and thawed after the standby took over never double-allocates', async () => {
    const { api } = c();
    const ns = 'scale-freeze';
    await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: ns } } });
    const a = await spawn('scale-frozen-a');
    await waitForLeader(api, a);
    const b = await spawn('scale-frozen-b');
    await eventually('the standby is running', async () => b.proc.logTail(50).includes('starting'), 60_000);
    await createServices(api, ns, names('warm', 50), WRITERS);
    await allAddressed(ns, 50, a);

    // Services keep arriving, at a pace both replicas can follow, while the leader is stopped and resumed.
    let creating = true;
    let created = 50;
    const creator = (async () => {
      for (let i = 0; creating; i++) {
        await createServices(api, ns, [`live-${String(i).padStart(5, '0')}`], 1);
        created++;
        await sleep(100);
      }
    })();
    let thawedAt = 0;
    try {
      a.freeze();
      const frozenAt = performance.now();
      await waitForLeader(api, b);
      const addressedBefore = ledger().counts(ns).addressed;
      await ledger().until(
        'the new leader addresses new Services',
        () => ledger().counts(ns).addressed >= addressedBefore + 20,
        120_000,
      );
      a.thaw();
      thawedAt = performance.now();
      report.push(`freeze: standby leads ${seconds(thawedAt - frozenAt)} into the freeze; thawed after`);
      await sleep(10_000);
    } finally {
      a.thaw();
      creating = false;
      await creator;
    }
    await allAddressed(ns, created, b);
    expect(ledger().violations).toEqual([]);
    await expectCleanAllocation(ns, created);
    expect((await leaseHolder(api)).holder).toBe('scale-frozen-b');
    // The thawed one noticed it lost the Lease and exited, as controller-runtime does.
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      a.proc.exited,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 20_000))),
    ]);
    clearTimeout(timer);
    report.push(`freeze: the thawed leader ${exit ? a.proc.describeExit() : 'was still running 20 s later'}`);
    expect(exit).toBeDefined();
    await b.terminate();
  });
});
