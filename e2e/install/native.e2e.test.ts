// The native install, end to end in world mode: manifests/ironlb-native.yaml applied to a real control plane
// with three simulated nodes; the real scheduler places the controller, the process kubelet runs it with its
// own ServiceAccount token (so every call it makes is checked against the manifest's RBAC), the apiserver
// calls its webhook through metallb-webhook-service, and it assigns LoadBalancer addresses from a pool.
// Needs root (network namespaces); fails, never skips, without it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { isNotFound, statusCodeOf } from '../../kube/errors';
import { restClient, type HarnessRestClient } from '../harness/kubeconfig';
import { waitFor } from '../harness/readiness';
import {
  installIronlb,
  startCluster,
  waitForControllerReady,
  type ControllerPod,
  type InstalledCluster,
} from './cluster';
import { METALLB_NAMESPACE as NS } from './manifest';
import { readService, type ServiceAddresses } from '../../testkit/servicereader';

jest.setTimeout(180_000);

const POOLS = `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`;
const SERVICES = '/api/v1/namespaces/default/services';

let cluster: InstalledCluster | undefined;
let controller: ControllerPod | undefined;

function c(): InstalledCluster {
  if (cluster === undefined) throw new Error('cluster did not start (see beforeAll failure)');
  return cluster;
}

function pod(): ControllerPod {
  if (controller === undefined) throw new Error('controller did not become Ready (see beforeAll failure)');
  return controller;
}

async function createService(name: string): Promise<void> {
  await c().admin.request({
    method: 'POST',
    path: SERVICES,
    body: {
      metadata: { name },
      spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
    },
  });
}

function serviceIPs(name: string): Promise<ServiceAddresses> {
  return readService(c().admin, 'default', name);
}

async function waitForIP(name: string): Promise<{ ips: string[]; pool: string | undefined }> {
  let got = { ips: [] as string[], pool: undefined as string | undefined };
  await waitFor(
    `Service default/${name} to get an address and its pool annotation`,
    async () => {
      // Two writes (status, then metadata): wait for both, the state a user sees once it settles.
      got = await serviceIPs(name);
      return got.ips.length > 0 && got.pool !== undefined;
    },
    { timeoutMs: 30_000 },
  );
  return got;
}

/** The API's message for a rejected create, or 'created'. */
async function tryCreatePool(name: string, addresses: string[]): Promise<string> {
  try {
    await c().admin.request({
      method: 'POST',
      path: POOLS,
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name },
        spec: { addresses },
      },
    });
    return 'created';
  } catch (err) {
    if (statusCodeOf(err) === undefined) throw err;
    return err instanceof Error ? err.message : String(err);
  }
}

/** A client authenticated as the controller pod, with the token the kubelet gave it. */
function controllerIdentity(): HarnessRestClient {
  const log = c()
    .kubelets.map((k) => k.logOf(NS, pod().metadata.name, 'controller'))
    .find((l) => l !== undefined);
  if (log === undefined) throw new Error('no kubelet knows the controller pod');
  const podDir = path.dirname(path.dirname(log));
  const token = fs
    .readFileSync(path.join(podDir, 'root/var/run/secrets/kubernetes.io/serviceaccount/token'), 'utf8')
    .trim();
  return restClient({ server: c().cp.server, caPem: c().cp.caPem, token });
}

beforeAll(async () => {
  const t = Date.now();
  cluster = await startCluster({ nodes: 3, onStep: (m) => process.stderr.write(`[install.e2e] ${m}\n`) });
  await installIronlb(cluster);
  controller = await waitForControllerReady(cluster.admin);
  process.stderr.write(`[install.e2e] controller Ready ${Date.now() - t}ms after start\n`);
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('native install', () => {
  test('the scheduler places the controller on a node and it runs as its own ServiceAccount', async () => {
    const p = pod();
    expect(c().world.nodes.map((n) => n.role)).toContain(p.spec.nodeName);
    expect(p.spec.serviceAccountName).toBe('controller');
    const sa = controllerIdentity();
    try {
      const review = z
        .looseObject({ status: z.looseObject({ userInfo: z.looseObject({ username: z.string() }) }) })
        .parse(
          await sa.request({
            method: 'POST',
            path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
            body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
          }),
        );
      expect(review.status.userInfo.username).toBe(`system:serviceaccount:${NS}:controller`);
      // Not an admin in disguise: what the manifest does not grant is refused.
      const denied = await sa
        .request({ method: 'GET', path: '/api/v1/namespaces/kube-system/secrets' })
        .then(() => 200)
        .catch((err: unknown) => statusCodeOf(err));
      expect(denied).toBe(403);
    } finally {
      sa.close();
    }
    // What it did with those rights: won the Lease, wrote the webhook certificate, injected the CA.
    const lease = z.looseObject({ spec: z.looseObject({ holderIdentity: z.string().optional() }) }).parse(
      await c().admin.request({
        method: 'GET',
        path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/metallb-controller`,
      }),
    );
    expect(lease.spec.holderIdentity).toBe(p.metadata.name);
    const vwc = z
      .looseObject({
        webhooks: z.array(
          z.looseObject({ clientConfig: z.looseObject({ caBundle: z.string().optional() }) }),
        ),
      })
      .parse(
        await c().admin.request({
          method: 'GET',
          path: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/metallb-webhook-configuration',
        }),
      );
    expect(vwc.webhooks).toHaveLength(6);
    for (const w of vwc.webhooks) expect(w.clientConfig.caBundle ?? '').not.toBe('');
  });

  test('the apiserver calls the webhook through metallb-webhook-service: an inverted range is denied', async () => {
    pod();
    let message = '';
    // The webhook Service's endpoints and the injected CA reach the apiserver through informers: retry until
    // the answer comes from the webhook rather than from a failed call.
    await waitFor(
      'the webhook to deny an invalid IPAddressPool',
      async () => {
        message = await tryCreatePool('inverted', ['192.0.2.250-192.0.2.240']);
        if (message === 'created') throw new Error('an inverted range was admitted');
        return message.includes('denied the request');
      },
      { timeoutMs: 30_000 },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast answer: ${message}`);
    });
    expect(message).toContain('ipaddresspoolvalidationwebhook.metallb.io');
    expect(message).toContain(`IPAddressPool ${NS}/inverted`);
    expect(message).toContain('spec.addresses[0]');
    expect(message).toContain('start');
    await expect(
      c()
        .admin.request({ method: 'GET', path: `${POOLS}/inverted` })
        .catch((err: unknown) => {
          if (isNotFound(err)) return 'not found';
          throw err;
        }),
    ).resolves.toBe('not found');
    // A valid pool of exactly one address passes through the same webhook.
    expect(await tryCreatePool('one', ['192.0.2.200/32'])).toBe('created');
  });

  test('the other webhooks read what they need with the controller RBAC (Nodes, Secrets)', async () => {
    pod();
    const create = (path: string, body: object) => c().admin.request({ method: 'POST', path, body });
    // L2Advertisement: its nodeSelectors are checked against the Nodes.
    await create(`/apis/metallb.io/v1beta1/namespaces/${NS}/l2advertisements`, {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'l2' },
      spec: {
        ipAddressPools: ['one'],
        nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node1' } }],
      },
    });
    // BGPPeer: its password Secret is read from the namespace.
    await create(`/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name: 'bgp-pass' },
      type: 'kubernetes.io/basic-auth',
      stringData: { password: 'demo' },
    });
    const peers = `/apis/metallb.io/v1beta2/namespaces/${NS}/bgppeers`;
    const peer = (name: string, secret: string) => ({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name },
      spec: {
        myASN: 64513,
        peerASN: 64512,
        peerAddress: '192.0.2.1',
        passwordSecret: { name: secret, namespace: NS },
      },
    });
    await create(peers, peer('router', 'bgp-pass'));
    // The Secret lookup is real: a peer whose Secret has the wrong type is refused (a missing Secret is
    // admitted, as upstream treats it as transient).
    await create(`/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name: 'opaque-pass' },
      type: 'Opaque',
      stringData: { password: 'demo' },
    });
    const wrongType = await create(peers, peer('other', 'opaque-pass'))
      .then(() => 'created')
      .catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    expect(wrongType).toContain('bgppeervalidationwebhook.metallb.io');
    expect(wrongType).toContain('secret type mismatch');
    await c().admin.request({ method: 'DELETE', path: `${peers}/router` });
  });

  test('a LoadBalancer Service gets the pool address, and deleting it frees the address for the next', async () => {
    pod();
    await createService('first');
    const first = await waitForIP('first');
    expect(first).toEqual({ ips: ['192.0.2.200'], pool: 'one' });

    // The pool is full: the second Service waits, with an event saying why.
    await createService('second');
    await waitFor(
      'an AllocationFailed event for default/second',
      async () => {
        const events = z
          .looseObject({
            items: z.array(
              z.looseObject({
                reason: z.string().optional(),
                involvedObject: z.looseObject({ name: z.string().optional() }),
              }),
            ),
          })
          .parse(await c().admin.request({ method: 'GET', path: '/api/v1/namespaces/default/events' }));
        return events.items.some(
          (e) => e.reason === 'AllocationFailed' && e.involvedObject.name === 'second',
        );
      },
      { timeoutMs: 30_000 },
    );
    expect((await serviceIPs('second')).ips).toEqual([]);

    await c().admin.request({ method: 'DELETE', path: `${SERVICES}/first` });
    expect(await waitForIP('second')).toEqual({ ips: ['192.0.2.200'], pool: 'one' });
  });

  // Last, so it covers everything the tests above made the controller do (status writes, events, Leases).
  test('no call the controller made over the whole run was refused by RBAC', () => {
    const p = pod();
    const log = c()
      .kubelets.map((k) => k.logOf(NS, p.metadata.name, 'controller'))
      .find((l) => l !== undefined);
    const text = fs.readFileSync(log ?? '', 'utf8');
    expect(text).toContain('service allocate');
    expect(text.split('\n').filter((l) => /forbidden/i.test(l))).toEqual([]);
  });
});
