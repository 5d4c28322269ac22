// CertManager against an in-memory API: the Secret, the webhook configuration and the CRD it maintains.
import * as crypto from 'node:crypto';
import { KubeApiError } from '../../kube/errors';
import { FakeClock } from '../../testkit/fakeclock';
import { silentLogger } from '../../kube/log';
import type { RestClient, RestRequest } from '../../kube/rest';
import { CertManager } from './certmanager';
import type { CertificatePair } from '../../kube/tls/certs';

const SECRET = '/api/v1/namespaces/metallb-system/secrets/metallb-webhook-cert';
const VWC =
  '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/metallb-webhook-configuration';
const CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/bgppeers.metallb.io';

class MemoryApi implements RestClient {
  readonly objects = new Map<string, Record<string, unknown>>();
  writes = 0;
  private rv = 1;

  async request(req: RestRequest): Promise<unknown> {
    const path = req.method === 'POST' ? `${req.path}/${this.nameOf(req.body)}` : req.path;
    const current = this.objects.get(path);
    if (req.method === 'GET') {
      if (!current) throw new KubeApiError(404, 'GET', path, { code: 404, reason: 'NotFound' });
      return structuredClone(current);
    }
    if (req.method === 'POST' && current)
      throw new KubeApiError(409, 'POST', path, { code: 409, reason: 'AlreadyExists' });
    this.writes++;
    const body = structuredClone(req.body) as Record<string, unknown>;
    const metadata = {
      ...((body.metadata as Record<string, unknown> | undefined) ?? {}),
      resourceVersion: String(this.rv++),
    };
    this.objects.set(path, { ...body, metadata });
    return body;
  }

  private nameOf(body: unknown): string {
    return String(((body as { metadata?: { name?: string } }).metadata ?? {}).name);
  }
}

function manager(
  api: MemoryApi,
  served: CertificatePair[],
  extra: Partial<ConstructorParameters<typeof CertManager>[0]> = {},
) {
  return new CertManager({
    rest: api,
    clock: new FakeClock(),
    logger: silentLogger(),
    namespace: 'metallb-system',
    extraIPs: ['127.0.0.1'],
    onCertificate: (c) => served.push(c),
    ...extra,
  });
}

function seed(api: MemoryApi): void {
  api.objects.set(VWC, {
    metadata: { name: 'metallb-webhook-configuration' },
    webhooks: [
      {
        name: 'ipaddresspoolvalidationwebhook.metallb.io',
        clientConfig: { url: 'https://127.0.0.1:9443/x' },
        failurePolicy: 'Fail',
      },
      { name: 'bgppeervalidationwebhook.metallb.io', clientConfig: { url: 'https://127.0.0.1:9443/y' } },
    ],
  });
  api.objects.set(CRD, {
    metadata: { name: 'bgppeers.metallb.io' },
    spec: {
      conversion: {
        strategy: 'Webhook',
        webhook: { clientConfig: { url: 'https://127.0.0.1:9443/convert' } },
      },
    },
  });
}

const decode = (s: unknown): string => Buffer.from(String(s), 'base64').toString('utf8');

describe('CertManager', () => {
  it('issues a CA and serving certificate into the Secret and serves it', async () => {
    const api = new MemoryApi();
    const served: CertificatePair[] = [];
    await manager(api, served).ensure();
    const data = api.objects.get(SECRET)?.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    const leaf = new crypto.X509Certificate(decode(data['tls.crt']));
    expect(leaf.verify(new crypto.X509Certificate(decode(data['ca.crt'])).publicKey)).toBe(true);
    expect(leaf.checkHost('metallb-webhook-service.metallb-system.svc')).toBeDefined();
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(served.map((c) => c.cert)).toEqual([decode(data['tls.crt'])]);
  });

  it('injects the CA into every webhook and the CRD conversion, and sets the failure policy', async () => {
    const api = new MemoryApi();
    seed(api);
    await manager(api, [], { failurePolicy: 'Ignore' }).ensure();
    const ca = (api.objects.get(SECRET)?.data as Record<string, string>)['ca.crt'];
    const webhooks = api.objects.get(VWC)?.webhooks as {
      clientConfig: { caBundle: string };
      failurePolicy: string;
    }[];
    expect(webhooks.map((w) => [w.clientConfig.caBundle, w.failurePolicy])).toEqual([
      [ca, 'Ignore'],
      [ca, 'Ignore'],
    ]);
    expect(JSON.stringify(api.objects.get(CRD))).toContain(`"caBundle":"${ca}"`);
  });

  it('is idempotent: a second check with valid material writes nothing', async () => {
    const api = new MemoryApi();
    seed(api);
    const served: CertificatePair[] = [];
    await manager(api, served).ensure();
    const writes = api.writes;
    await manager(api, served).ensure();
    expect(api.writes).toBe(writes);
    expect(served[0]?.cert).toBe(served[1]?.cert);
  });

  it('reissues the serving certificate before expiry, keeping the CA', async () => {
    const api = new MemoryApi();
    await manager(api, []).ensure();
    const before = api.objects.get(SECRET)?.data as Record<string, string>;
    // A margin longer than the certificate's life: it is due for rotation now.
    await manager(api, [], { rotateBeforeMs: 400 * 86_400_000 }).ensure();
    const after = api.objects.get(SECRET)?.data as Record<string, string>;
    expect(after['tls.crt']).not.toBe(before['tls.crt']);
    expect(after['ca.crt']).toBe(before['ca.crt']);
  });

  it('fills an empty Secret a chart created', async () => {
    const api = new MemoryApi();
    api.objects.set(SECRET, { metadata: { name: 'metallb-webhook-cert', resourceVersion: '1' } });
    await manager(api, []).ensure();
    expect(Object.keys((api.objects.get(SECRET)?.data as Record<string, string>) ?? {})).toHaveLength(4);
  });
});
