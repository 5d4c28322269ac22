// The operator as manifests/ironlb-operator.yaml installs it, acting as its own ServiceAccount
// (manager-account) against a real RBAC-enforcing kube-apiserver: every call a reconcile makes (informers,
// server-side apply of each operand, the stale deletes, status, the Lease, the webhook configuration's
// removal) is allowed by the rules render/operatorrbac.ts grants, which the CSV grants too.
import { z } from 'zod';
import { startControlPlane, type ControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { captureLogger } from '../testkit/capturedlogger';
import { create, eventually } from '../testkit/metallbcluster';
import {
  applyOperatorManifest,
  exists as existsAt,
  refusedCalls,
  serviceAccountAccess,
  testOperatorEnvironment,
} from '../testkit/operatorinstall';
import { startOperator, type RunningOperator } from './app/operator';

jest.setTimeout(240_000);

const NS = 'metallb-system';
let cp: ControlPlane | undefined;
let api: HarnessRestClient | undefined;
let operator: RunningOperator | undefined;
const captured = captureLogger('debug');

function client(): HarnessRestClient {
  if (!api) throw new Error('control plane did not start (see beforeAll)');
  return api;
}

const metallbPath = (name = '') =>
  `/apis/metallb.io/v1beta1/namespaces/${NS}/metallbs${name ? `/${name}` : ''}`;
const configMapPath = `/api/v1/namespaces/${NS}/configmaps/frr-startup`;
const vwcPath =
  '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/metallb-webhook-configuration';

const exists = (path: string): Promise<boolean> => existsAt(client(), path);

async function conditionStatus(
  type: string,
): Promise<{ status?: string; reason?: string; message?: string }> {
  const m = z
    .looseObject({
      status: z
        .looseObject({
          conditions: z
            .array(
              z.looseObject({
                type: z.string(),
                status: z.string(),
                reason: z.string(),
                message: z.string(),
              }),
            )
            .optional(),
        })
        .optional(),
    })
    .parse(await client().request({ method: 'GET', path: metallbPath('metallb') }));
  return m.status?.conditions?.find((c) => c.type === type) ?? {};
}

beforeAll(async () => {
  cp = await startControlPlane({ scheduler: false });
  api = cp.adminClient();
  // The operator runs in this process, as its ServiceAccount; its Deployment would need a kubelet.
  await applyOperatorManifest(api, 'ironlb-operator.yaml', NS);
  operator = await startOperator({
    kubeConfig: await serviceAccountAccess(cp, api, NS, 'manager-account'),
    env: testOperatorEnvironment(NS),
    logger: captured.logger,
    identity: 'operator-as-manager-account',
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

test('as manager-account the operator applies, prunes, reports and cleans up without a single 403', async () => {
  await eventually('the operator is elected', () => Promise.resolve(operator?.isLeader() === true));
  await create(client(), metallbPath(), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'MetalLB',
    metadata: { name: 'metallb', namespace: NS },
    spec: { bgpBackend: 'frr' },
  });
  await eventually('frr-startup is applied', () => exists(configMapPath));
  await eventually(
    'the status is written (Progressing: no pods run here)',
    async () => (await conditionStatus('Progressing')).status === 'True',
  );
  expect((await conditionStatus('Degraded')).status).toBe('False');

  await client().request({
    method: 'PATCH',
    path: metallbPath('metallb'),
    contentType: 'application/merge-patch+json',
    body: { spec: { bgpBackend: 'native' } },
  });
  await eventually('frr-startup is deleted', async () => !(await exists(configMapPath)));
  expect(await exists(vwcPath)).toBe(true);

  await client().request({ method: 'DELETE', path: metallbPath('metallb') });
  await eventually(
    'the webhook configuration is removed by the operator',
    async () => !(await exists(vwcPath)),
    60_000,
  );
  const forbidden = refusedCalls(captured);
  expect(forbidden).toEqual([]);
});
