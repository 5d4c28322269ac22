// A byte pipe between two kinds of socket, run as its own small process (node runs this file directly: it has
// no imports beyond node: built-ins and only erasable type syntax).
//
// Why it exists: in world mode the control plane lives in a management network namespace and the root namespace
// has no interface on the simulated network (we never add one). Unix sockets on the shared filesystem cross
// namespaces, so two of these processes bridge the gap:
//   inside the management ns:  unix:<run>/sock/apiserver.sock  ->  tcp:127.0.0.1:6443
//   in the root ns:            tcp:127.0.0.1:<free port>       ->  unix:<run>/sock/apiserver.sock
// TLS passes through untouched, so clients still verify the apiserver's own certificate.
//
// Usage: node forwarder.ts <listen>=<connect> [...]   where each side is tcp:<host>:<port> or unix:<path>
// Prints one line "ready" on stdout once every listener is bound.
import * as fs from 'node:fs';
import * as net from 'node:net';

interface Endpoint {
  kind: 'tcp' | 'unix';
  host: string;
  port: number;
  path: string;
}

function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:')) return { kind: 'unix', host: '', port: 0, path: text.slice(5) };
  const m = /^tcp:(.+):(\d+)$/.exec(text);
  if (m === null || m[1] === undefined || m[2] === undefined)
    throw new Error(`forwarder: bad endpoint ${text}`);
  return { kind: 'tcp', host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]), path: '' };
}

function connect(to: Endpoint): net.Socket {
  return to.kind === 'unix' ? net.connect({ path: to.path }) : net.connect({ host: to.host, port: to.port });
}

function listen(from: Endpoint, to: Endpoint): Promise<void> {
  const server = net.createServer((client) => {
    const upstream = connect(to);
    // Either side failing or closing ends both; errors are expected when a peer goes away (e.g. a test ends).
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (from.kind === 'unix') {
      // A stale socket from a previous run with the same path would make listen() fail with EADDRINUSE.
      fs.rmSync(from.path, { force: true });
      server.listen({ path: from.path }, () => resolve());
    } else {
      server.listen({ host: from.host, port: from.port, exclusive: true }, () => resolve());
    }
  });
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0) throw new Error('usage: forwarder.ts <listen>=<connect> ...');
  const pairs = argv.map((arg) => {
    const i = arg.indexOf('=');
    if (i < 0) throw new Error(`forwarder: expected <listen>=<connect>, got ${arg}`);
    return { from: parseEndpoint(arg.slice(0, i)), to: parseEndpoint(arg.slice(i + 1)) };
  });
  await Promise.all(pairs.map((p) => listen(p.from, p.to)));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => process.exit(0));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
