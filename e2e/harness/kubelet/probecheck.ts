// One readiness check, run as its own process inside a node's network namespace (node runs this file directly:
// node: built-ins and erasable types only). The kubelet itself lives in the root namespace, which has no route
// to node addresses, so HTTP and TCP probes of world-mode pods go through this.
//
// Usage: node probecheck.ts http <url> <timeoutMs> | tcp <host> <port> <timeoutMs>
// Exit 0: success; 1: failure (reason on stderr).
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';

function fail(reason: string): never {
  process.stderr.write(`${reason}\n`);
  process.exit(1);
}

const [kind, a, b, c] = process.argv.slice(2);
if (kind === 'http' && a !== undefined && b !== undefined) {
  const url = new URL(a);
  const timeout = Number(b);
  // Probes do not verify certificates, as the kubelet's HTTPS probes do not.
  const mod = url.protocol === 'https:' ? https : http;
  const req = mod.get(url, { timeout, rejectUnauthorized: false, agent: false }, (res) => {
    res.resume();
    const code = res.statusCode ?? 0;
    // Kubernetes counts 200 <= code < 400 as success.
    if (code >= 200 && code < 400) process.exit(0);
    fail(`HTTP ${code}`);
  });
  req.on('timeout', () => req.destroy(new Error(`timeout after ${timeout}ms`)));
  req.on('error', (err) => fail(err.message));
} else if (kind === 'tcp' && a !== undefined && b !== undefined && c !== undefined) {
  const s = net.connect({ host: a, port: Number(b), timeout: Number(c) });
  s.on('connect', () => {
    s.destroy();
    process.exit(0);
  });
  s.on('timeout', () => fail('timeout'));
  s.on('error', (err) => fail(err.message));
} else {
  fail('usage: probecheck.ts http <url> <timeoutMs> | tcp <host> <port> <timeoutMs>');
}
