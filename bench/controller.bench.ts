// The controller end to end: a real kube-apiserver (loopback placement), the controller as its own process
// (controller/main.ts), and thousands of LoadBalancer Services created through the apiserver by a few
// concurrent writers. Prints the time until every Service has an address, the Service-to-IP latency
// percentiles, and the controller's memory and CPU. Prints figures only; nothing is asserted, timings depend on
// the machine.
//
// Run: make bench-controller   (ts-node, transpile only)
// Knobs: IRONLB_BENCH_SERVICES (default 5000), IRONLB_BENCH_WRITERS (default 4), IRONLB_BENCH_RATE (creates
// per second, open loop; default 0: as fast as the writers go), IRONLB_BENCH_CONTROLLER_NODE_OPTIONS (e.g.
// --max-old-space-size=128, to tell a live set from a lazily collected heap).
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { NS } from '../testkit/metallbcluster';
import { collectionPath } from '../kube/resource';
import { METALLB } from '../api/resources';
import {
  ChildController,
  compileController,
  ControllerBuild,
  createServices,
  listAddresses,
  ScaleCluster,
  spawnController,
  startScaleCluster,
  stopScaleCluster,
  waitForLeader,
  watchAddresses,
} from '../testkit/controllerprocess';
import { inScalePool, quantile, sharedAddresses, SCALE_POOL } from '../testkit/addressledger';

const SERVICES = Number(process.env.IRONLB_BENCH_SERVICES ?? 5000);
const WRITERS = Number(process.env.IRONLB_BENCH_WRITERS ?? 4);
const RATE = Number(process.env.IRONLB_BENCH_RATE ?? 0);
const CONTROLLER_NODE_OPTIONS = process.env.IRONLB_BENCH_CONTROLLER_NODE_OPTIONS ?? '';
const NAMESPACE = 'bench';

const fmtMs = (ms: number): string => `${ms.toFixed(0)} ms`;
const fmtMiB = (kib: number | undefined): string =>
  kib === undefined ? '?' : `${(kib / 1024).toFixed(1)} MiB`;

const CreationTimes = z.object({
  items: z.array(
    z.looseObject({ metadata: z.looseObject({ name: z.string(), creationTimestamp: z.string() }) }),
  ),
});

async function run(): Promise<void> {
  let cluster: ScaleCluster | undefined;
  let controller: ChildController | undefined;
  let build: ControllerBuild | undefined;
  try {
    const tBuild = performance.now();
    build = await compileController();
    console.log(`controller compiled with tsc in ${fmtMs(performance.now() - tBuild)}; runs as plain node`);
    const t0 = performance.now();
    cluster = await startScaleCluster();
    const { cp, api } = cluster;
    console.log(
      `control plane ready in ${fmtMs(performance.now() - t0)} (loopback placement, no kube-controller-manager)`,
    );
    await api.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: NAMESPACE } },
    });

    const tSpawn = performance.now();
    controller = await spawnController(cp, 'bench-controller', build, {
      nodeOptions: CONTROLLER_NODE_OPTIONS,
    });
    await waitForLeader(api, controller);
    const idle = controller.memory();
    console.log(
      `controller ${controller.proc.pid} leading in ${fmtMs(performance.now() - tSpawn)}; idle RSS ${fmtMiB(idle?.rssKiB)}`,
    );

    const watch = await watchAddresses(cp, api);
    const createdAt = new Map<string, number>();
    const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
    const cpuBefore = controller.cpuSeconds() ?? 0;
    let peak = idle;
    const sampler = setInterval(() => {
      const m = controller?.memory();
      if (m && (!peak || m.rssKiB > peak.rssKiB)) peak = m;
    }, 250);

    const tStart = performance.now();
    await createServices(api, NAMESPACE, names, WRITERS, { createdAt, ratePerSecond: RATE });
    const tCreated = performance.now();
    const running = controller;
    await Promise.race([
      watch.ledger.until(
        `${SERVICES} Services addressed`,
        () => watch.ledger.counts(NAMESPACE).addressed === SERVICES,
        30 * 60_000,
      ),
      running.proc.exited.then(() => {
        throw new Error(`${running.proc.describeExit()}; log:\n${running.proc.logTail(20)}`);
      }),
    ]);
    const tAssigned = performance.now();
    clearInterval(sampler);
    const cpuAfter = controller.cpuSeconds() ?? 0;
    const final = controller.memory();
    watch.stop();

    // Latency from the create call's return: what a user of `kubectl create` waits.
    const fromCreate: number[] = [];
    for (const [key, created] of createdAt) {
      const addressed = watch.ledger.firstAddressedAt.get(key);
      if (addressed !== undefined) fromCreate.push(Math.max(0, addressed - created));
    }
    // Latency from metadata.creationTimestamp (whole seconds, the apiserver's clock): a cross-check.
    const wallAtPerf = Date.now() - performance.now();
    const stamps = CreationTimes.parse(
      await api.request({ method: 'GET', path: `/api/v1/namespaces/${NAMESPACE}/services` }),
    );
    const fromStamp: number[] = [];
    for (const svc of stamps.items) {
      const addressed = watch.ledger.firstAddressedAt.get(`${NAMESPACE}/${svc.metadata.name}`);
      if (addressed !== undefined)
        fromStamp.push(addressed + wallAtPerf - Date.parse(svc.metadata.creationTimestamp));
    }

    const view = await listAddresses(api, NAMESPACE);
    const all = [...view.values()].flat();
    const pool = z
      .looseObject({ status: z.looseObject({ assignedIPv6: z.number().optional() }).optional() })
      .parse(
        await api.request({
          method: 'GET',
          path: `${collectionPath(METALLB.ipAddressPools, NS)}/${SCALE_POOL.name}`,
        }),
      );

    const line = (label: string, value: string): void => console.log(`  ${label.padEnd(40)} ${value}`);
    console.log(
      `\nironlb controller, ${SERVICES} LoadBalancer Services, ${WRITERS} concurrent writers` +
        `${RATE > 0 ? `, paced at ${RATE}/s` : ', unpaced'}` +
        `${CONTROLLER_NODE_OPTIONS ? `, controller NODE_OPTIONS=${CONTROLLER_NODE_OPTIONS}` : ''}`,
    );
    line('create calls done after', fmtMs(tCreated - tStart));
    line('create rate', `${((SERVICES * 1000) / (tCreated - tStart)).toFixed(0)} Services/s`);
    line('all Services addressed after', fmtMs(tAssigned - tStart));
    line(
      'assignment rate (first create to last ip)',
      `${((SERVICES * 1000) / (tAssigned - tStart)).toFixed(0)} Services/s`,
    );
    line('create-return -> ingress p50', fmtMs(quantile(fromCreate, 0.5)));
    line('create-return -> ingress p90', fmtMs(quantile(fromCreate, 0.9)));
    line('create-return -> ingress p99', fmtMs(quantile(fromCreate, 0.99)));
    line('create-return -> ingress max', fmtMs(quantile(fromCreate, 1)));
    line('creationTimestamp -> ingress p50 (1 s res.)', fmtMs(quantile(fromStamp, 0.5)));
    line('creationTimestamp -> ingress p99 (1 s res.)', fmtMs(quantile(fromStamp, 0.99)));
    line('controller RSS idle (leading, empty)', fmtMiB(idle?.rssKiB));
    line('controller RSS peak sampled (250 ms)', fmtMiB(peak?.rssKiB));
    line('controller RSS at end', fmtMiB(final?.rssKiB));
    line('controller VmHWM at end', fmtMiB(final?.hwmKiB));
    line('controller CPU during the run', `${(cpuAfter - cpuBefore).toFixed(1)} s`);
    line(
      'sanity: addressed / distinct / in pool',
      `${all.length} / ${new Set(all).size} / ${all.filter(inScalePool).length}`,
    );
    line(
      'sanity: shared addresses (watch, LIST)',
      `${watch.ledger.violations.length}, ${sharedAddresses(view).length}`,
    );
    line('sanity: pool status assignedIPv6', String(pool.status?.assignedIPv6 ?? '?'));
  } finally {
    if (controller) await controller.terminate();
    await stopScaleCluster(cluster);
    build?.dispose();
  }
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
