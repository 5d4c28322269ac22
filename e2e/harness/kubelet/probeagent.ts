// The readiness checker of one world-mode node: a long-lived process inside the node's network namespace that
// runs HTTP and TCP probes on request (node runs this file directly: node: built-ins and erasable types only).
// The kubelet lives in the root namespace, which has no route to node addresses, so its probes of world-mode
// pods go through this agent. One process per node rather than one per probe: at 20 nodes a 2 s readiness
// period meant ten Node start-ups a second, enough on two cores to make the probes themselves time out.
//
// Usage: node probeagent.ts <unix-socket-path>
// Requests (HTTP over the Unix socket, which is reachable from every namespace):
//   GET /http?url=<url>&timeout=<ms>   GET /tcp?host=<host>&port=<port>&timeout=<ms>
// Answers 200 when the probe succeeded, 503 with the reason as the body when it failed.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';

type Outcome = { ok: true } | { ok: false; reason: string };

function checkHttp(url: URL, timeout: number): Promise<Outcome> {
  return new Promise((resolve) => {
    // Probes do not verify certificates, as the kubelet's HTTPS probes do not.
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.get(url, { timeout, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      // Kubernetes counts 200 <= code < 400 as success.
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, reason: `HTTP ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeout}ms`)));
    req.on('error', (err) => resolve({ ok: false, reason: err.message }));
  });
}

function checkTcp(host: string, port: number, timeout: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout });
    s.once('connect', () => {
      s.destroy();
      resolve({ ok: true });
    });
    s.once('timeout', () => {
      s.destroy();
      resolve({ ok: false, reason: `timeout after ${timeout}ms` });
    });
    s.once('error', (err) => resolve({ ok: false, reason: err.message }));
  });
}

function run(req: URL): Promise<Outcome> {
  const timeout = Number(req.searchParams.get('timeout') ?? '1000');
  if (req.pathname === '/http') {
    const target = req.searchParams.get('url');
    if (target === null) return Promise.resolve({ ok: false, reason: 'no url' });
    return checkHttp(new URL(target), timeout);
  }
  if (req.pathname === '/tcp') {
    const host = req.searchParams.get('host');
    const port = Number(req.searchParams.get('port'));
    if (host === null || !Number.isInteger(port))
      return Promise.resolve({ ok: false, reason: 'no host/port' });
    return checkTcp(host, port, timeout);
  }
  return Promise.resolve({ ok: false, reason: `unknown probe ${req.pathname}` });
}

const socketPath = process.argv[2];
if (socketPath === undefined) {
  process.stderr.write('usage: probeagent.ts <unix-socket-path>\n');
  process.exit(2);
}
fs.rmSync(socketPath, { force: true });
const server = http.createServer((req, res) => {
  void run(new URL(req.url ?? '/', 'http://agent')).then((o) => {
    res.writeHead(o.ok ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(o.ok ? 'ok' : o.reason);
  });
});
server.listen(socketPath, () => process.stdout.write(`probe agent listening on ${socketPath}\n`));
const stop = (): void => {
  server.close();
  fs.rmSync(socketPath, { force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
