// The speakers bench/bgpkit.ts runs on its BGP work, each a plain process in the node namespace (no kubelet:
// the figures are the speaker's, and a DaemonSet pod would add only the process kubelet's own work):
// - ironlb native: speaker/main.ts (compiled when `npm run build:release` left dist/) with the shipped V8 flags;
// - ironlb FRR mode: the same with METALLB_BGP_TYPE=frr beside an FRR sidecar (e2e/harness/routers/frrsidecar.ts)
//   running the image's reloader (speaker/frr/frr-reloader.sh);
// - MetalLB native and MetalLB FRR mode: upstream's speaker binary (scripts/build-cluster-bins.sh metallb) with
//   the arguments and environment of the speaker container in its own release manifest (metallb-native.yaml,
//   metallb-frr.yaml), its FRR sidecar running upstream's frr-tools/reloader/frr-reloader.sh.
// What a side changes from its manifest is in its `describe`, printed with the figures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import type { MetallbBuild } from '../e2e/harness/kubelet/metallb';
import { nodeExecutable } from '../e2e/harness/net';
import { REPO_ROOT } from '../e2e/harness/paths';
import { startFrrSidecar, type SidecarReloader } from '../e2e/harness/routers/frrsidecar';
import { applyCrds, parseManifest } from '../e2e/install/manifest';
import type { KubeObject } from '../kube/object';
import { SPEAKER_NODE_FLAGS } from '../speaker/runtimeflags';
import { NS, create } from '../testkit/metallbcluster';
import { METRICS_PORT, type BgpSide, type RunningSpeaker, type SpeakerContext } from './bgpkit';
import { applyCrdsServed } from './sxsmanifest';

export type SpeakerMode = 'native' | 'frr';

interface SidecarFiles {
  readonly reloaderDir: string;
  readonly pids: () => number[];
}

async function sidecar(ctx: SpeakerContext, reloader: SidecarReloader): Promise<SidecarFiles> {
  const s = await startFrrSidecar(ctx.world, ctx.node.role, { reloader });
  return { reloaderDir: s.reloaderDir, pids: () => s.processes.map((p) => p.pid) };
}

/** ironlb's speaker, this tree. `extraNodeFlags` go after SPEAKER_NODE_FLAGS (a heap-snapshot signal, say). */
export function ironlbSpeaker(
  mode: SpeakerMode,
  logLevel = 'info',
  extraNodeFlags: readonly string[] = [],
): BgpSide {
  const compiled = path.join(REPO_ROOT, 'dist', 'speaker', 'main.js');
  const isCompiled = fs.existsSync(compiled);
  const flags = [...SPEAKER_NODE_FLAGS, ...extraNodeFlags];
  return {
    label: `ironlb ${mode}`,
    describe:
      `ironlb speaker (this tree, ${isCompiled ? 'compiled, dist/' : 'under ts-node'}, node ${flags.join(' ')}), ` +
      `--log-level=${logLevel}${mode === 'frr' ? ', METALLB_BGP_TYPE=frr beside an FRR sidecar (the image reloader, speaker/frr/frr-reloader.sh)' : ''}`,
    installCrds: (api: HarnessRestClient) => applyCrds(api, NS),
    async start(ctx: SpeakerContext): Promise<RunningSpeaker> {
      const frr = mode === 'frr' ? await sidecar(ctx, 'shipped') : undefined;
      const proc = await ctx.world.spawnIn(
        ctx.node.role,
        'speaker',
        [
          nodeExecutable(),
          ...flags,
          ...(isCompiled
            ? [compiled]
            : ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'speaker', 'main.ts')]),
          `--node-name=${ctx.node.role}`,
          `--host=${ctx.node.primary.v4}`,
          `--port=${METRICS_PORT}`,
          `--log-level=${logLevel}`,
        ],
        {
          cwd: REPO_ROOT,
          env: {
            KUBECONFIG: ctx.cp.kubeconfigPath,
            METALLB_NAMESPACE: NS,
            ...(frr === undefined
              ? {}
              : {
                  METALLB_BGP_TYPE: 'frr',
                  FRR_CONFIG_FILE: path.join(frr.reloaderDir, 'frr.conf'),
                  FRR_RELOADER_PID_FILE: path.join(frr.reloaderDir, 'reloader.pid'),
                }),
          },
        },
      );
      return { proc, sidecarPids: frr?.pids ?? (() => []), countsUpdates: frr === undefined };
    },
  };
}

interface ContainerShape {
  name?: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
}
interface DaemonSetShape {
  spec?: { template?: { spec?: { containers?: ContainerShape[] } } };
}

/** The speaker container of a MetalLB release manifest. */
export function upstreamSpeakerContainer(file: string): ContainerShape {
  const docs: KubeObject[] = parseManifest(fs.readFileSync(file, 'utf8'), file);
  const ds = docs.find((d) => d.kind === 'DaemonSet' && d.metadata?.name === 'speaker') as
    (KubeObject & DaemonSetShape) | undefined;
  const c = ds?.spec?.template?.spec?.containers?.find((x) => x.name === 'speaker');
  if (c === undefined) throw new Error(`${file}: no speaker container in a speaker DaemonSet`);
  return c;
}

/** Variables the bench sets itself (a pod gets them from the downward API or its files), or leaves out. */
const UPSTREAM_DROPPED = new Set([
  // memberlist: Layer 2's node-failure detection; one node and BGP only here, so no Secret and no gossip.
  'METALLB_ML_BIND_ADDR',
  'METALLB_ML_LABELS',
  'METALLB_ML_SECRET_KEY_PATH',
  'METALLB_ML_BIND_PORT',
]);

/**
 * The speaker's environment from its container, with the downward-API values a pod would get, the shared
 * reloader folder where the pod mounts /etc/frr_reloader, and METALLB_NAMESPACE (a pod reads its
 * ServiceAccount's namespace file, which a plain process has not).
 */
export function upstreamSpeakerEnv(
  container: ContainerShape,
  ctx: { node: string; hostIP: string; reloaderDir?: string },
): Record<string, string> {
  const downward: Record<string, string> = {
    METALLB_NODE_NAME: ctx.node,
    METALLB_HOST: ctx.hostIP,
    METALLB_POD_NAME: `speaker-${ctx.node}`,
  };
  const env: Record<string, string> = { METALLB_NAMESPACE: NS };
  for (const e of container.env ?? []) {
    if (UPSTREAM_DROPPED.has(e.name)) continue;
    const value = e.value ?? downward[e.name];
    if (value === undefined) throw new Error(`speaker container: no value for ${e.name} here`);
    env[e.name] =
      ctx.reloaderDir !== undefined && value.startsWith('/etc/frr_reloader/')
        ? path.join(ctx.reloaderDir, value.slice('/etc/frr_reloader/'.length))
        : value;
  }
  return env;
}

/** Upstream MetalLB's speaker in `mode`, from its release manifest. */
export function metallbSpeaker(build: MetallbBuild, mode: SpeakerMode, logLevel = 'info'): BgpSide {
  const manifest = mode === 'frr' ? build.frrManifest : build.nativeManifest;
  const container = upstreamSpeakerContainer(manifest);
  const args = [
    ...(container.args ?? []).filter((a) => !a.startsWith('--log-level=')),
    `--log-level=${logLevel}`,
  ];
  const crds = parseManifest(fs.readFileSync(build.nativeManifest, 'utf8'), build.nativeManifest).filter(
    (d) => d.kind === 'CustomResourceDefinition',
  );
  return {
    label: `MetalLB ${mode}`,
    describe:
      `MetalLB ${build.version} speaker (${path.relative(process.cwd(), build.speaker)}) with the args and env of ` +
      `${path.basename(manifest)} (${args.join(' ')}), memberlist off (one node, BGP only)` +
      (mode === 'frr' ? ', beside an FRR sidecar running its frr-tools/reloader/frr-reloader.sh' : ''),
    installCrds: (api: HarnessRestClient) => applyCrdsServed(api, crds),
    async start(ctx: SpeakerContext): Promise<RunningSpeaker> {
      const frr = mode === 'frr' ? await sidecar(ctx, { bash: build.frrReloader }) : undefined;
      // The speaker reads its own Pod at start-up (internal/k8s/k8s.go: the owner of its status objects) and
      // exits without it: the Pod a DaemonSet would have made, bound to the node, run by nobody.
      const podName = `speaker-${ctx.node.role}`;
      await create(ctx.api, `/api/v1/namespaces/${NS}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: podName, namespace: NS, labels: { app: 'metallb', component: 'speaker' } },
        spec: {
          nodeName: ctx.node.role,
          containers: [{ name: 'speaker', image: `quay.io/metallb/speaker:${build.version}` }],
        },
      });
      const env = upstreamSpeakerEnv(container, {
        node: ctx.node.role,
        hostIP: ctx.node.primary.v4,
        ...(frr === undefined ? {} : { reloaderDir: frr.reloaderDir }),
      });
      const proc = await ctx.world.spawnIn(ctx.node.role, 'metallb-speaker', [build.speaker, ...args], {
        cwd: ctx.world.runDir,
        env: { ...env, KUBECONFIG: ctx.cp.kubeconfigPath, HOME: ctx.world.runDir },
      });
      return { proc, sidecarPids: frr?.pids ?? (() => []), countsUpdates: frr === undefined };
    },
  };
}
