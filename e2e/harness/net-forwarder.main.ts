// A byte forwarder between a TCP and a unix-socket endpoint, run as its own process (Node 24 runs this .ts
// file directly; it imports nothing but Node built-ins so it needs no build step). Path-named unix sockets
// are shared by every network namespace on the machine while TCP ports are not, so two forwarders joined by a
// unix socket connect loopback services across namespaces without creating any interface, address or route:
//
//   node ns:  127.0.0.1:PORT  --(this, in the node ns)-->  /run-dir/x.sock  --(this, in the root ns)-->  127.0.0.1:PORT
//
// Usage: node net-forwarder.main.ts --listen tcp:127.0.0.1:6443|unix:/path --connect tcp:HOST:PORT|unix:/path
// Prints "listening <endpoint>" once accepting; exits on SIGTERM/SIGINT.
import * as fs from 'node:fs';
import * as net from 'node:net';

type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:')) return { kind: 'unix', path: text.slice(5) };
  const m = /^tcp:(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (m !== null && m[1] !== undefined && m[2] !== undefined) {
    return { kind: 'tcp', host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }
  throw new Error(`bad endpoint ${JSON.stringify(text)}: want tcp:HOST:PORT or unix:/path`);
}

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`missing ${name}`);
  return v;
}

const listen = parseEndpoint(arg('--listen'));
const connect = parseEndpoint(arg('--connect'));
const describe = (e: Endpoint): string => (e.kind === 'unix' ? `unix:${e.path}` : `tcp:${e.host}:${e.port}`);

const server = net.createServer((down) => {
  const up = connect.kind === 'unix' ? net.connect({ path: connect.path }) : net.connect({ host: connect.host, port: connect.port });
  // Errors on either side end both: the client sees a reset, as it would from the real service.
  const fail = (): void => {
    down.destroy();
    up.destroy();
  };
  down.on('error', fail);
  up.on('error', fail);
  down.pipe(up);
  up.pipe(down);
});

if (listen.kind === 'unix') fs.rmSync(listen.path, { force: true });
server.on('error', (err) => {
  console.error(`forwarder: ${err.message}`);
  process.exit(1);
});
server.listen(listen.kind === 'unix' ? { path: listen.path } : { host: listen.host, port: listen.port, exclusive: true }, () => {
  console.log(`listening ${describe(listen)} -> ${describe(connect)}`);
});

const stop = (): void => {
  server.close();
  if (listen.kind === 'unix') fs.rmSync(listen.path, { force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
