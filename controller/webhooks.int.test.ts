// The webhook server in-process, called by a real kube-apiserver through a ValidatingWebhookConfiguration
// and the BGPPeer CRD's conversion webhook, both trusting the CA the CertManager issued and injected.
import { z } from 'zod';
import { freePorts } from '../e2e/harness/ports';
import { describeError, statusCodeOf } from '../kube/errors';
import { silentLogger } from '../kube/log';
import { KubeRestClient } from '../kube/rest';
import { systemClock } from '../kube/clock';
import { RunningWebhooks, startWebhooks } from './app/webhooks';
import {
  Cluster,
  NS,
  create,
  eventually,
  poolPath,
  startCluster,
  stopCluster,
} from '../testkit/metallbcluster';

jest.setTimeout(180_000);

let cluster: Cluster | undefined;
let webhooks: RunningWebhooks | undefined;
let port = 0;

function c(): Cluster {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster;
}

const VWC = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/bgppeers.metallb.io';

function hook(name: string, path: string, version: string, resource: string) {
  return {
    name,
    clientConfig: { url: `https://127.0.0.1:${port}${path}` },
    rules: [
      {
        apiGroups: ['metallb.io'],
        apiVersions: [version],
        operations: ['CREATE', 'UPDATE'],
        resources: [resource],
      },
    ],
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
  };
}

const pool = (name: string, namespace: string, addresses: string[]) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace },
  spec: { addresses },
});

/** The API error message of a rejected create, or 'created'. */
async function tryCreate(path: string, body: unknown): Promise<string> {
  try {
    await c().api.request({ method: 'POST', path, body });
    return 'created';
  } catch (err) {
    if (statusCodeOf(err) === undefined) throw err;
    return describeError(err);
  }
}

beforeAll(async () => {
  cluster = await startCluster();
  const [free] = await freePorts(1);
  port = free ?? 0;
  await create(c().api, VWC, {
    metadata: { name: 'metallb-webhook-configuration' },
    webhooks: [
      hook(
        'ipaddresspoolvalidationwebhook.metallb.io',
        '/validate-metallb-io-v1beta1-ipaddresspool',
        'v1beta1',
        'ipaddresspools',
      ),
      hook(
        'bgppeervalidationwebhook.metallb.io',
        '/validate-metallb-io-v1beta2-bgppeer',
        'v1beta2',
        'bgppeers',
      ),
    ],
  });
  const crd = z
    .looseObject({ spec: z.looseObject({}) })
    .parse(await c().api.request({ method: 'GET', path: CRD }));
  await c().api.request({
    method: 'PUT',
    path: CRD,
    body: {
      ...crd,
      spec: {
        ...crd.spec,
        conversion: {
          strategy: 'Webhook',
          webhook: {
            clientConfig: { url: `https://127.0.0.1:${port}/convert` },
            conversionReviewVersions: ['v1'],
          },
        },
      },
    },
  });
  webhooks = await startWebhooks({
    rest: new KubeRestClient(c().cp.kubeConfig()),
    clock: systemClock(),
    logger: silentLogger(),
    namespace: NS,
    port,
    host: '127.0.0.1',
    extraIPs: ['127.0.0.1'],
    checkEveryMs: 500,
  });
}, 240_000);

afterAll(async () => {
  await webhooks?.stop();
  await stopCluster(cluster);
}, 60_000);

describe('webhooks against a real API server', () => {
  it('the API server trusts the injected CA and the webhook denies an invalid IPAddressPool with our reason', async () => {
    let message = '';
    // The API server picks up webhook configuration changes within a second or so.
    await eventually('the webhook is called', async () => {
      message = await tryCreate(poolPath(), pool('bad', NS, ['203.0.113.10-203.0.113.5']));
      if (message === 'created') await c().api.request({ method: 'DELETE', path: poolPath('bad') });
      return message.includes('admission webhook');
    });
    expect(message).toContain('IPAddressPool metallb-system/bad');
    expect(message).toContain('spec.addresses[0]');
  });

  it('admits a valid pool and denies an overlapping one', async () => {
    expect(await tryCreate(poolPath(), pool('good', NS, ['203.0.113.0/28']))).toBe('created');
    expect(await tryCreate(poolPath(), pool('overlap', NS, ['203.0.113.8/29']))).toContain(
      'denied the request',
    );
  });

  it('denies a pool outside the MetalLB namespace', async () => {
    const message = await tryCreate(
      '/apis/metallb.io/v1beta1/namespaces/default/ipaddresspools',
      pool('elsewhere', 'default', ['192.0.2.0/28']),
    );
    expect(message).toContain('resource must be created in metallb-system namespace');
  });

  it('converts a BGPPeer written as v1beta1 and reads it back in both versions', async () => {
    const v1beta1 = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPPeer',
      metadata: { name: 'router', namespace: NS },
      spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', holdTime: '90s' },
    };
    await eventually('conversion webhook in use', async () => {
      const result = await tryCreate(`/apis/metallb.io/v1beta1/namespaces/${NS}/bgppeers`, v1beta1);
      return result === 'created';
    });
    const Peer = z.looseObject({
      apiVersion: z.string(),
      spec: z.looseObject({ peerAddress: z.string(), peerPort: z.number().optional() }),
    });
    const v2 = Peer.parse(
      await c().api.request({
        method: 'GET',
        path: `/apis/metallb.io/v1beta2/namespaces/${NS}/bgppeers/router`,
      }),
    );
    expect(v2.apiVersion).toBe('metallb.io/v1beta2');
    expect(v2.spec).toMatchObject({ peerAddress: '192.0.2.1', peerPort: 179 });
    const v1 = Peer.parse(
      await c().api.request({
        method: 'GET',
        path: `/apis/metallb.io/v1beta1/namespaces/${NS}/bgppeers/router`,
      }),
    );
    expect(v1.apiVersion).toBe('metallb.io/v1beta1');
    expect(v1.spec.peerAddress).toBe('192.0.2.1');
  });
});
