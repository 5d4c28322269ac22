// The controller rows of sxs.bench.ts with each controller run the way its users run it: its own release
// manifest (RBAC, memberlist Secret, webhook configuration, controller Deployment, speaker DaemonSet) applied to
// a lean control plane of its own, the Deployment's pod placed by the real scheduler and ReplicaSet controller
// and run by the process kubelet (e2e/harness/kubelet) with the side's images mapped to its binaries. ironlb
// from manifests/ironlb-native.yaml, MetalLB from its config/manifests/metallb-native.yaml
// (e2e/install/upstreammetallb.ts). The figures are read from the container process the kubelet started.
import * as fs from 'node:fs';
import { z } from 'zod';
import { kubeObjectSchema, type KubeObject } from '../kube/object';
import { statusCodeOf } from '../kube/errors';
import { startControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { Kubelet, defaultImageTable, type ImageTable } from '../e2e/harness/kubelet';
import { SimNode } from '../e2e/harness/nodes';
import { REPO_ROOT } from '../e2e/harness/paths';
import { freePorts } from '../e2e/harness/ports';
import { waitFor } from '../e2e/harness/readiness';
import type { MetallbBuild } from '../e2e/harness/kubelet/metallb';
import { listPods } from '../e2e/install/cluster';
import { applyManifest, crdManifests, METALLB_NAMESPACE, nativeManifest } from '../e2e/install/manifest';
import { upstreamImageTable, upstreamManifest } from '../e2e/install/upstreammetallb';
import {
  createScalePool,
  type ControllerBuild,
  procCpuSeconds,
  procMemory,
  procStartedAt,
  SCALE_SERVICE_CIDRS,
  type ScaleCluster,
} from '../testkit/controllerprocess';

/** One side's release manifest as the bench applies it, and each change it made, with the reason. */
export interface ReleaseManifest {
  readonly crds: readonly KubeObject[];
  /** Everything but the CRDs and the controller Deployment, applied before the pool and the canary exist. */
  readonly support: readonly KubeObject[];
  readonly deployment: KubeObject;
  readonly images: ImageTable;
  readonly changes: readonly string[];
}

/** A label no node carries: the speaker DaemonSet schedules nothing, on either side. */
const NO_NODE_LABEL = 'ironlb.bench/sxs-no-speaker';

const containersSchema = z.array(z.looseObject({ name: z.string(), args: z.array(z.string()).optional() }));
const podTemplateSchema = z.looseObject({
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        nodeSelector: z.record(z.string(), z.string()).optional(),
        containers: containersSchema,
      }),
    }),
  }),
});

function isWorkload(d: KubeObject, kind: 'Deployment' | 'DaemonSet', name: string): boolean {
  return d.kind === kind && d.metadata?.name === name;
}

/** The speaker DaemonSet with a nodeSelector no node matches. */
function withoutSpeakers(d: KubeObject): KubeObject {
  const shaped = podTemplateSchema.parse(d);
  const spec = shaped.spec.template.spec;
  spec.nodeSelector = { ...spec.nodeSelector, [NO_NODE_LABEL]: 'true' };
  return kubeObjectSchema.parse(shaped);
}

/** The controller Deployment with its container's --log-level set, and whether that changed it. */
function withLogLevel(d: KubeObject, level: string): { doc: KubeObject; changed: boolean } {
  const shaped = podTemplateSchema.parse(d);
  let changed = false;
  for (const c of shaped.spec.template.spec.containers) {
    const args = c.args ?? [];
    if (args.includes(`--log-level=${level}`)) continue;
    changed = true;
    c.args = [...args.filter((a) => !a.startsWith('--log-level=')), `--log-level=${level}`];
  }
  return { doc: kubeObjectSchema.parse(shaped), changed };
}

function split(
  side: string,
  docs: readonly KubeObject[],
  crds: readonly KubeObject[],
  images: ImageTable,
  logLevel: string,
  changes: string[],
): ReleaseManifest {
  const deployment = docs.find((d) => isWorkload(d, 'Deployment', 'controller'));
  if (deployment === undefined) throw new Error(`${side} manifest: no Deployment controller`);
  if (!docs.some((d) => isWorkload(d, 'DaemonSet', 'speaker')))
    throw new Error(`${side} manifest: no DaemonSet speaker`);
  const logged = withLogLevel(deployment, logLevel);
  if (logged.changed) changes.push(`controller --log-level=${logLevel} (both sides at the same level)`);
  changes.push(
    `speaker DaemonSet: nodeSelector ${NO_NODE_LABEL}=true, no node matches, so no speaker competes for the ` +
      'cores (the same on both sides)',
  );
  return {
    crds,
    support: docs
      .filter((d) => d.kind !== 'CustomResourceDefinition' && d !== deployment)
      .map((d) => (isWorkload(d, 'DaemonSet', 'speaker') ? withoutSpeakers(d) : d)),
    deployment: logged.doc,
    images,
    changes,
  };
}

/**
 * manifests/ironlb-native.yaml, its controller image run as the compiled tree (compileController, with the
 * image's Node flags), as the process rows run it; ts-node would add seconds to every start.
 */
export function ironlbRelease(build: ControllerBuild, logLevel: string): ReleaseManifest {
  const images: ImageTable = [
    { image: /(^|\/)ironlb-controller([:@]|$)/, entrypoint: [...build.argv], cwd: REPO_ROOT },
    ...defaultImageTable(),
  ];
  return split('ironlb', nativeManifest(), crdManifests(), images, logLevel, []);
}

/** MetalLB's release manifest with the harness's one change (upstreammetallb.ts: controller port 7572). */
export function metallbRelease(build: MetallbBuild, logLevel: string): ReleaseManifest {
  const docs = upstreamManifest(build);
  return split(
    'MetalLB',
    docs,
    docs.filter((d) => d.kind === 'CustomResourceDefinition'),
    upstreamImageTable(build),
    logLevel,
    [
      'controller --port=7472 -> 7572 (e2e/install/upstreammetallb.ts: pods share the node network namespace, ' +
        "the speaker's port is 7472)",
    ],
  );
}

/**
 * The controllers kube-controller-manager runs here: what a Deployment, a DaemonSet, ServiceAccounts and a new
 * Node need.
 * No endpoint or EndpointSlice controller (it would write one object per Service, competing for the cores),
 * no garbage collector (it watches every resource, the 5,000 Services too).
 */
const KCM_CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'daemonset-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  // Lifts the node.kubernetes.io/not-ready taint the NodeTaint admission plugin puts on every new Node.
  'node-lifecycle-controller',
];

export interface ManifestCluster extends ScaleCluster {
  readonly kubelet: Kubelet;
  stop(): Promise<void>;
}

const NODE_NAME = 'bench-node';

/** Applies CRDs and resolves once IPAddressPools are served in the MetalLB namespace. */
export async function applyCrdsServed(api: HarnessRestClient, crds: readonly KubeObject[]): Promise<void> {
  await applyManifest(api, crds);
  // Every kind, not one: the apiserver initialises each new CRD's storage on its own, and a controller started
  // while one still answers 429 waits out its informer's retry (about 0.8 s seen on ironlb's first start), a
  // delay of the bench's making counted as the controller's start-up.
  const paths = crds.map(crdCollectionPath);
  await waitFor(
    'the metallb.io CRDs served',
    async () => {
      for (const path of paths) {
        try {
          await api.request({ method: 'GET', path });
        } catch (err) {
          const code = statusCodeOf(err);
          if (code === 404 || code === 429) return false;
          throw err;
        }
      }
      return true;
    },
    { timeoutMs: 60_000 },
  );
}

/** The list path of a CRD's kind in METALLB_NAMESPACE, at its storage version. */
export function crdCollectionPath(crd: KubeObject): string {
  const spec = (crd as { spec?: CrdSpec }).spec;
  const version = spec?.versions?.find((v) => v.storage === true)?.name ?? spec?.versions?.[0]?.name;
  if (spec?.group === undefined || spec.names?.plural === undefined || version === undefined)
    throw new Error(`CRD ${crd.metadata?.name ?? '?'}: no spec.group, spec.names.plural or version`);
  const base = `/apis/${spec.group}/${version}`;
  return spec.scope === 'Namespaced'
    ? `${base}/namespaces/${METALLB_NAMESPACE}/${spec.names.plural}`
    : `${base}/${spec.names.plural}`;
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string };
  versions?: readonly { name?: string; storage?: boolean }[];
}

/**
 * A loopback control plane with the scheduler and the controllers of KCM_CONTROLLERS, one node with a process
 * kubelet, the side's CRDs and its manifest without the controller Deployment, then SCALE_POOL (before the
 * webhook has a server: the webhook configuration is applied after it).
 */
export async function startManifestCluster(release: ReleaseManifest): Promise<ManifestCluster> {
  const cp = await startControlPlane({
    controllerCredentials: 'shared',
    serviceCidrs: SCALE_SERVICE_CIDRS,
    extraControllerManagerArgs: [`--controllers=${KCM_CONTROLLERS.join(',')}`],
  });
  const api = cp.adminClient();
  let node: SimNode | undefined;
  let kubelet: Kubelet | undefined;
  const stop = async (): Promise<void> => {
    await kubelet?.stop();
    await node?.stop();
    api.close();
    await cp.stop();
  };
  try {
    const [kubeletPort] = await freePorts(1);
    if (kubeletPort === undefined) throw new Error('no free port for the kubelet');
    const spec = { name: NODE_NAME, ipv4: '192.0.2.31', kubeletPort };
    node = await SimNode.start(cp, spec);
    kubelet = await Kubelet.start(cp, spec, { images: release.images });
    await applyManifest(
      api,
      release.support.filter((d) => d.kind === 'Namespace'),
    );
    await applyCrdsServed(api, release.crds);
    await createScalePool(api);
    await applyManifest(
      api,
      release.support.filter((d) => d.kind !== 'Namespace'),
    );
    const k = kubelet;
    return { cp, api, kubelet: k, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A controller process under measurement, however it was started. */
export interface MeasuredController {
  /** Its leader-election identity (ironlb): the pod name, or --pod-name of a plain process. */
  readonly identity: string;
  /** Where its run time starts, on performance.now()'s clock. */
  readonly startedAt: number;
  isRunning(): boolean;
  memory(): { hwmKiB: number; rssKiB: number } | undefined;
  cpuSeconds(): number | undefined;
  logTail(lines: number): string;
}

/** The controller container process the kubelet runs, read by PID from /proc; identity is the pod name. */
export interface PodController extends MeasuredController {
  readonly pid: number;
  /** SIGKILL by PID: a process the kubelet started inside this bench's own Node process. */
  kill(): void;
}

function podController(c: ManifestCluster, pod: string, pid: number): PodController {
  const startedAt = procStartedAt(pid);
  if (startedAt === undefined) throw new Error(`controller pod ${pod}: PID ${pid} is gone`);
  return {
    identity: pod,
    pid,
    startedAt,
    isRunning: () => fs.existsSync(`/proc/${pid}`) && c.kubelet.pidsOf(METALLB_NAMESPACE, pod).includes(pid),
    memory: () => procMemory(pid),
    cpuSeconds: () => procCpuSeconds(pid),
    logTail: (lines) => {
      const file = c.kubelet.logOf(METALLB_NAMESPACE, pod, 'controller');
      if (file === undefined || !fs.existsSync(file)) return '(no container log)';
      return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
    },
    kill: () => {
      if (c.kubelet.pidsOf(METALLB_NAMESPACE, pod).includes(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

/** Waits for the controller Deployment's pod to run a container process other than `previous`. */
export async function runningController(
  c: ManifestCluster,
  previous?: PodController,
  timeoutMs = 120_000,
): Promise<PodController> {
  let found: PodController | undefined;
  let last = 'no pod';
  await waitFor(
    previous === undefined
      ? 'the controller pod running'
      : `a new controller process in ${previous.identity}`,
    async () => {
      const pods = await listPods(c.api, 'app=metallb,component=controller');
      for (const p of pods) {
        const pid = c.kubelet.pidsOf(METALLB_NAMESPACE, p.metadata.name)[0];
        last = `${p.metadata.name} on ${p.spec.nodeName ?? 'no node'}, pid ${pid ?? 'none'}, status ${JSON.stringify(p.status)}`;
        if (pid !== undefined && pid !== previous?.pid) {
          found = podController(c, p.metadata.name, pid);
          return true;
        }
      }
      return false;
    },
    { timeoutMs, intervalMs: 20 },
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (last: ${last})`);
  });
  if (found === undefined) throw new Error('unreachable: waitFor returned without a controller');
  return found;
}

/** Applies the controller Deployment and resolves with its container process once the kubelet started it. */
export async function deployController(c: ManifestCluster, release: ReleaseManifest): Promise<PodController> {
  await applyManifest(c.api, [release.deployment]);
  return runningController(c);
}
