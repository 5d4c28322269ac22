// World mode: the control plane inside a management namespace on the simulated lan, a node namespace whose pod
// process reaches the apiserver directly at the management address, and the root namespace reaching the API only
// through the unix-socket forwarder. Needs root (network namespaces); fails, never skips, without it.
import * as fs from 'node:fs';
import { z } from 'zod';
import { isNotFound } from '../../kube/errors';
import type { RestClient } from '../../kube/rest';
import {
  startControlPlane,
  type ControlPlane,
  managementHost,
  type ManagementHost,
  worldPlacement,
} from '../harness/controlplane';
import { restClient, type HarnessRestClient } from '../harness/kubeconfig';
import { Kubelet, TEST_IMAGE } from '../harness/kubelet';
import { ip, createWorld, type World } from '../harness/net';
import { SimNode } from '../harness/nodes';
import { controlPlaneBinaries } from '../harness/paths';
import { waitFor } from '../harness/readiness';

jest.setTimeout(120_000);
const NS = 'world-test';

let world: World | undefined;
let mgmt: ManagementHost | undefined;
let cp: ControlPlane | undefined;
let admin: HarnessRestClient | undefined;
let node: SimNode | undefined;
let kubelet: Kubelet | undefined;
let rootLinksBefore = '';

function api(): RestClient {
  if (admin === undefined) throw new Error('world did not start (see beforeAll failure)');
  return admin;
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll failure)`);
  return v;
}

async function rootLinks(): Promise<string> {
  // Read-only: the names of the root namespace's interfaces, to prove the world added none.
  const r = await ip(undefined, ['-o', 'link', 'show']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(':')[1]?.trim() ?? '')
    .filter((n) => n !== '')
    .sort()
    .join(',');
}

const podSchema = z.looseObject({
  metadata: z.looseObject({ uid: z.string() }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      podIP: z.string().optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
    })
    .optional(),
});

beforeAll(async () => {
  controlPlaneBinaries();
  rootLinksBefore = await rootLinks();
  world = await createWorld({ nodes: 1, management: true });
  mgmt = managementHost(world);
  const t = Date.now();
  cp = await startControlPlane({
    placement: worldPlacement({ netns: mgmt.netns, ipv4: mgmt.ipv4, ipv6: mgmt.ipv6 }),
  });
  process.stderr.write(
    `[world.e2e] control plane in ${mgmt.netns}: spawn-to-ready ${cp.timings.spawnToReady}ms, total ${Date.now() - t}ms ${JSON.stringify(cp.timings)}\n`,
  );
  admin = restClient(cp.adminCredentials);
  const host = world.host('node1');
  const spec = { name: 'node1', ipv4: host.primary.v4, ipv6: host.primary.v6, netns: host.ns };
  node = await SimNode.start(cp, spec);
  kubelet = await Kubelet.start(cp, spec);
}, 240_000);

afterAll(async () => {
  await kubelet?.stop();
  await node?.stop();
  admin?.close();
  await cp?.stop();
  await world?.destroy();
});

describe('world placement', () => {
  test('the root namespace reaches the API through the forwarder on loopback, and gained no interface', async () => {
    const c = need(cp, 'control plane');
    expect(c.placement).toBe('world');
    expect(c.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(c.inClusterApiserver).toEqual({ host: '192.0.2.2', port: 6443 });
    const svc = z
      .looseObject({
        subsets: z.array(z.looseObject({ addresses: z.array(z.looseObject({ ip: z.string() })) })),
      })
      .parse(await api().request({ method: 'GET', path: '/api/v1/namespaces/default/endpoints/kubernetes' }));
    // The kubernetes Service points at the management address, where the apiserver really listens.
    expect(svc.subsets[0]?.addresses.map((a) => a.ip)).toEqual(['192.0.2.2']);
    expect(await rootLinks()).toBe(rootLinksBefore);
  });

  test('a pod in the node namespace reaches the apiserver at the management address with its ServiceAccount token', async () => {
    const w = need(world, 'world');
    await api().request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: NS } } });
    await api().request({
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps`,
      body: { metadata: { name: 'settings' }, data: { greeting: 'hello' } },
    });
    await api().request({
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/serviceaccounts`,
      body: { metadata: { name: 'reader' } },
    });
    await api().request({
      method: 'POST',
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`,
      body: {
        metadata: { name: 'cm' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      },
    });
    await api().request({
      method: 'POST',
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`,
      body: {
        metadata: { name: 'cm' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
      },
    });
    await api().request({
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/pods`,
      body: {
        metadata: { name: 'inside' },
        spec: {
          serviceAccountName: 'reader',
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'main',
              image: TEST_IMAGE,
              args: [
                'env',
                'KUBERNETES_SERVICE_HOST',
                'get',
                `/api/v1/namespaces/${NS}/configmaps/settings`,
                '200',
                'serve',
                '8080',
              ],
              // Probed at the pod IP from inside the node namespace: the root namespace has no route there.
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    });
    let last = '';
    await waitFor(
      'pod inside to be Ready',
      async () => {
        const p = podSchema.parse(
          await api().request({ method: 'GET', path: `/api/v1/namespaces/${NS}/pods/inside` }),
        );
        last = JSON.stringify(p.status);
        return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
      },
      { timeoutMs: 60_000 },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast status: ${last}`);
    });
    const log = need(kubelet, 'kubelet').logOf(NS, 'inside', 'main');
    const lines = fs
      .readFileSync(need(log, 'pod log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => z.record(z.string(), z.unknown()).parse(JSON.parse(l)));
    expect(lines.find((l) => l.step === 'env')?.values).toEqual({ KUBERNETES_SERVICE_HOST: '192.0.2.2' });
    expect(lines.find((l) => l.step === 'get')?.status).toBe(200);

    // The pod's server answers on the node's address on the lan, seen from another host of the world.
    const r = await w.exec(
      'client',
      ['/usr/bin/env', 'bash', '-c', 'exec 3<>/dev/tcp/192.0.2.11/8080 && echo connected'],
      {
        allowFailure: true,
      },
    );
    expect(r.stdout).toContain('connected');

    await api().request({ method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods/inside` });
    await waitFor(
      'pod inside to be gone',
      async () => {
        try {
          await api().request({ method: 'GET', path: `/api/v1/namespaces/${NS}/pods/inside` });
          return false;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      { timeoutMs: 30_000 },
    );
  });

  test('the apiserver calls an admission webhook at its pod IP over the lan (aggregator routing)', async () => {
    const c = need(cp, 'control plane');
    const hookNs = 'world-hooks';
    const cert = await c.issueServingCert(`hook.${hookNs}.svc`, { dnsNames: [`hook.${hookNs}.svc`] });
    await api().request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: hookNs } } });
    await api().request({
      method: 'POST',
      path: `/api/v1/namespaces/${hookNs}/pods`,
      body: {
        metadata: { name: 'hook', labels: { app: 'hook' } },
        spec: {
          terminationGracePeriodSeconds: 5,
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'main',
              image: TEST_IMAGE,
              args: ['webhook', '8443', cert.certPath, cert.keyPath],
              ports: [{ name: 'https', containerPort: 8443 }],
              readinessProbe: { tcpSocket: { port: 8443 }, periodSeconds: 1 },
            },
          ],
        },
      },
    });
    // A selector Service: the endpoints controller publishes the ready pod's IP, the node's address on the lan.
    await api().request({
      method: 'POST',
      path: `/api/v1/namespaces/${hookNs}/services`,
      body: {
        metadata: { name: 'hook' },
        spec: { selector: { app: 'hook' }, ports: [{ name: 'https', port: 443, targetPort: 'https' }] },
      },
    });
    await waitFor(
      'webhook endpoints',
      async () => {
        const ep = z
          .looseObject({
            subsets: z
              .array(z.looseObject({ addresses: z.array(z.looseObject({ ip: z.string() })).optional() }))
              .optional(),
          })
          .parse(
            await api()
              .request({ method: 'GET', path: `/api/v1/namespaces/${hookNs}/endpoints/hook` })
              .catch(() => ({})),
          );
        return ep.subsets?.[0]?.addresses?.[0]?.ip === '192.0.2.11';
      },
      { timeoutMs: 60_000 },
    );
    await api().request({
      method: 'POST',
      path: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
      body: {
        metadata: { name: 'ironlb-test-hook' },
        webhooks: [
          {
            name: 'hook.ironlb.test',
            clientConfig: {
              service: { namespace: hookNs, name: 'hook', port: 443, path: '/validate' },
              caBundle: Buffer.from(c.caPem).toString('base64'),
            },
            rules: [
              { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
            ],
            objectSelector: { matchLabels: { 'ironlb.test/webhook': 'on' } },
            failurePolicy: 'Fail',
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
            timeoutSeconds: 5,
          },
        ],
      },
    });
    // The webhook configuration reaches the apiserver's admission chain through an informer: wait for the denial.
    let n = 0;
    let lastError = '';
    await waitFor(
      'the webhook to deny a labelled ConfigMap',
      async () => {
        n++;
        try {
          await api().request({
            method: 'POST',
            path: `/api/v1/namespaces/${hookNs}/configmaps`,
            body: {
              metadata: {
                name: `denied-${n}`,
                labels: { 'ironlb.test/webhook': 'on', 'ironlb.test/deny': 'yes' },
              },
            },
          });
          return false;
        } catch (err) {
          lastError = err instanceof Error ? err.message : String(err);
          return lastError.includes('denied by the ironlb test webhook on hook');
        }
      },
      { timeoutMs: 30_000 },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast error: ${lastError}`);
    });
    // Allowed objects pass through the same webhook.
    await api().request({
      method: 'POST',
      path: `/api/v1/namespaces/${hookNs}/configmaps`,
      body: { metadata: { name: 'allowed', labels: { 'ironlb.test/webhook': 'on' } } },
    });
    const log = need(need(kubelet, 'kubelet').logOf(hookNs, 'hook', 'main'), 'webhook log');
    const reviews = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => z.record(z.string(), z.unknown()).parse(JSON.parse(l)))
      .filter((l) => l.step === 'admission');
    // The calls came from the management address: the apiserver itself, over the bridge.
    expect(reviews.some((r) => r.allowed === true)).toBe(true);
    expect(reviews.some((r) => r.allowed === false)).toBe(true);
    expect(new Set(reviews.map((r) => String(r.from).replace(/^::ffff:/, '')))).toEqual(
      new Set(['192.0.2.2']),
    );
    await api().request({
      method: 'DELETE',
      path: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/ironlb-test-hook',
    });
  });
});
