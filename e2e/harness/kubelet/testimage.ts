// The built-in test image (TEST_IMAGE in images.ts): a Node script of composable steps, run by the process
// kubelet as a pod's container. It talks to the apiserver only the way a pod does: the in-cluster environment
// (KUBERNETES_SERVICE_HOST/PORT) and the projected ServiceAccount files (token, ca.crt, namespace) under
// $IRONLB_POD_ROOT/var/run/secrets/kubernetes.io/serviceaccount. Node runs this file directly (node: built-ins
// and erasable types only).
//
// Steps, run in order; each prints one JSON line on stdout:
//   env NAME[,NAME...]        print those environment variables
//   get PATH EXPECTED_STATUS  GET an API path as the pod's ServiceAccount; exit 3 if the status differs
//   serve PORT                answer HTTP 200 on every path (a readiness target) until SIGTERM
//   webhook PORT CERT KEY     serve a validating admission webhook over HTTPS until SIGTERM: it denies objects
//                             labelled ironlb.test/deny and allows everything else
//   exit CODE                 exit with CODE
// Without serve or exit the process exits 0 once every step has passed.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';

const SA_DIR = path.join(process.env.IRONLB_POD_ROOT ?? '/', 'var/run/secrets/kubernetes.io/serviceaccount');

function say(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function apiGet(apiPath: string): Promise<{ status: number; body: string }> {
  const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  const token = fs.readFileSync(path.join(SA_DIR, 'token'), 'utf8').trim();
  const ca = fs.readFileSync(path.join(SA_DIR, 'ca.crt'), 'utf8');
  const url = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}${apiPath}`);
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      { ca, headers: { Authorization: `Bearer ${token}` }, agent: false, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The response as JSON without managedFields (noise), or the raw text when it is not JSON. */
function parseBody(text: string): unknown {
  try {
    const obj: unknown = JSON.parse(text);
    if (typeof obj === 'object' && obj !== null && 'metadata' in obj) {
      const meta: unknown = obj.metadata;
      if (typeof meta === 'object' && meta !== null && 'managedFields' in meta) delete meta.managedFields;
    }
    return obj;
  } catch {
    return text.slice(0, 2000);
  }
}

/** The request uid and object label keys of an AdmissionReview (empty when the body is not one). */
function reviewOf(text: string): { uid: string; labels: string[] } {
  try {
    const body: unknown = JSON.parse(text);
    const request = typeof body === 'object' && body !== null && 'request' in body ? body.request : undefined;
    if (typeof request !== 'object' || request === null) return { uid: '', labels: [] };
    const uid = 'uid' in request && typeof request.uid === 'string' ? request.uid : '';
    const object = 'object' in request ? request.object : undefined;
    const metadata =
      typeof object === 'object' && object !== null && 'metadata' in object ? object.metadata : undefined;
    const labels =
      typeof metadata === 'object' && metadata !== null && 'labels' in metadata ? metadata.labels : undefined;
    return { uid, labels: typeof labels === 'object' && labels !== null ? Object.keys(labels) : [] };
  } catch {
    return { uid: '', labels: [] };
  }
}

async function main(args: string[]): Promise<void> {
  for (let i = 0; i < args.length;) {
    const step = args[i];
    if (step === 'env') {
      const names = (args[i + 1] ?? '').split(',').filter((n) => n !== '');
      say({ step: 'env', values: Object.fromEntries(names.map((n) => [n, process.env[n] ?? null])) });
      i += 2;
    } else if (step === 'get') {
      const apiPath = args[i + 1] ?? '/';
      const expected = Number(args[i + 2]);
      const r = await apiGet(apiPath);
      const ok = r.status === expected;
      say({ step: 'get', path: apiPath, status: r.status, expected, ok, body: parseBody(r.body) });
      if (!ok) process.exit(3);
      i += 3;
    } else if (step === 'serve') {
      const port = Number(args[i + 1]);
      const server = http.createServer((_req, res) => res.end('ok\n'));
      await new Promise<void>((resolve) => server.listen(port, resolve));
      say({ step: 'serve', port });
      process.on('SIGTERM', () => {
        say({ step: 'terminated', signal: 'SIGTERM' });
        server.close();
        process.exit(0);
      });
      return;
    } else if (step === 'webhook') {
      const port = Number(args[i + 1]);
      const server = https.createServer(
        { cert: fs.readFileSync(args[i + 2] ?? ''), key: fs.readFileSync(args[i + 3] ?? '') },
        (req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            const review = reviewOf(Buffer.concat(chunks).toString('utf8'));
            const allowed = !review.labels.includes('ironlb.test/deny');
            say({ step: 'admission', uid: review.uid, allowed, from: req.socket.remoteAddress ?? '' });
            res.setHeader('Content-Type', 'application/json');
            res.end(
              JSON.stringify({
                apiVersion: 'admission.k8s.io/v1',
                kind: 'AdmissionReview',
                response: {
                  uid: review.uid,
                  allowed,
                  ...(allowed
                    ? {}
                    : {
                        status: {
                          code: 403,
                          message: `denied by the ironlb test webhook on ${process.env.HOSTNAME ?? '?'}`,
                        },
                      }),
                },
              }),
            );
          });
        },
      );
      await new Promise<void>((resolve) => server.listen(port, resolve));
      say({ step: 'webhook', port });
      process.on('SIGTERM', () => {
        say({ step: 'terminated', signal: 'SIGTERM' });
        server.close();
        process.exit(0);
      });
      return;
    } else if (step === 'exit') {
      const code = Number(args[i + 1]);
      say({ step: 'exit', code });
      process.exit(code);
    } else {
      say({ step: 'error', message: `unknown step ${String(step)}` });
      process.exit(2);
    }
  }
  say({ step: 'done' });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  say({ step: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(4);
});
