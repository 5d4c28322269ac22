// The operator in-process against a real kube-apiserver and kube-controller-manager: the MetalLB resource
// becomes server-side applied operands owned by it, its conditions follow the workloads' status (written here
// into the status subresource: the deployment, replicaset and daemonset controllers are switched off, as no
// kubelet runs pods), a wrong name goes Degraded, other namespaces are ignored, switching backends deletes what
// is no longer rendered, and deleting the resource lets the garbage collector remove the operands.
import { z } from 'zod';
import { startControlPlane, type ControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { applyCrds } from '../e2e/install/manifest';
import { isNotFound } from '../kube/errors';
import { silentLogger } from '../kube/log';
import { CONTENT_TYPE } from '../kube/rest';
import { createCA, createServingCert } from '../kube/tls/certs';
import { create, eventually } from '../testkit/metallbcluster';
import { LEASE_NAME, startOperator, type RunningOperator } from './app/operator';
import type { OperatorEnvironment } from './env';

jest.setTimeout(240_000);

const NS = 'metallb-system';
const ENV: OperatorEnvironment = {
  namespace: NS,
  controllerImage: 'example.com/ironlb-controller:test',
  speakerImage: 'example.com/ironlb-speaker:test',
  frrImage: 'example.com/frr:test',
  monitoring: 'none',
  networkPolicies: true,
};

let cp: ControlPlane | undefined;
let api: HarnessRestClient | undefined;
let operator: RunningOperator | undefined;

function controlPlane(): ControlPlane {
  if (!cp) throw new Error('control plane did not start (see beforeAll)');
  return cp;
}

function client(): HarnessRestClient {
  if (!api) throw new Error('control plane did not start (see beforeAll)');
  return api;
}

const metallbPath = (ns: string, name = '') =>
  `/apis/metallb.io/v1beta1/namespaces/${ns}/metallbs${name ? `/${name}` : ''}`;
const deploymentPath = `/apis/apps/v1/namespaces/${NS}/deployments/controller`;
const daemonSetPath = `/apis/apps/v1/namespaces/${NS}/daemonsets/speaker`;
const configMapPath = `/api/v1/namespaces/${NS}/configmaps/frr-startup`;
const networkPolicyPath = `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/metallb-controller`;
const vwcPath =
  '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/metallb-webhook-configuration';

const Meta = z.looseObject({
  name: z.string(),
  uid: z.string(),
  generation: z.number().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  ownerReferences: z
    .array(
      z.looseObject({
        kind: z.string(),
        name: z.string(),
        uid: z.string(),
        controller: z.boolean().optional(),
        blockOwnerDeletion: z.boolean().optional(),
      }),
    )
    .optional(),
  managedFields: z.array(z.looseObject({ manager: z.string(), operation: z.string() })).optional(),
});
const Obj = z.looseObject({ metadata: Meta, spec: z.unknown().optional() });
const Conditions = z.looseObject({
  metadata: Meta,
  status: z
    .looseObject({
      conditions: z
        .array(
          z.looseObject({
            type: z.string(),
            status: z.string(),
            reason: z.string(),
            message: z.string(),
            observedGeneration: z.number().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

async function read(path: string) {
  return Obj.parse(await client().request({ method: 'GET', path }));
}

async function conditions(
  ns: string,
  name: string,
): Promise<Record<string, { status: string; reason: string; message: string }>> {
  const m = Conditions.parse(await client().request({ method: 'GET', path: metallbPath(ns, name) }));
  return Object.fromEntries((m.status?.conditions ?? []).map((c) => [c.type, c]));
}

async function exists(path: string): Promise<boolean> {
  try {
    await client().request({ method: 'GET', path });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function patchSpec(name: string, spec: Record<string, unknown>): Promise<void> {
  await client().request({
    method: 'PATCH',
    path: metallbPath(NS, name),
    contentType: CONTENT_TYPE.mergePatch,
    body: { spec },
  });
}

/** What the deployment and daemonset controllers would write once the pods run. */
async function markWorkloadsReady(): Promise<void> {
  const dep = await read(deploymentPath);
  await client().request({
    method: 'PATCH',
    path: `${deploymentPath}/status`,
    contentType: CONTENT_TYPE.mergePatch,
    body: {
      status: {
        observedGeneration: dep.metadata.generation,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
      },
    },
  });
  const ds = await read(daemonSetPath);
  await client().request({
    method: 'PATCH',
    path: `${daemonSetPath}/status`,
    contentType: CONTENT_TYPE.mergePatch,
    body: {
      status: {
        observedGeneration: ds.metadata.generation,
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        updatedNumberScheduled: 2,
        numberReady: 2,
        numberAvailable: 2,
        numberMisscheduled: 0,
      },
    },
  });
}

const isTrue = async (type: string, name = 'metallb') =>
  (await conditions(NS, name))[type]?.status === 'True';

beforeAll(async () => {
  cp = await startControlPlane({
    scheduler: false,
    extraControllerManagerArgs: [
      '--controllers=*,-deployment-controller,-replicaset-controller,-daemonset-controller',
    ],
  });
  api = cp.adminClient();
  await create(api, '/api/v1/namespaces', { metadata: { name: NS } });
  await applyCrds(api, NS);
  operator = await startOperator({
    kubeConfig: cp.kubeConfig(),
    env: ENV,
    logger: silentLogger(),
    identity: 'operator-under-test',
    leaderElection: true,
    leaseDurationMs: 4000,
    renewDeadlineMs: 3000,
    retryPeriodMs: 500,
  });
});

afterAll(async () => {
  await operator?.stop();
  api?.close();
  await cp?.stop();
});

describe('ironlb operator', () => {
  test('applies owned operands by server-side apply, Progressing until the workloads are ready, then Available', async () => {
    await create(client(), metallbPath(NS), {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'MetalLB',
      metadata: { name: 'metallb', namespace: NS },
      spec: { logLevel: 'debug', nodeSelector: { edge: 'true' } },
    });
    await eventually('the controller Deployment exists', () => exists(deploymentPath));
    const owner = await read(metallbPath(NS, 'metallb'));
    for (const path of [
      deploymentPath,
      daemonSetPath,
      `/api/v1/namespaces/${NS}/services/metallb-webhook-service`,
      `/api/v1/namespaces/${NS}/secrets/metallb-webhook-cert`,
      networkPolicyPath,
    ]) {
      await eventually(`${path} exists`, () => exists(path));
      const obj = await read(path);
      expect(obj.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'MetalLB',
          name: 'metallb',
          uid: owner.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        }),
      ]);
      expect(obj.metadata.managedFields).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ manager: 'metallb-operator', operation: 'Apply' }),
        ]),
      );
    }
    const ds = await read(daemonSetPath);
    expect(JSON.stringify(ds.spec)).toContain('"--log-level=debug"');
    expect(JSON.stringify(ds.spec)).toContain('"edge":"true"');
    await eventually('the webhook configuration exists', () => exists(vwcPath));
    expect((await read(vwcPath)).metadata.ownerReferences).toBeUndefined();

    await eventually('Progressing while nothing runs', () => isTrue('Progressing'));
    expect((await conditions(NS, 'metallb')).Progressing?.reason).toBe('DeploymentNotReady');

    await markWorkloadsReady();
    await eventually('Available once the workloads report ready', () => isTrue('Available'));
    const conds = await conditions(NS, 'metallb');
    expect(Object.fromEntries(Object.entries(conds).map(([k, v]) => [k, v.status]))).toEqual({
      Available: 'True',
      Upgradeable: 'True',
      Progressing: 'False',
      Degraded: 'False',
    });
  });

  test('restarted with DISABLE_NETWORK_POLICIES=true, the operator deletes the NetworkPolicy it applied', async () => {
    const start = (env: OperatorEnvironment) =>
      startOperator({
        kubeConfig: controlPlane().kubeConfig(),
        env,
        logger: silentLogger(),
        identity: 'operator-under-test',
        leaderElection: true,
        leaseDurationMs: 4000,
        renewDeadlineMs: 3000,
        retryPeriodMs: 500,
      });
    expect(await exists(networkPolicyPath)).toBe(true);
    await operator?.stop();
    operator = await start({ ...ENV, networkPolicies: false });
    await eventually('the NetworkPolicy is deleted', async () => !(await exists(networkPolicyPath)), 30_000);
    expect(await exists(deploymentPath)).toBe(true);
    await operator.stop();
    operator = await start(ENV);
    await eventually('the NetworkPolicy is back', () => exists(networkPolicyPath), 30_000);
  });

  test('holds the Lease metallb.io.metallboperator', async () => {
    const lease = z.looseObject({ spec: z.looseObject({ holderIdentity: z.string() }) }).parse(
      await client().request({
        method: 'GET',
        path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE_NAME}`,
      }),
    );
    expect(lease.spec.holderIdentity).toBe('operator-under-test');
    expect(operator?.isLeader()).toBe(true);
  });

  test('a MetalLB with another name is Degraded and the right one stays Available', async () => {
    await create(client(), metallbPath(NS), {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'MetalLB',
      metadata: { name: 'other', namespace: NS },
      spec: {},
    });
    await eventually('the wrong name is Degraded', () => isTrue('Degraded', 'other'));
    expect((await conditions(NS, 'other')).Degraded).toMatchObject({
      reason: 'IncorrectMetalLBResourceName',
      message: 'Incorrect MetalLB resource name: other',
    });
    expect(await isTrue('Available')).toBe(true);
    await client().request({ method: 'DELETE', path: metallbPath(NS, 'other') });
    expect(await isTrue('Available')).toBe(true);
  });

  test('a MetalLB in another namespace gets no status and no operands', async () => {
    await create(client(), '/api/v1/namespaces', { metadata: { name: 'elsewhere' } });
    await create(client(), metallbPath('elsewhere'), {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'MetalLB',
      metadata: { name: 'metallb', namespace: 'elsewhere' },
      spec: {},
    });
    // Long enough for the Degraded case above to have been written, had it been seen.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await conditions('elsewhere', 'metallb')).toEqual({});
    expect(await exists('/apis/apps/v1/namespaces/elsewhere/deployments/controller')).toBe(false);
  });

  test('frr adds the FRR ConfigMap and sidecars; back to native deletes the ConfigMap', async () => {
    await patchSpec('metallb', { bgpBackend: 'frr' });
    await eventually('frr-startup exists', () => exists(configMapPath));
    await eventually('the speaker runs the frr sidecar', async () =>
      JSON.stringify((await read(daemonSetPath)).spec).includes('"name":"frr"'),
    );
    await patchSpec('metallb', { bgpBackend: 'native' });
    await eventually('frr-startup is deleted', async () => !(await exists(configMapPath)));
    await eventually(
      'the sidecars are gone',
      async () => !JSON.stringify((await read(daemonSetPath)).spec).includes('"name":"frr"'),
    );
  });

  test('an unsupported backend is Degraded, naming the field', async () => {
    await patchSpec('metallb', { bgpBackend: 'frr-k8s' });
    await eventually('Degraded', () => isTrue('Degraded'));
    expect((await conditions(NS, 'metallb')).Degraded).toMatchObject({
      reason: 'UnsupportedConfiguration',
      message: 'spec.bgpBackend "frr-k8s": ironlb does not deploy frr-k8s yet; use native or frr',
    });
    await patchSpec('metallb', { bgpBackend: null });
    await markWorkloadsReady();
    await eventually('Available again', () => isTrue('Available'));
  });

  test('a hand edit of a rendered field is put back', async () => {
    await client().request({
      method: 'PATCH',
      path: deploymentPath,
      contentType: CONTENT_TYPE.mergePatch,
      body: { spec: { template: { spec: { nodeSelector: { 'kubernetes.io/os': 'windows' } } } } },
    });
    await eventually('the operator restores kubernetes.io/os: linux', async () =>
      JSON.stringify((await read(deploymentPath)).spec).includes('"kubernetes.io/os":"linux"'),
    );
  });

  test('deleting the MetalLB removes the operands (garbage collector) and the webhook configuration (operator)', async () => {
    await client().request({ method: 'DELETE', path: metallbPath(NS, 'metallb') });
    for (const path of [
      deploymentPath,
      daemonSetPath,
      `/api/v1/namespaces/${NS}/services/metallb-webhook-service`,
      networkPolicyPath,
      vwcPath,
    ])
      await eventually(`${path} is deleted`, async () => !(await exists(path)), 60_000);
  });

  test('a second replica serves the validating webhook: invalid MetalLBs are refused with field and reason', async () => {
    const ca = createCA();
    const cert = createServingCert(ca, {
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
      validityMs: 3_600_000,
    });
    const standby = await startOperator({
      kubeConfig: controlPlane().kubeConfig(),
      env: ENV,
      logger: silentLogger(),
      identity: 'standby',
      leaderElection: true,
      leaseDurationMs: 4000,
      renewDeadlineMs: 3000,
      retryPeriodMs: 500,
      webhook: { port: 0, cert },
    });
    const hookPath =
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/test-metallb-webhook';
    try {
      expect(standby.isLeader()).toBe(false);
      await create(client(), '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
        metadata: { name: 'test-metallb-webhook' },
        webhooks: [
          {
            name: 'metallbvalidationwebhook.metallb.io',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Fail',
            clientConfig: {
              url: `https://127.0.0.1:${standby.webhookPort}/validate-metallb-io-v1beta1-metallb`,
              caBundle: Buffer.from(ca.cert).toString('base64'),
            },
            rules: [
              {
                apiGroups: ['metallb.io'],
                apiVersions: ['v1beta1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['metallbs'],
              },
            ],
          },
        ],
      });
      const attempt = (name: string, spec: Record<string, unknown>) =>
        client().request({
          method: 'POST',
          path: metallbPath(NS),
          body: {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'MetalLB',
            metadata: { name, namespace: NS },
            spec,
          },
        });
      const weighted = (weight: number) => ({
        speakerConfig: {
          affinity: {
            nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, preference: {} }] },
          },
        },
      });
      // The API server may take a moment to use a new webhook configuration.
      await eventually('the webhook refuses a bad toleration', async () => {
        try {
          await attempt('bad-toleration', {
            speakerTolerations: [{ key: 'a', effect: 'NoSchedule', tolerationSeconds: 5 }],
          });
          await client().request({ method: 'DELETE', path: metallbPath(NS, 'bad-toleration') });
          return false;
        } catch (err) {
          expect(String(err)).toContain(
            'spec.speakerTolerations[0].effect: must be NoExecute when tolerationSeconds is set',
          );
          return true;
        }
      });
      await expect(attempt('bad-weight', weighted(101))).rejects.toThrow('101 is outside 1..100');
      await expect(attempt('bad-backend', { bgpBackend: 'bird' })).rejects.toThrow(
        'spec.bgpBackend: "bird" is not one of native, frr, frr-k8s, frr-k8s-external',
      );
      await attempt('good-weight', weighted(100));
      await client().request({ method: 'DELETE', path: metallbPath(NS, 'good-weight') });
    } finally {
      await client()
        .request({ method: 'DELETE', path: hookPath })
        .catch(() => undefined);
      await standby.stop();
    }
  });
});
