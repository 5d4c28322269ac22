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
import { Kubelet } from '../harness/kubelet';
import { createWorld, type World, type WorldOptions } from '../harness/net';
import { SimNode } from '../harness/nodes';
import { controlPlaneBinaries } from '../harness/paths';
import { waitFor } from '../harness/readiness';
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

export interface ClusterOptions {
  readonly nodes?: number;
  readonly world?: WorldOptions;
  /** Progress lines (the demo prints them). */
  readonly onStep?: (message: string) => void;
}

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
      startControlPlane({ placement: worldPlacement({ netns: m.netns, ipv4: m.ipv4, ipv6: m.ipv6 }) }),
    );
    cp = c;
    admin = restClient(c.adminCredentials);
    await time('nodes and kubelets', async () => {
      for (const host of w.nodes) {
        const spec = { name: host.role, ipv4: host.primary.v4, ipv6: host.primary.v6, netns: host.ns };
        nodes.push(await SimNode.start(c, spec));
        kubelets.push(await Kubelet.start(c, spec));
      }
    });
    return { world: w, cp: c, admin, nodes, kubelets, timings, stop };
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

/** Applies the CRDs and manifests/ironlb-native.yaml. */
export async function installIronlb(cluster: InstalledCluster): Promise<string[]> {
  await applyCrds(cluster.admin);
  return applyManifest(cluster.admin, nativeManifest());
}

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
      const pods = podListSchema.parse(
        await admin.request({
          method: 'GET',
          path: `/api/v1/namespaces/${METALLB_NAMESPACE}/pods`,
          query: { labelSelector: 'app=metallb,component=controller' },
        }),
      );
      ready = pods.items.find((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
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
