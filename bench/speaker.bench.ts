// Speaker memory with 1,000 announced Services, in the harness's world: three nodes, ironlb installed from
// manifests/ironlb-native.yaml (speakers from the DaemonSet, run by the process kubelets: compiled JavaScript
// when `npm run build:release` left dist/, else under ts-node as in the e2e tests), an IPv6 pool on the nodes' segment, backends on every node and N single-stack IPv6
// LoadBalancer Services. Prints each speaker's RSS (VmRSS, VmHWM) idle and once every address is announced
// (the sum of metallb_speaker_announced over the speakers). Prints figures, asserts nothing (bench/README.md).
//
// Under ts-node the TypeScript compiler's own heap is in the speaker's RSS: the shipped figure is the compiled
// one (`npm run build:release && make bench-speaker; rm -rf dist`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultImageTable, ironlbEntry } from '../e2e/harness/kubelet/images';
import { REPO_ROOT } from '../e2e/harness/paths';
import { SPEAKER_NODE_FLAGS } from '../speaker/runtimeflags';
import { applyManifest, METALLB_NAMESPACE as NS } from '../e2e/install/manifest';
import {
  applyWhenAdmitted,
  installAndWaitForSpeakers,
  startCluster,
  type InstalledCluster,
} from '../e2e/install/cluster';
import { backendObjects, BACKEND_PORT, type Doc } from '../e2e/demo/objects';
import { waitFor } from '../e2e/harness/readiness';
import { speakerMetricsText } from '../e2e/install/layer2kit';

const SERVICES = Number(process.env['IRONLB_BENCH_SERVICES'] ?? 1000);
const POOL = '2001:db8:1::1:0/112';
const NODES = 3;

function rss(pid: number): { rssMiB: number; hwmMiB: number; anonMiB: number; fileMiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s*(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN);
  return {
    rssMiB: kib('VmRSS') / 1024,
    hwmMiB: kib('VmHWM') / 1024,
    anonMiB: kib('RssAnon') / 1024,
    fileMiB: kib('RssFile') / 1024,
  };
}

function service(i: number): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `bench-${i}`, namespace: 'default' },
    spec: {
      type: 'LoadBalancer',
      ipFamilies: ['IPv6'],
      ipFamilyPolicy: 'SingleStack',
      allocateLoadBalancerNodePorts: false,
      selector: { app: 'demo' },
      ports: [{ port: BACKEND_PORT, targetPort: BACKEND_PORT, protocol: 'TCP' }],
    },
  };
}

async function announcedTotal(cluster: InstalledCluster): Promise<number> {
  let total = 0;
  for (const n of cluster.world.nodes) {
    const text = await speakerMetricsText(cluster.world, n, 5);
    for (const line of text.split('\n')) if (/^metallb_speaker_announced\{.* 1$/.test(line)) total++;
  }
  return total;
}

/** The speaker's own view of its memory, from the nodejs_* metrics of its /metrics endpoint, in MiB. */
async function heapFigures(
  cluster: InstalledCluster,
  role: string,
): Promise<{ used: number; total: number; external: number }> {
  const n = cluster.world.nodes.find((x) => x.role === role);
  const text = n ? await speakerMetricsText(cluster.world, n, 5) : '';
  const pick = (name: string): number =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return {
    used: pick('nodejs_heap_size_used_bytes'),
    total: pick('nodejs_heap_size_total_bytes'),
    external: pick('nodejs_external_memory_bytes'),
  };
}

const say = (line: string): void => {
  process.stderr.write(`[speaker.bench] ${line}\n`);
};

async function main(): Promise<void> {
  // IRONLB_BENCH_SPEAKER_EXTRA_FLAGS (space-separated) adds Node flags after the shipped ones, for memory
  // experiments: `--heapsnapshot-signal=SIGUSR2` with IRONLB_BENCH_HEAPSNAPSHOT=1, or `-r <preload>`.
  const extra = (process.env['IRONLB_BENCH_SPEAKER_EXTRA_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  // IRONLB_BENCH_SPEAKER_ENV (space-separated NAME=value) starts the speaker through env(1) with those
  // variables, for allocator experiments (MALLOC_ARENA_MAX=2 ...); env execs node, so the PID is node's.
  const env = (process.env['IRONLB_BENCH_SPEAKER_ENV'] ?? '').split(' ').filter((f) => f !== '');
  const speakerEntry = ironlbEntry(/(^|\/)ironlb-speaker([:@]|$)/, 'speaker/main.ts', [
    ...SPEAKER_NODE_FLAGS,
    ...extra,
  ]);
  const cluster = await startCluster({
    nodes: NODES,
    onStep: say,
    ...(extra.length > 0 || env.length > 0
      ? {
          kubelet: {
            images: [
              {
                ...speakerEntry,
                entrypoint:
                  env.length > 0
                    ? ['/usr/bin/env', ...env, ...speakerEntry.entrypoint]
                    : speakerEntry.entrypoint,
              },
              ...defaultImageTable(),
            ],
          },
        }
      : {}),
  });
  say(`speaker flags: ${[...SPEAKER_NODE_FLAGS, ...extra].join(' ')}; env: ${env.join(' ') || '(none)'}`);
  try {
    const { admin } = cluster;
    const speakers = await installAndWaitForSpeakers(cluster);
    const pids = new Map<string, number>();
    for (const [node, pod] of speakers) {
      const pid = cluster.kubelets.find((k) => k.node.name === node)?.pidsOf(NS, pod.metadata.name)[0];
      if (pid === undefined) throw new Error(`no speaker process on ${node}`);
      pids.set(node, pid);
    }
    const l2: Doc[] = [
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'bench-pool', namespace: NS },
        spec: { addresses: [POOL] },
      },
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'L2Advertisement',
        metadata: { name: 'bench', namespace: NS },
        spec: { ipAddressPools: ['bench-pool'] },
      },
    ];
    await applyWhenAdmitted(admin, l2);
    await applyManifest(admin, backendObjects(NODES, { readinessProbe: false }));
    await new Promise((r) => setTimeout(r, 5_000));
    say('speakers Ready, pool applied; measuring idle RSS');
    const idle = [...pids].map(([node, pid]) => ({ node, ...rss(pid) }));
    if (process.env['IRONLB_BENCH_HEAPSNAPSHOT'] === '1') {
      for (const pid of pids.values()) process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 20_000));
    }
    for (const x of idle)
      say(
        `idle ${x.node}: RSS ${x.rssMiB.toFixed(1)} MiB, peak ${x.hwmMiB.toFixed(1)} MiB, V8 heap used ${(await heapFigures(cluster, x.node)).used.toFixed(1)} MiB`,
      );
    const t0 = Date.now();
    for (let i = 0; i < SERVICES; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, SERVICES - i) }, (_, j) => applyManifest(admin, [service(i + j)])),
      );
    }
    say(`created ${SERVICES} Services in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    let announced = 0;
    await waitFor(
      `${SERVICES} addresses announced`,
      async () => {
        announced = await announcedTotal(cluster);
        say(`${announced} of ${SERVICES} announced`);
        return announced >= SERVICES;
      },
      { timeoutMs: 600_000, intervalMs: 2_000 },
    );
    const took = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 10_000));
    console.log(
      `speaker RSS, ${NODES} speakers ${fs.existsSync(path.join(REPO_ROOT, 'dist', 'speaker', 'main.js')) ? 'compiled (dist/)' : 'under ts-node'}, ${SERVICES} IPv6 Services from ${POOL}`,
    );
    const [anyPid] = [...pids.values()];
    if (anyPid !== undefined) {
      const argv = fs.readFileSync(`/proc/${anyPid}/cmdline`, 'utf8').split('\0');
      const script = argv.findIndex((a) => a.endsWith('.js') || a.endsWith('.ts'));
      const flags = argv.slice(1, script).filter((a) => a.startsWith('--'));
      console.log(`speaker Node flags: ${flags.join(' ') || '(none)'}`);
    }
    console.log(`all ${announced} announced ${(took / 1000).toFixed(1)} s after the first create`);
    console.log(
      'node   | idle RSS MiB | RSS MiB with all announced | peak (VmHWM) MiB | V8 heap used / total MiB | external MiB',
    );
    for (const [node, pid] of pids) {
      const now = rss(pid);
      const before = idle.find((x) => x.node === node);
      const heap = await heapFigures(cluster, node);
      console.log(
        `${node.padEnd(6)} | ${(before?.rssMiB ?? NaN).toFixed(1).padStart(12)} | ${now.rssMiB.toFixed(1).padStart(26)} | ${now.hwmMiB.toFixed(1).padStart(16)} | ${heap.used.toFixed(1).padStart(11)} / ${heap.total.toFixed(1).padEnd(10)} | ${heap.external.toFixed(1).padStart(12)}`,
      );
    }
    // V8 gives pages back after the burst only when its memory reducer runs on an idle process.
    await new Promise((r) => setTimeout(r, 60_000));
    console.log(
      `a minute later: ${[...pids]
        .map(([node, pid]) => {
          const r = rss(pid);
          return `${node} ${r.rssMiB.toFixed(1)} MiB (anonymous ${r.anonMiB.toFixed(1)}, file-backed ${r.fileMiB.toFixed(1)})`;
        })
        .join(', ')}`,
    );
    if (process.env['IRONLB_BENCH_HEAPSNAPSHOT'] === '1') {
      // Needs IRONLB_BENCH_SPEAKER_EXTRA_FLAGS=--heapsnapshot-signal=SIGUSR2 (an experiment, not shipped):
      // each writes Heap.*.heapsnapshot into its working directory, the repository root.
      for (const pid of pids.values()) process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 30_000));
    }
  } finally {
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
