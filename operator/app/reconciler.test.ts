// The reconcile against in-memory operands: what it applies, deletes and reports for each kind of MetalLB.
import { z } from 'zod';
import type { Condition } from '../../api/meta';
import { silentLogger } from '../../kube/log';
import type { KubeObject } from '../../kube/object';
import type { RenderedObject } from '../../render/object';
import type { Platform, TlsOptions } from '../../render/options';
import { FakeClock } from '../../testkit/fakeclock';
import { GOLDEN_ENV } from '../render/golden';
import { MANAGED_BY, type ObjectId } from '../render/operands';
import type { MetalLBStatusWriter, OperandClient } from './operandclient';
import { ApplyFailedError, MetalLBReconciler } from './reconciler';
import type { TlsSettingsSource } from './tlswatch';

const NS = GOLDEN_ENV.namespace;
const UID = 'uid-1';

const READY_DEPLOYMENT = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 };
const READY_DAEMONSET = {
  observedGeneration: 1,
  desiredNumberScheduled: 2,
  currentNumberScheduled: 2,
  numberReady: 2,
  updatedNumberScheduled: 2,
};

const DeploymentArgs = z.looseObject({
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({ containers: z.array(z.looseObject({ args: z.array(z.string()) })) }),
    }),
  }),
});

const keyOf = (id: ObjectId) => `${id.kind}/${id.namespace ?? ''}/${id.name}`;

class FakeCluster implements OperandClient, MetalLBStatusWriter {
  readonly objects = new Map<string, Record<string, unknown>>();
  readonly applied: string[] = [];
  readonly deleted: string[] = [];
  readonly crds = new Map<string, Record<string, string>>([['bgppeers.metallb.io', {}]]);
  readonly statuses: { name: string; conditions: readonly Condition[] }[] = [];
  statusOf: Record<string, Record<string, number>> = {
    Deployment: READY_DEPLOYMENT,
    DaemonSet: READY_DAEMONSET,
  };
  failOn: string | undefined;

  apply(obj: RenderedObject): Promise<unknown> {
    const key = keyOf({ ...obj, ...obj.metadata });
    if (obj.kind === this.failOn) return Promise.reject(new Error(`apply ${key} refused`));
    this.applied.push(key);
    const stored = { ...obj, metadata: { ...obj.metadata, generation: 1 }, status: this.statusOf[obj.kind] };
    this.objects.set(key, stored);
    return Promise.resolve(stored);
  }

  get(id: ObjectId): Promise<unknown> {
    return Promise.resolve(this.objects.get(keyOf(id)));
  }

  delete(id: ObjectId): Promise<void> {
    this.deleted.push(keyOf(id));
    this.objects.delete(keyOf(id));
    return Promise.resolve();
  }

  annotateCrd(name: string, annotations: Readonly<Record<string, string>>): Promise<boolean> {
    const current = this.crds.get(name);
    if (current === undefined) return Promise.resolve(false);
    this.crds.set(name, { ...current, ...annotations });
    return Promise.resolve(true);
  }

  writeConditions(_namespace: string, name: string, conditions: readonly Condition[]): Promise<void> {
    this.statuses.push({ name, conditions });
    return Promise.resolve();
  }
}

function metallb(name: string, spec: Record<string, unknown> = {}, conditions?: Condition[]): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'MetalLB',
    metadata: { name, namespace: NS, uid: UID, generation: 7 },
    ...{ spec, ...(conditions ? { status: { conditions } } : {}) },
  };
}

function setup(objects: KubeObject[], platform: Platform = 'kubernetes', tlsSettings?: TlsSettingsSource) {
  const cluster = new FakeCluster();
  const cache = new Map(objects.map((o) => [`${o.metadata?.namespace}/${o.metadata?.name}`, o]));
  const reconciler = new MetalLBReconciler({
    env: GOLDEN_ENV,
    ...(tlsSettings !== undefined ? { tlsSettings } : {}),
    platform,
    metallbs: { get: (key) => cache.get(key) },
    client: cluster,
    status: cluster,
    clock: new FakeClock(Date.parse('2026-01-01T00:00:00Z')),
    logger: silentLogger(),
  });
  return { cluster, cache, reconciler };
}

const trueConditions = (conds: readonly Condition[] | undefined) =>
  (conds ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}:${c.reason}`);

describe('MetalLBReconciler', () => {
  test('applies every operand in order and reports Available when the workloads are ready', async () => {
    const { cluster, reconciler } = setup([metallb('metallb')]);
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.applied).toEqual([
      `Secret/${NS}/metallb-webhook-cert`,
      `Service/${NS}/metallb-webhook-service`,
      `NetworkPolicy/${NS}/metallb-controller`,
      `Deployment/${NS}/controller`,
      `DaemonSet/${NS}/speaker`,
      'ValidatingWebhookConfiguration//metallb-webhook-configuration',
    ]);
    expect(trueConditions(cluster.statuses[0]?.conditions)).toEqual([
      'Available:Available',
      'Upgradeable:Upgradeable',
    ]);
    expect(cluster.statuses[0]?.conditions.every((c) => c.observedGeneration === 7)).toBe(true);
  });

  test('renders the TLS settings in force at each reconcile, not those of the start', async () => {
    const only = (minVersion: string): TlsOptions => ({
      minVersion,
      cipherSuites: undefined,
      curvePreferences: undefined,
    });
    let tls: TlsOptions | undefined = only('VersionTLS12');
    const { cluster, reconciler } = setup([metallb('metallb')], 'openshift', { current: () => tls });
    const controllerArgs = (): string[] | undefined =>
      DeploymentArgs.parse(cluster.objects.get(`Deployment/${NS}/controller`)).spec.template.spec
        .containers[0]?.args;
    await reconciler.reconcile(`${NS}/metallb`);
    expect(controllerArgs()).toContain('--tls-min-version=VersionTLS12');
    tls = only('VersionTLS13');
    await reconciler.reconcile(`${NS}/metallb`);
    expect(controllerArgs()).toContain('--tls-min-version=VersionTLS13');
    expect(controllerArgs()).not.toContain('--tls-min-version=VersionTLS12');
  });

  test('reports Progressing with the reason while the speakers are not ready', async () => {
    const { cluster, reconciler } = setup([metallb('metallb')]);
    cluster.statusOf = { ...cluster.statusOf, DaemonSet: { ...READY_DAEMONSET, numberReady: 1 } };
    await reconciler.reconcile(`${NS}/metallb`);
    const conditions = cluster.statuses[0]?.conditions ?? [];
    expect(trueConditions(conditions)).toEqual(['Progressing:DaemonSetNotReady']);
    expect(conditions.find((c) => c.type === 'Progressing')?.message).toBe(
      'DaemonSet speaker: 1 of 2 pods ready',
    );
  });

  test('a MetalLB with another name is Degraded and renders nothing', async () => {
    const { cluster, reconciler } = setup([metallb('other')]);
    await reconciler.reconcile(`${NS}/other`);
    expect(cluster.applied).toEqual([]);
    expect(cluster.statuses).toHaveLength(1);
    const degraded = cluster.statuses[0]?.conditions.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({
      status: 'True',
      reason: 'IncorrectMetalLBResourceName',
      message: 'Incorrect MetalLB resource name: other',
    });
  });

  test('a key in another namespace is ignored', async () => {
    const other = { ...metallb('metallb'), metadata: { name: 'metallb', namespace: 'elsewhere' } };
    const { cluster, reconciler } = setup([other]);
    await reconciler.reconcile('elsewhere/metallb');
    expect(cluster.applied).toEqual([]);
    expect(cluster.statuses).toEqual([]);
  });

  test('an unsupported bgpBackend is Degraded, naming the field, and changes no operand', async () => {
    const { cluster, reconciler } = setup([metallb('metallb', { bgpBackend: 'frr-k8s' })]);
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.applied).toEqual([]);
    expect(cluster.statuses[0]?.conditions.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'UnsupportedConfiguration',
      message: 'spec.bgpBackend "frr-k8s": ironlb does not deploy frr-k8s yet; use native or frr',
    });
  });

  test('an invalid spec is Degraded with the field and reason', async () => {
    const spec = { speakerTolerations: [{ key: 'a', effect: 'NoSchedule', tolerationSeconds: 5 }] };
    const { cluster, reconciler } = setup([metallb('metallb', spec)]);
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.applied).toEqual([]);
    expect(cluster.statuses[0]?.conditions.find((c) => c.type === 'Degraded')).toMatchObject({
      reason: 'InvalidMetalLBSpec',
      message: 'spec.speakerTolerations[0].effect: must be NoExecute when tolerationSeconds is set',
    });
  });

  test('a failed apply is Degraded and thrown, so the runner retries', async () => {
    const { cluster, reconciler } = setup([metallb('metallb')]);
    cluster.failOn = 'DaemonSet';
    await expect(reconciler.reconcile(`${NS}/metallb`)).rejects.toThrow(ApplyFailedError);
    expect(cluster.statuses[0]?.conditions.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ApplyFailed',
    });
  });

  test('switching frr -> native deletes the FRR ConfigMap it owns', async () => {
    const { cluster, cache, reconciler } = setup([metallb('metallb', { bgpBackend: 'frr' })]);
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.objects.has(`ConfigMap/${NS}/frr-startup`)).toBe(true);
    cache.set(`${NS}/metallb`, metallb('metallb', { bgpBackend: 'native' }));
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.deleted).toEqual([`ConfigMap/${NS}/frr-startup`]);
  });

  test('a stale-named object someone else owns is left alone', async () => {
    const { cluster, reconciler } = setup([metallb('metallb')]);
    cluster.objects.set(`ConfigMap/${NS}/frr-startup`, { metadata: { name: 'frr-startup', labels: {} } });
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.deleted).toEqual([]);
  });

  test('unchanged conditions are not written again', async () => {
    const { cluster, cache, reconciler } = setup([metallb('metallb')]);
    await reconciler.reconcile(`${NS}/metallb`);
    const written = cluster.statuses[0]?.conditions ?? [];
    cache.set(`${NS}/metallb`, metallb('metallb', {}, [...written]));
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.statuses).toHaveLength(1);
  });

  test('when metallb is gone, the operator-made webhook configuration is deleted', async () => {
    const { cluster, reconciler } = setup([metallb('metallb')]);
    await reconciler.reconcile(`${NS}/metallb`);
    // A fresh reconciler whose cache no longer holds the resource.
    await new MetalLBReconciler(reconcilerOptions(cluster)).reconcile(`${NS}/metallb`);
    expect(cluster.deleted).toEqual(['ValidatingWebhookConfiguration//metallb-webhook-configuration']);
  });

  test('when metallb is gone, a webhook configuration without the operator label stays', async () => {
    const { cluster } = setup([]);
    cluster.objects.set('ValidatingWebhookConfiguration//metallb-webhook-configuration', {
      metadata: { name: 'metallb-webhook-configuration', labels: { other: 'x' } },
    });
    await new MetalLBReconciler(reconcilerOptions(cluster)).reconcile(`${NS}/metallb`);
    expect(cluster.deleted).toEqual([]);
    expect(MANAGED_BY).toEqual({ 'app.kubernetes.io/managed-by': 'ironlb-operator' });
  });

  test('on OpenShift the BGPPeer CRD is annotated for the service CA, and keeps it when metallb is gone', async () => {
    const { cluster, cache, reconciler } = setup([metallb('metallb')], 'openshift');
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.crds.get('bgppeers.metallb.io')).toEqual({
      'service.beta.openshift.io/inject-cabundle': 'true',
    });
    cache.clear();
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.deleted.some((k) => k.startsWith('CustomResourceDefinition'))).toBe(false);
    expect(cluster.crds.get('bgppeers.metallb.io')).toEqual({
      'service.beta.openshift.io/inject-cabundle': 'true',
    });
  });

  test('off OpenShift the BGPPeer CRD is left alone (the controller injects its own CA)', async () => {
    const { cluster, reconciler } = setup([metallb('metallb')]);
    await reconciler.reconcile(`${NS}/metallb`);
    expect(cluster.crds.get('bgppeers.metallb.io')).toEqual({});
  });

  test('on OpenShift a missing BGPPeer CRD does not fail the reconcile', async () => {
    const { cluster, reconciler } = setup([metallb('metallb')], 'openshift');
    cluster.crds.clear();
    await reconciler.reconcile(`${NS}/metallb`);
    expect(trueConditions(cluster.statuses[0]?.conditions)).toContain('Available:Available');
  });
});

function reconcilerOptions(cluster: FakeCluster) {
  return {
    env: GOLDEN_ENV,
    metallbs: { get: () => undefined },
    client: cluster,
    status: cluster,
    clock: new FakeClock(0),
    logger: silentLogger(),
  };
}
