// ironlb's controller and upstream MetalLB's, side by side on identical work: each on a fresh control plane of
// its own (one after the other, so they never see each other or share the cores), the same Services from the
// same writers, the same pool, the same log level. Prints one table with both columns and the ratio, and the
// spread over IRONLB_SXS_REPEAT runs. Figures only; nothing is asserted.
//
// MetalLB is built from the Go module proxy by `scripts/build-cluster-bins.sh metallb` (only when asked).
// IRONLB_SXS_CONTROLLER=manifest (the default): each controller from its own release manifest, a Deployment pod
// placed by the scheduler and run by the process kubelet (bench/sxsmanifest.ts); =process: each controller a
// plain child process on a control plane without scheduler or controllers, MetalLB's with the arguments of its
// manifest's Deployment.
//
// Run: make bench-sxs
// Knobs: IRONLB_SXS_SERVICES (5000), IRONLB_SXS_WRITERS (4), IRONLB_SXS_REPEAT (1), IRONLB_SXS_RATE (creates
// per second, open loop; 0 = as fast as the writers go), IRONLB_SXS_LOG_LEVEL (info, both),
// IRONLB_SXS_ONLY (ironlb or metallb: one column only), IRONLB_SXS_CONTROLLER (manifest or process); speaker rows (bench/sxsspeaker.ts): IRONLB_SXS_SPEAKER
// (1; 0 skips them, controller only), IRONLB_SXS_L2_NODES (3), IRONLB_SXS_L2_TRIALS (5 kill -9 trials),
// IRONLB_SXS_L2_SERVICES (20 more announced Services for the loaded RSS). IRONLB_SXS_SPEAKER=only skips the
// controller rows. BGP rows (bench/sxsbgp.ts, part of the speaker rows): IRONLB_SXS_BGP (1; 0 skips them, only:
// BGP rows alone), IRONLB_SXS_BGP_SERVICES (10000 IPv6), IRONLB_SXS_BGP_V4_SERVICES (120 IPv4, at most 128),
// IRONLB_SXS_BGP_REPEAT (2 trials per side).
import { performance } from 'node:perf_hooks';
import type { ControlPlane } from '../e2e/harness/controlplane';
import { metallbBuild } from '../e2e/harness/kubelet/metallb';
import {
  createServices,
  listAddresses,
  sleep,
  superviseChild,
  watchAddresses,
} from '../testkit/controllerprocess';
import { quantile, sharedAddresses } from '../testkit/addressledger';
import type { MeasuredController } from './sxsmanifest';
import {
  type ControllerMode,
  type Installed,
  ironlbOperand,
  metallbOperand,
  type Operand,
  type Side,
} from './sxsoperands';
import { bgpRows } from './sxsbgp';
import { speakerFigures, type SpeakerFigures } from './sxsspeaker';

const knob = (name: string, fallback: string): string => process.env[`IRONLB_SXS_${name}`] ?? fallback;
const [SERVICES, WRITERS, REPEAT, RATE] = (
  [
    ['SERVICES', 5000],
    ['WRITERS', 4],
    ['REPEAT', 1],
    ['RATE', 0],
  ] as const
).map(([name, fallback]) => Number(knob(name, String(fallback)))) as [number, number, number, number];
const LOG_LEVEL = knob('LOG_LEVEL', 'info');
const SPEAKER = knob('SPEAKER', '1');
const [L2_NODES, L2_TRIALS, L2_SERVICES] = (
  [
    ['L2_NODES', 3],
    ['L2_TRIALS', 5],
    ['L2_SERVICES', 20],
  ] as const
).map(([name, fallback]) => Number(knob(name, String(fallback)))) as [number, number, number];
const ONLY = knob('ONLY', '');
const BGP = knob('BGP', '1');
const [BGP_SERVICES, BGP_V4_SERVICES, BGP_REPEAT] = (
  [
    ['BGP_SERVICES', 10_000],
    ['BGP_V4_SERVICES', 120],
    ['BGP_REPEAT', 2],
  ] as const
).map(([name, fallback]) => Number(knob(name, String(fallback)))) as [number, number, number];
const MODE = ((mode: string): ControllerMode => {
  if (mode !== 'manifest' && mode !== 'process')
    throw new Error(`IRONLB_SXS_CONTROLLER=${mode}: give manifest or process`);
  return mode;
})(knob('CONTROLLER', 'manifest'));
const NAMESPACE = 'bench';
/** A Service created before the controller starts: spawn until it is addressed is "ready" for both. */
const CANARY_NAMESPACE = 'canary';
/** After a restart the controller is quiet once its CPU grows by less than this over QUIET_WINDOW_MS. */
const QUIET_CPU_SECONDS = 0.02;
const QUIET_WINDOW_MS = 2_000;
const SAMPLE_MS = 100;
const ADDRESSED_TIMEOUT_MS = 30 * 60_000;
const RESYNC_TIMEOUT_MS = 10 * 60_000;

/** One run's figures for one side; undefined where a figure could not be taken. */
type Figures = Record<string, number | undefined>;

/** Where "spawn" starts in each mode. */
const START =
  MODE === 'manifest' ? 'container process start (/proc/PID/stat)' : 'spawn (the bench starts the process)';
const RESTART =
  MODE === 'manifest'
    ? 'restart (kill -9, the kubelet restarts the container)'
    : 'restart (kill -9, the bench spawns a new process)';

const FIGURES: readonly { key: string; label: string; unit: 'ms' | 's' | 'MiB' | 'n' }[] = [
  { key: 'ready', label: `${START} -> canary addressed`, unit: 'ms' },
  { key: 'allAddressed', label: 'all Services addressed after', unit: 's' },
  { key: 'p50', label: 'create-return -> ingress p50', unit: 'ms' },
  { key: 'p99', label: 'create-return -> ingress p99', unit: 'ms' },
  { key: 'cpu', label: 'controller CPU during the run', unit: 's' },
  { key: 'rssIdle', label: 'controller RSS idle', unit: 'MiB' },
  { key: 'rssPeak', label: 'controller RSS peak (VmHWM)', unit: 'MiB' },
  { key: 'apiCpu', label: 'kube-apiserver CPU during the run', unit: 's' },
  { key: 'etcdCpu', label: 'etcd CPU during the run', unit: 's' },
  { key: 'quiet', label: `${RESTART}: new process -> quiet`, unit: 's' },
  { key: 'resyncCpu', label: 'restart: CPU to resync', unit: 's' },
  { key: 'resyncApiCpu', label: 'restart: kube-apiserver CPU', unit: 's' },
  { key: 'rssResynced', label: 'restart: RSS once quiet', unit: 'MiB' },
  { key: 'changed', label: 'restart: addresses changed', unit: 'n' },
  { key: 'shared', label: 'sanity: addresses on two Services', unit: 'n' },
];

function componentCpu(cp: ControlPlane, name: string): () => number {
  const proc = cp.processes.find((p) => p.name === name);
  if (proc === undefined) throw new Error(`control plane has no ${name} process`);
  const child = superviseChild(name, proc);
  return () => child.cpuSeconds() ?? Number.NaN;
}

/** Resolves with the start-relative time and CPU at the start of the first quiet window. */
async function untilQuiet(c: MeasuredController): Promise<{ atMs: number; cpu: number }> {
  const samples: { t: number; cpu: number }[] = [];
  const deadline = performance.now() + RESYNC_TIMEOUT_MS;
  for (;;) {
    if (!c.isRunning()) throw new Error(`${c.identity} exited; log:\n${c.logTail(20)}`);
    const now = performance.now();
    samples.push({ t: now, cpu: c.cpuSeconds() ?? Number.NaN });
    const windowStart = samples.find((s) => s.t >= now - QUIET_WINDOW_MS);
    const last = samples[samples.length - 1];
    if (
      windowStart !== undefined &&
      last !== undefined &&
      now - c.startedAt >= QUIET_WINDOW_MS &&
      last.t - windowStart.t >= QUIET_WINDOW_MS - 2 * SAMPLE_MS &&
      last.cpu - windowStart.cpu < QUIET_CPU_SECONDS
    )
      return { atMs: windowStart.t - c.startedAt, cpu: windowStart.cpu };
    if (now > deadline) throw new Error(`${c.identity} not quiet after ${RESYNC_TIMEOUT_MS} ms`);
    await sleep(SAMPLE_MS);
  }
}

/** Runs `work`, failing at once (with the controller's log) if the controller exits meanwhile. */
async function whileRunning<T>(c: MeasuredController, work: Promise<T>): Promise<T> {
  let done = false;
  const watch = (async (): Promise<never> => {
    while (!done) {
      if (!c.isRunning()) throw new Error(`${c.identity} exited; log:\n${c.logTail(20)}`);
      await sleep(250);
    }
    return new Promise<never>(() => undefined);
  })();
  try {
    return await Promise.race([work, watch]);
  } finally {
    done = true;
  }
}

async function runOne(op: Operand): Promise<Figures> {
  let installed: Installed | undefined;
  const f: Figures = {};
  try {
    installed = await op.install();
    const { cp, api } = installed;
    for (const name of [NAMESPACE, CANARY_NAMESPACE])
      await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } });
    const watch = await watchAddresses(cp, api);
    await createServices(api, CANARY_NAMESPACE, ['canary'], 1);
    const apiCpu = componentCpu(cp, 'kube-apiserver');
    const etcdCpu = componentCpu(cp, 'etcd');

    const first = await installed.start();
    await whileRunning(
      first,
      watch.ledger.until(
        'the canary addressed',
        () => watch.ledger.counts(CANARY_NAMESPACE).addressed === 1,
        120_000,
      ),
    );
    const canaryAt = watch.ledger.firstAddressedAt.get(`${CANARY_NAMESPACE}/canary`) ?? performance.now();
    f.ready = canaryAt - first.startedAt;
    await op.ready(api, first);
    await sleep(3_000);
    f.rssIdle = first.memory()?.rssKiB;

    const createdAt = new Map<string, number>();
    const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
    const before = { cpu: first.cpuSeconds() ?? 0, api: apiCpu(), etcd: etcdCpu() };
    const tStart = performance.now();
    await whileRunning(
      first,
      (async () => {
        await createServices(api, NAMESPACE, names, WRITERS, { createdAt, ratePerSecond: RATE });
        await watch.ledger.until(
          `${SERVICES} Services addressed`,
          () => watch.ledger.counts(NAMESPACE).addressed === SERVICES,
          ADDRESSED_TIMEOUT_MS,
        );
      })(),
    );
    f.allAddressed = (performance.now() - tStart) / 1000;
    f.cpu = (first.cpuSeconds() ?? Number.NaN) - before.cpu;
    f.apiCpu = apiCpu() - before.api;
    f.etcdCpu = etcdCpu() - before.etcd;
    f.rssPeak = first.memory()?.hwmKiB;
    const latencies = [...createdAt].flatMap(([key, created]) => {
      const at = watch.ledger.firstAddressedAt.get(key);
      return at === undefined ? [] : [Math.max(0, at - created)];
    });
    f.p50 = quantile(latencies, 0.5);
    f.p99 = quantile(latencies, 0.99);

    // Restart: SIGKILL, a new process, and how long and how much work until it settles on the same answer.
    const snapshot = await listAddresses(api);
    const apiBefore = apiCpu();
    const second = await installed.restart();
    const quiet = await untilQuiet(second);
    f.quiet = quiet.atMs / 1000;
    f.resyncCpu = quiet.cpu;
    f.resyncApiCpu = apiCpu() - apiBefore;
    f.rssResynced = second.memory()?.rssKiB;
    const after = await listAddresses(api);
    f.changed = [...snapshot].filter(
      ([key, ips]) => (after.get(key) ?? []).join(',') !== ips.join(','),
    ).length;
    f.shared = watch.ledger.violations.length + sharedAddresses(after).length;
    watch.stop();
    return f;
  } finally {
    await installed?.stop();
  }
}

function fmt(unit: string, v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '?';
  switch (unit) {
    case 'ms':
      return `${v.toFixed(0)} ms`;
    case 's':
      return `${v.toFixed(1)} s`;
    case 'MiB':
      return `${(v / 1024).toFixed(1)} MiB`;
    default:
      return String(v);
  }
}

function cell(key: string, unit: string, runs: readonly Figures[]): { text: string; median: number } {
  const values = runs.map((r) => r[key]).filter((v): v is number => v !== undefined && !Number.isNaN(v));
  const median = quantile(values, 0.5);
  if (values.length === 0) return { text: '?', median };
  const show = (v: number): string => fmt(unit, v);
  const text =
    values.length === 1
      ? show(median)
      : `${show(median)} (${show(Math.min(...values))}..${show(Math.max(...values))})`;
  return { text, median };
}

function printTable(sides: readonly Operand[], results: ReadonlyMap<Side, Figures[]>): void {
  const header = ['figure', ...sides.map((s) => s.side), ...(sides.length === 2 ? ['MetalLB / ironlb'] : [])];
  const rows = FIGURES.map(({ key, label, unit }) => {
    const cells = sides.map((s) => cell(key, unit, results.get(s.side) ?? []));
    const [a, b] = cells;
    const ratio =
      a !== undefined && b !== undefined && unit !== 'n' && a.median > 0
        ? `${(b.median / a.median).toFixed(2)}x`
        : '';
    return [label, ...cells.map((c) => c.text), ...(sides.length === 2 ? [ratio] : [])];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

const UNFAIR_COMMON =
  'MetalLB has no leader election, ironlb holds and renews a Lease; Go runs on both cores, ironlb on one ' +
  'Node main thread.';
const UNFAIR_MANIFEST =
  `unfair: ${UNFAIR_COMMON} Both with the webhooks their manifests enable (unused here); after the kill -9 ` +
  "ironlb's new process has the same pod name and takes its own Lease at once. The pods share the host's " +
  'network namespace and the bench process also runs the kubelet, the writers and the watch, the same for both.';
const UNFAIR_PROCESS = `unfair: ${UNFAIR_COMMON} Webhooks off on both; no memberlist Secret for MetalLB.`;

async function main(): Promise<void> {
  const sides: Operand[] = [];
  try {
    if (ONLY !== 'metallb') sides.push(await ironlbOperand(MODE, LOG_LEVEL));
    if (ONLY !== 'ironlb') sides.push(metallbOperand(metallbBuild(), MODE, LOG_LEVEL));
    console.log(
      `side by side: ${SERVICES} LoadBalancer Services, ${WRITERS} writers${RATE > 0 ? `, paced at ${RATE}/s` : ', unpaced'}, ${REPEAT} run(s), a fresh control plane per side and run, controllers ${MODE === 'manifest' ? 'from their manifests (Deployment pods, process kubelet)' : 'as plain processes'}`,
    );
    for (const s of sides) console.log(`  ${s.side}: ${s.describe}`);
    const results = new Map<Side, Figures[]>(sides.map((s) => [s.side, []]));
    const controllerRows = SPEAKER !== 'only' && BGP !== 'only';
    for (let run = 1; run <= (controllerRows ? REPEAT : 0); run++) {
      for (const s of sides) {
        const t = performance.now();
        const f = await runOne(s);
        results.get(s.side)?.push(f);
        console.log(
          `run ${run}/${REPEAT} ${s.side}: ${((performance.now() - t) / 1000).toFixed(0)} s; ${FIGURES.map(({ key }) => `${key}=${f[key]?.toFixed(1) ?? '?'}`).join(' ')}`,
        );
      }
    }
    if (controllerRows) {
      console.log('');
      printTable(sides, results);
      console.log(
        '\nmedian (min..max) over the runs; ratio > 1: MetalLB takes more. "quiet": CPU growing by less than ' +
          `${QUIET_CPU_SECONDS} s over ${QUIET_WINDOW_MS / 1000} s after a kill -9 and a new process.`,
      );
      console.log(MODE === 'manifest' ? UNFAIR_MANIFEST : UNFAIR_PROCESS);
    }
    if (SPEAKER !== '0' && BGP !== 'only') await speakerRows();
    if (SPEAKER !== '0' && BGP !== '0')
      await bgpRows({
        services: BGP_SERVICES,
        v4Services: BGP_V4_SERVICES,
        repeat: BGP_REPEAT,
        logLevel: LOG_LEVEL,
        only: ONLY,
        say: (line) => void process.stderr.write(`${line}\n`),
      });
  } finally {
    for (const s of sides) s.dispose();
  }
}

const SPEAKER_ROWS: readonly { key: keyof SpeakerFigures; label: string; unit: string }[] = [
  { key: 'trials', label: 'L2 failover trials (kill -9 of the owner)', unit: 'n' },
  { key: 'garpP50', label: 'L2 failover: gratuitous ARP p50', unit: 'ms' },
  { key: 'garpP99', label: 'L2 failover: gratuitous ARP p99', unit: 'ms' },
  { key: 'httpP50', label: 'L2 failover: client HTTP again p50', unit: 'ms' },
  { key: 'httpP99', label: 'L2 failover: client HTTP again p99', unit: 'ms' },
  { key: 'macsConverged', label: 'MACs answering the address, converged', unit: 'n' },
  { key: 'macsAfterRejoin', label: 'MACs answering after owner link down/up', unit: 'n' },
  { key: 'rssIdleMiB', label: 'speaker RSS idle (median of nodes)', unit: 'MiB' },
  { key: 'rssLoadedMiB', label: `speaker RSS with ${L2_SERVICES + 1} Services`, unit: 'MiB' },
];

/** Both speakers on the same Layer 2 work, one world after the other (bench/sxsspeaker.ts). */
async function speakerRows(): Promise<void> {
  const say = (line: string): void => {
    process.stderr.write(`[sxs speaker] ${line}\n`);
  };
  const knobs = { nodes: L2_NODES, trials: L2_TRIALS, services: L2_SERVICES, say };
  const sides = (['ironlb', 'metallb'] as const).filter((s) => ONLY === '' || ONLY === s);
  const figures = new Map<string, SpeakerFigures>();
  for (const side of sides) figures.set(side, await speakerFigures(side, knobs));
  console.log(
    `\nspeakers, Layer 2: ${L2_NODES} nodes, ${L2_TRIALS} kill -9 trials each, both from their own manifests at ` +
      'log level info (MetalLB: its release manifest, controller port moved to 7572; ironlb: manifests/ironlb-native.yaml)',
  );
  console.log(`| figure | ${sides.join(' | ')} |${sides.length === 2 ? ' MetalLB / ironlb |' : ''}`);
  console.log(`|---|${sides.map(() => '---').join('|')}|${sides.length === 2 ? '---|' : ''}`);
  for (const { key, label, unit } of SPEAKER_ROWS) {
    const vals = sides.map((s) => figures.get(s)?.[key]);
    const [a, b] = vals;
    const ratio =
      sides.length === 2 && unit !== 'n' && a !== undefined && b !== undefined && a > 0
        ? ` ${(b / a).toFixed(2)}x |`
        : sides.length === 2
          ? ' |'
          : '';
    const show = (v: number | undefined): string =>
      v === undefined || Number.isNaN(v)
        ? '?'
        : unit === 'MiB'
          ? `${v.toFixed(1)} MiB`
          : unit === 'ms'
            ? `${v.toFixed(0)} ms`
            : String(v);
    console.log(`| ${label} | ${vals.map(show).join(' | ')} |${ratio}`);
  }
  console.log(
    "unfair: MetalLB's memberlist view cannot be read from outside, so after each return it gets a fixed 5 s " +
      "settle where ironlb's speakers are waited for until their membership agrees; ironlb answers IPv6 too " +
      '(NDP) in both worlds, the figures are IPv4.',
  );
}

// main() settles with process.exit; if the loop empties first, an await hangs on something only unref'd timers
// drive (kube/clock.ts's systemClock): say so and fail instead of ending with rc 0 and no table.
process.on('beforeExit', () => {
  console.error(
    'sxs: the event loop emptied before the bench finished; the last [sxs speaker] line is the step',
  );
  process.exit(3);
});

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
