// A world-mode cluster with ironlb installed from its manifests, as the install e2e test and `make demo` use
// it: the network world, the control plane in the management namespace, simulated nodes with process
// kubelets, then the CRDs and manifests/ironlb-native.yaml. Everything started is stopped by stop(), also
// when start-up fails half-way.
import { z } from 'zod';
import {
  startControlPlane,
  type ControlPlane,
  managementHost,
  worldPlacement,
} from '../harness/controlplane';
import { restClient, type HarnessRestClient } from '../harness/kubeconfig';
import { Kubelet, type KubeletOptions } from '../harness/kubelet';
import { createWorld, type World, type WorldOptions } from '../harness/net';
import { SimNode, type SimNodeSpec } from '../harness/nodes';
import { controlPlaneBinaries } from '../harness/paths';
import { waitFor } from '../harness/readiness';
import type { KubeObject } from '../../kube/object';
import { CONTENT_TYPE } from '../../kube/rest';
import { applyCrds, applyManifest, METALLB_NAMESPACE, nativeManifest } from './manifest';

export interface InstalledCluster {
  readonly world: World;
  readonly cp: ControlPlane;
  readonly admin: HarnessRestClient;
  readonly nodes: readonly SimNode[];
  readonly kubelets: readonly Kubelet[];
  /** Milliseconds per start-up phase. */
  readonly timings: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * Dual-stack by default, so LoadBalancer Services can ask for both families (the Layer 2 pools have both);
 * Services that ask for nothing stay IPv4 only.
 */
/** The node (world role, also its Node name) whose primary interface has this MAC (lower case). */
export function nodeOfMac(world: World, mac: string): string | undefined {
  return world.nodes.find((n) => n.primary.mac.toLowerCase() === mac)?.role;
}

export const DEFAULT_SERVICE_CIDRS: readonly string[] = ['198.51.100.0/24', '2001:db8:fff0::/108'];

export interface ClusterOptions {
  readonly nodes?: number;
  /** Service ClusterIP ranges (default DEFAULT_SERVICE_CIDRS). */
  readonly serviceCidrs?: readonly string[];
  readonly world?: WorldOptions;
  /**
   * Options for every node's kubelet: an image table of its own (another operand's images mapped to its
   * binaries), a faster restart back-off, ... (default: the kubelet's defaults).
   */
  readonly kubelet?: KubeletOptions;
  /** Progress lines (the demo prints them). */
  readonly onStep?: (message: string) => void;
  /**
   * Also registers the management host (where the control plane runs) as Node CONTROL_PLANE_NODE with a
   * kubelet, labelled as a control-plane node, and labels the world's nodes as workers. Harness limitation: every
   * pod shares its node's network namespace, so a pod whose ports clash with a worker's pods (the operator's
   * probes on 8080 against the demo backends' hostPort 8080, its webhook on 9443 against the controller's) needs
   * a host of its own; in a cluster it would run on a control-plane node for other reasons.
   */
  readonly controlPlaneNode?: boolean;
}

/** The Node name of the management host when ClusterOptions.controlPlaneNode asks for it. */
export const CONTROL_PLANE_NODE = 'control-plane';
export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
/** On every world node when ClusterOptions.controlPlaneNode is set: what node selectors pick the workers by. */
export const WORKER_LABEL = 'node-role.kubernetes.io/worker';

/** Brings up the world, the control plane, nodes and kubelets (no ironlb yet). */
export async function startCluster(opts: ClusterOptions = {}): Promise<InstalledCluster> {
  const step = opts.onStep ?? (() => undefined);
  const timings: Record<string, number> = {};
  const time = async <T>(phase: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const out = await f();
    timings[phase] = Date.now() - t;
    step(`${phase}: ${timings[phase]}ms`);
    return out;
  };
  controlPlaneBinaries();
  let world: World | undefined;
  let cp: ControlPlane | undefined;
  let admin: HarnessRestClient | undefined;
  const nodes: SimNode[] = [];
  const kubelets: Kubelet[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(kubelets.map((k) => k.stop()));
    await Promise.allSettled(nodes.map((n) => n.stop()));
    admin?.close();
    await cp?.stop();
    await world?.destroy();
  };
  try {
    const w = await time('network world', () =>
      createWorld({ nodes: opts.nodes ?? 3, ...opts.world, management: true }),
    );
    world = w;
    const m = managementHost(w);
    const c = await time('control plane', () =>
      startControlPlane({
        placement: worldPlacement({ netns: m.netns, ipv4: m.ipv4, ipv6: m.ipv6 }),
        serviceCidrs: [...(opts.serviceCidrs ?? DEFAULT_SERVICE_CIDRS)],
      }),
    );
    cp = c;
    const rest = restClient(c.adminCredentials);
    admin = rest;
    await time('nodes and kubelets', async () => {
      const hosts: SimNodeSpec[] = w.nodes.map((host) => ({
        name: host.role,
        ipv4: host.primary.v4,
        ipv6: host.primary.v6,
        netns: host.ns,
      }));
      if (opts.controlPlaneNode === true) hosts.push({ name: CONTROL_PLANE_NODE, ...m });
      for (const spec of hosts) {
        nodes.push(await SimNode.start(c, spec));
        kubelets.push(await Kubelet.start(c, spec, opts.kubelet));
      }
      // NodeRestriction keeps node-role labels from the nodes themselves: an administrator sets them, as
      // kubeadm does for its control-plane nodes.
      if (opts.controlPlaneNode === true)
        for (const spec of hosts) {
          const label = spec.name === CONTROL_PLANE_NODE ? CONTROL_PLANE_LABEL : WORKER_LABEL;
          await rest.request({
            method: 'PATCH',
            path: `/api/v1/nodes/${spec.name}`,
            contentType: CONTENT_TYPE.mergePatch,
            body: { metadata: { labels: { [label]: '' } } },
          });
        }
    });
    return { world: w, cp: c, admin: rest, nodes, kubelets, timings, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const podListSchema = z.looseObject({
  items: z.array(
    z.looseObject({
      metadata: z.looseObject({ name: z.string(), uid: z.string() }),
      spec: z.looseObject({ nodeName: z.string().optional(), serviceAccountName: z.string().optional() }),
      status: z
        .looseObject({
          phase: z.string().optional(),
          conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
        })
        .optional(),
    }),
  ),
});

export type ControllerPod = z.infer<typeof podListSchema>['items'][number];

/** The controller's metrics port in the harness (see NativeOptions.controllerMetricsPort). */
export const CONTROLLER_METRICS_PORT = 7473;

/** Applies the CRDs and manifests/ironlb-native.yaml. */
export async function installIronlb(cluster: InstalledCluster): Promise<string[]> {
  await applyCrds(cluster.admin);
  // Every pod shares its node's network namespace here: keep the controller's metrics off the speaker's port.
  return applyManifest(cluster.admin, nativeManifest({ controllerMetricsPort: CONTROLLER_METRICS_PORT }));
}

/** The pods in metallb-system that match a label selector. */
export async function listPods(admin: HarnessRestClient, labelSelector: string): Promise<ControllerPod[]> {
  return podListSchema.parse(
    await admin.request({
      method: 'GET',
      path: `/api/v1/namespaces/${METALLB_NAMESPACE}/pods`,
      query: { labelSelector },
    }),
  ).items;
}

export const isReady = (p: ControllerPod): boolean =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Waits for the controller Deployment's pod to be Ready and returns it. */
export async function waitForControllerReady(
  admin: HarnessRestClient,
  timeoutMs = 120_000,
): Promise<ControllerPod> {
  let ready: ControllerPod | undefined;
  let last = 'no pod yet';
  await waitFor(
    'the controller pod to be Ready',
    async () => {
      const pods = { items: await listPods(admin, 'app=metallb,component=controller') };
      ready = pods.items.find(isReady);
      last = JSON.stringify(
        pods.items.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, ...p.status })),
      );
      return ready !== undefined;
    },
    { timeoutMs, intervalMs: 500 },
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast seen: ${last}`);
  });
  if (ready === undefined) throw new Error('controller pod vanished');
  return ready;
}

export type SpeakerPod = ControllerPod;

/**
 * Waits until the speaker DaemonSet has a Ready pod on each of `nodes` (and on no other node), and returns them
 * by node name.
 */
export async function waitForSpeakersReady(
  admin: HarnessRestClient,
  nodes: readonly string[],
  timeoutMs = 120_000,
): Promise<Map<string, SpeakerPod>> {
  let byNode = new Map<string, SpeakerPod>();
  let last = 'no pod yet';
  await waitFor(
    `a Ready speaker on each of ${nodes.join(', ')}`,
    async () => {
      const pods = await listPods(admin, 'app=metallb,component=speaker');
      byNode = new Map(pods.filter(isReady).map((p) => [p.spec.nodeName ?? '', p]));
      last = JSON.stringify(pods.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, ...p.status })));
      return nodes.every((n) => byNode.has(n)) && byNode.size === nodes.length;
    },
    { timeoutMs, intervalMs: 500 },
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast seen: ${last}`);
  });
  return byNode;
}

/** installIronlb, then the controller and one speaker per world node Ready: what every Layer 2 test starts from. */
export async function installAndWaitForSpeakers(cluster: InstalledCluster): Promise<Map<string, SpeakerPod>> {
  await installIronlb(cluster);
  await waitForControllerReady(cluster.admin);
  return waitForSpeakersReady(
    cluster.admin,
    cluster.world.nodes.map((n) => n.role),
  );
}

/**
 * Applies metallb.io objects once the webhook admits them: the apiserver reaches it only after it has picked up
 * the injected CA and the webhook Service's endpoints. A denial is an answer, not a webhook still starting, and
 * is thrown at once.
 */
export async function applyWhenAdmitted(
  admin: HarnessRestClient,
  docs: readonly KubeObject[],
  onRetry: (message: string) => void = () => undefined,
): Promise<void> {
  await waitFor(
    'metallb.io objects to be admitted by the webhook',
    async () => {
      try {
        await applyManifest(admin, docs);
        return true;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (message.includes('denied the request')) throw err;
        onRetry(message.slice(0, 200));
        return false;
      }
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
}
