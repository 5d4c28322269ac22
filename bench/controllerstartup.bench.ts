// The controller's footprint at rest: how long from spawn until it serves (holds the Lease, caches synced,
// "serving LoadBalancer services" logged) and its RSS once idle, over a few starts against one control plane
// with the CRDs and the scale pool, no Services. The controller runs as plain Node from tsc output, as shipped.
// Prints figures only; nothing is asserted, timings depend on the machine.
//
// Run: node -r ts-node/register/transpile-only bench/controllerstartup.bench.ts
// Knobs: IRONLB_BENCH_STARTS (default 5), IRONLB_BENCH_IDLE_MS (wait before reading RSS, default 5000),
// IRONLB_BENCH_KUBECONFIG=json (hand the controller the admin kubeconfig as JSON, as a pod's in-cluster
// credentials or the harness kubelet's kubeconfig would be: no YAML parser loaded), and
// IRONLB_BENCH_CONTROLLER_NODE_OPTIONS (e.g. --max-semi-space-size=1).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import {
  ChildController,
  compileController,
  ControllerBuild,
  ScaleCluster,
  sleep,
  spawnController,
  startScaleCluster,
  stopScaleCluster,
} from '../testkit/controllerprocess';

const STARTS = Number(process.env.IRONLB_BENCH_STARTS ?? 5);
const IDLE_MS = Number(process.env.IRONLB_BENCH_IDLE_MS ?? 5000);
const JSON_KUBECONFIG = process.env.IRONLB_BENCH_KUBECONFIG === 'json';
const NODE_OPTIONS = process.env.IRONLB_BENCH_CONTROLLER_NODE_OPTIONS ?? '';
const READY_LINE = 'serving LoadBalancer services';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** Polls the controller's log every 5 ms for its ready line; returns ms since `t0`. */
async function waitForReadyLine(c: ChildController, t0: number, timeoutMs = 30_000): Promise<number> {
  for (;;) {
    const elapsed = performance.now() - t0;
    let text = '';
    try {
      text = fs.readFileSync(c.proc.logFile, 'utf8');
    } catch {
      // Not written yet.
    }
    if (text.includes(READY_LINE)) return elapsed;
    if (!c.proc.running) throw new Error(`${c.proc.describeExit()}; log:\n${c.proc.logTail(40)}`);
    if (elapsed > timeoutMs) throw new Error(`controller not ready in ${timeoutMs} ms`);
    await sleep(5);
  }
}

async function run(): Promise<void> {
  let cluster: ScaleCluster | undefined;
  let build: ControllerBuild | undefined;
  try {
    build = await compileController();
    cluster = await startScaleCluster();
    if (JSON_KUBECONFIG) {
      const file = path.join(cluster.cp.runDir, 'admin.kubeconfig.json');
      fs.writeFileSync(file, JSON.stringify(parse(fs.readFileSync(cluster.cp.kubeconfigPath, 'utf8'))), {
        mode: 0o600,
      });
      build = { ...build, argv: [...build.argv, `--kubeconfig=${file}`] };
    }
    const ready: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const t0 = performance.now();
      const c = await spawnController(cluster.cp, `startup-${i}`, build, {
        logLevel: 'info',
        ...(NODE_OPTIONS !== '' ? { nodeOptions: NODE_OPTIONS } : {}),
      });
      try {
        ready.push(await waitForReadyLine(c, t0));
        await sleep(IDLE_MS);
        const mem = c.memory();
        if (mem !== undefined) rss.push(mem.rssKiB / 1024);
      } finally {
        // SIGTERM releases the Lease, so the next start takes it at once.
        await c.terminate();
      }
    }
    const fmt = (xs: number[], unit: string, digits: number): string =>
      `median ${median(xs).toFixed(digits)} ${unit} (runs: ${xs.map((x) => x.toFixed(digits)).join(', ')})`;
    console.log(
      `ironlb controller, ${STARTS} starts, no Services, ${JSON_KUBECONFIG ? 'JSON' : 'YAML'} kubeconfig` +
        (NODE_OPTIONS !== '' ? `, NODE_OPTIONS=${NODE_OPTIONS}` : ''),
    );
    console.log(`  spawn -> serving                 ${fmt(ready, 'ms', 0)}`);
    console.log(`  RSS idle after ${IDLE_MS} ms         ${fmt(rss, 'MiB', 1)}`);
  } finally {
    await stopScaleCluster(cluster);
    build?.dispose();
  }
}

run().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
