// The HTTP backend of the traffic tests: answers every request with the node's name and the addresses of the
// connection, so a test can tell which node served it and whether the client address was preserved. Run by
// Node 24 directly (built-ins only). Listens on [::]:PORT, dual-stack, so it serves service addresses of both
// families that are on the node's `lo`.
//
// Usage: node backend.main.ts --name node1 --port 8080
import * as http from 'node:http';

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`missing ${name}`);
  return v;
}

const name = arg('--name');
const port = Number(arg('--port'));

const server = http.createServer((req, res) => {
  const body = JSON.stringify({
    node: name,
    local: req.socket.localAddress,
    remote: req.socket.remoteAddress,
    path: req.url,
  });
  res.writeHead(200, { 'content-type': 'application/json', 'x-node': name, connection: 'close' });
  res.end(`${body}\n`);
});
server.on('error', (err) => {
  console.error(`backend: ${err.message}`);
  process.exit(1);
});
server.listen({ host: '::', port, ipv6Only: false }, () => console.log(`listening [::]:${port} as ${name}`));

const stop = (): void => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
