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
    const req = https.get(url, { ca, headers: { Authorization: `Bearer ${token}` }, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
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

async function main(args: string[]): Promise<void> {
  for (let i = 0; i < args.length; ) {
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
