// Free loopback TCP ports for the control plane. Fixed ports (2379, 6443, 10257 ...) would collide between
// parallel jest workers and with anything else on the machine.
import * as net from 'node:net';

function listenEphemeral(host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => resolve(srv));
  });
}

/**
 * Returns `count` distinct ports that were free a moment ago. All listeners are held open until every port is
 * chosen, so the kernel cannot hand out the same port twice; the small window between closing them and a
 * child binding is accepted (a collision shows up as the child exiting with "address already in use").
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenEphemeral(host));
    return servers.map((s) => {
      const addr = s.address();
      if (addr === null || typeof addr === 'string') throw new Error('unexpected non-TCP listener address');
      return addr.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
