// The HTTPS side of the webhook server: TLS with the issued certificate, rotation without a restart, and
// an AdmissionReview answered over the wire.
import * as https from 'node:https';
import { silentLogger } from '../../kube/log';
import { createCA, createServingCert } from '../../kube/tls/certs';
import { WebhookServer } from './server';

const DAY = 86_400_000;

function issue() {
  const ca = createCA();
  return {
    ca,
    serving: createServingCert(ca, { dnsNames: ['localhost'], ips: ['127.0.0.1'], validityMs: DAY }),
  };
}

function post(
  port: number,
  ca: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
      },
      (res) => {
        let out = '';
        res.on('data', (c: Buffer) => (out += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('WebhookServer over HTTPS', () => {
  it('answers a review over TLS and serves a rotated certificate to new connections', async () => {
    const first = issue();
    const server = new WebhookServer({
      namespace: 'metallb-system',
      snapshot: async () => ({}),
      logger: silentLogger(),
    });
    const port = await server.listen(0, '127.0.0.1', first.serving);
    try {
      const review = {
        request: {
          uid: 'u',
          kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' },
          operation: 'CREATE',
          object: {
            metadata: { name: 'p', namespace: 'metallb-system' },
            spec: { addresses: ['192.0.2.0/24'] },
          },
        },
      };
      const ok = await post(port, first.ca.cert, '/validate-metallb-io-v1beta1-ipaddresspool', review);
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body)).toMatchObject({ response: { uid: 'u', allowed: true } });

      const second = issue();
      server.setCertificate(second.serving);
      await expect(post(port, first.ca.cert, '/convert', {})).rejects.toThrow();
      const after = await post(port, second.ca.cert, '/convert', {});
      expect(after.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
