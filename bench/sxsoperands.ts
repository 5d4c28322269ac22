// The two controllers of sxs.bench.ts as operands: how each is installed and started in either mode
// (IRONLB_SXS_CONTROLLER), how it is restarted after a kill -9, and what the bench changed in its manifest or
// arguments, for the printout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import type { MetallbBuild } from '../e2e/harness/kubelet/metallb';
import { spawnManaged } from '../e2e/harness/processes';
import { waitFor } from '../e2e/harness/readiness';
import { applyCrds, parseManifest } from '../e2e/install/manifest';
import { NS } from '../testkit/metallbcluster';
import type { KubeObject } from '../kube/object';
import {
  type ChildController,
  compileController,
  type ControllerBuild,
  leaseHolder,
  spawnController,
  startScaleCluster,
  stopScaleCluster,
  superviseChild,
} from '../testkit/controllerprocess';
import {
  applyCrdsServed,
  deployController,
  ironlbRelease,
  type MeasuredController,
  metallbRelease,
  type PodController,
  type ReleaseManifest,
  runningController,
  startManifestCluster,
} from './sxsmanifest';

/** manifest: each side's release manifest, its controller a Deployment pod; process: a plain child process. */
export type ControllerMode = 'manifest' | 'process';

export type Side = 'ironlb' | 'metallb';

/** One side's controller in one run: its control plane, and how to start it and restart it. */
export interface Installed {
  readonly cp: ControlPlane;
  readonly api: HarnessRestClient;
  start(): Promise<MeasuredController>;
  /** kill -9 of the running process, and the next one. */
  restart(): Promise<MeasuredController>;
  stop(): Promise<void>;
}

/** One controller implementation: how to install it and start it, and how its run differs. */
export interface Operand {
  readonly side: Side;
  readonly describe: string;
  install(): Promise<Installed>;
  /** Extra readiness beyond the canary (ironlb: the Lease). */
  ready(api: HarnessRestClient, c: MeasuredController): Promise<void>;
  dispose(): void;
}

/** A plain child process as a MeasuredController; its run starts when the bench spawned it. */
function measuredChild(c: ChildController, startedAt: number): MeasuredController {
  return {
    identity: c.identity,
    startedAt,
    isRunning: () => c.proc.running,
    memory: () => c.memory(),
    cpuSeconds: () => c.cpuSeconds(),
    logTail: (lines) => c.proc.logTail(lines),
  };
}

/** Process mode: the lean control plane of startScaleCluster and the controller as our own child process. */
async function processInstall(
  side: Side,
  installCrds: (api: HarnessRestClient) => Promise<void>,
  spawn: (cp: ControlPlane, identity: string) => Promise<ChildController>,
): Promise<Installed> {
  const cluster = await startScaleCluster({ installCrds });
  let current: ChildController | undefined;
  const next = async (n: number): Promise<MeasuredController> => {
    const t = performance.now();
    current = await spawn(cluster.cp, `${side}-${n}`);
    return measuredChild(current, t);
  };
  return {
    cp: cluster.cp,
    api: cluster.api,
    start: () => next(1),
    restart: async () => {
      await current?.kill();
      current = undefined;
      return next(2);
    },
    stop: async () => {
      await current?.terminate();
      await stopScaleCluster(cluster);
    },
  };
}

/** Manifest mode: the side's release manifest, its controller a Deployment pod run by the process kubelet. */
async function manifestInstall(release: ReleaseManifest): Promise<Installed> {
  const cluster = await startManifestCluster(release);
  let current: PodController | undefined;
  return {
    cp: cluster.cp,
    api: cluster.api,
    start: async () => {
      current = await deployController(cluster, release);
      return current;
    },
    restart: async () => {
      if (current === undefined) throw new Error('restart before start');
      current.kill();
      current = await runningController(cluster, current);
      return current;
    },
    stop: () => cluster.stop(),
  };
}

export async function ironlbOperand(mode: ControllerMode, logLevel: string): Promise<Operand> {
  const build: ControllerBuild = await compileController();
  const release = ironlbRelease(build, logLevel);
  const ready = async (api: HarnessRestClient, c: MeasuredController): Promise<void> => {
    await waitFor(
      `${c.identity} holds the Lease`,
      async () => {
        if (!c.isRunning()) throw new Error(`${c.identity} exited; log:\n${c.logTail(40)}`);
        return (await leaseHolder(api)).holder === c.identity;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  };
  return {
    side: 'ironlb',
    describe:
      mode === 'manifest'
        ? `ironlb controller from manifests/ironlb-native.yaml, image run as this tree compiled (plain node ${process.version}); changed: ${release.changes.join('; ')}`
        : `ironlb controller (this tree, plain node ${process.version}), --log-level=${logLevel}, leader election on, webhooks off`,
    install: () =>
      mode === 'manifest'
        ? manifestInstall(release)
        : processInstall(
            'ironlb',
            (api) => applyCrds(api, NS),
            (cp, identity) => spawnController(cp, identity, build, { logLevel: logLevel }),
          ),
    ready,
    dispose: () => build.dispose(),
  };
}

interface DeploymentShape {
  spec?: {
    template?: { spec?: { containers?: { args?: string[]; env?: { name: string; value?: string }[] }[] } };
  };
}

/**
 * MetalLB's controller. Manifest mode: its release manifest (sxsmanifest.ts). Process mode: the arguments and
 * environment of its own Deployment (metallb-native.yaml), changed only where the harness or the comparison
 * needs it; each change is printed with the table.
 */
export function metallbOperand(build: MetallbBuild, mode: ControllerMode, logLevel: string): Operand {
  const docs = parseManifest(fs.readFileSync(build.nativeManifest, 'utf8'), build.nativeManifest);
  const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
  const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata?.name === 'controller') as
    (KubeObject & DeploymentShape) | undefined;
  const container = deployment?.spec?.template?.spec?.containers?.[0];
  if (container === undefined) throw new Error(`${build.nativeManifest}: no controller Deployment`);
  const changed = new Map<string, string>([
    // No webhook server: ironlb runs with --webhook-mode=disabled too, and nothing here calls a webhook.
    ['--webhook-mode', 'disabled'],
    // The manifest relies on the ServiceAccount's namespace file at its compiled-in path, which a plain
    // process does not have; ironlb gets --namespace as well.
    ['--namespace', NS],
    // Metrics on a free port: two controllers on one host must not clash on 7472.
    ['--port', '0'],
    ['--log-level', logLevel],
  ]);
  const args = [
    ...(container.args ?? []).filter((a) => !changed.has(a.split('=')[0] ?? '')),
    ...[...changed].map(([k, v]) => `${k}=${v}`),
  ];
  // METALLB_ML_SECRET_NAME makes the controller create the speakers' memberlist Secret, owned by its
  // Deployment object; there are no speakers and no Deployment in process mode, so it is left out.
  const env = Object.fromEntries(
    (container.env ?? [])
      .filter((e) => e.name !== 'METALLB_ML_SECRET_NAME' && e.value !== undefined)
      .map((e) => [e.name, e.value ?? '']),
  );
  const release = metallbRelease(build, logLevel);
  const spawn = async (cp: ControlPlane, identity: string): Promise<ChildController> =>
    superviseChild(
      identity,
      await spawnManaged(`metallb-controller-${identity}`, build.controller, {
        args,
        env: { ...env, KUBECONFIG: cp.kubeconfigPath, HOME: cp.runDir },
        logFile: path.join(cp.runDir, 'logs', `metallb-controller-${identity}.log`),
        cwd: cp.runDir,
      }),
    );
  return {
    side: 'metallb',
    describe:
      mode === 'manifest'
        ? `MetalLB ${build.version} controller from its metallb-native.yaml, image run as ${path.relative(process.cwd(), build.controller)}; changed: ${release.changes.join('; ')}; no leader election (upstream has none)`
        : `MetalLB ${build.version} controller (${path.relative(process.cwd(), build.controller)}), args ${args.join(' ')}; no leader election (upstream has none)`,
    install: () =>
      mode === 'manifest'
        ? manifestInstall(release)
        : processInstall('metallb', (api) => applyCrdsServed(api, crds), spawn),
    ready: () => Promise.resolve(),
    dispose: () => undefined,
  };
}
