// One way to start and stop the deployables' HTTP(S) servers (health, webhooks, secure metrics): bind,
// report the port actually bound (tests pass 0), and close without waiting for idle keep-alive clients.
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

/** Binds `server` to host:port; rejects with the bind error (EADDRINUSE, EACCES) naming what failed. */
export async function listen(
  server: HttpServer | HttpsServer,
  what: string,
  port: number,
  host: string,
): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void =>
      reject(new ListenError(`${what}: cannot listen on ${host}:${port}: ${err.message}`));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new ListenError(`${what}: bound to ${String(address)}, not a TCP port`);
  }
  return {
    port: address.port,
    close: async () => {
      // Keep-alive clients (the apiserver, Prometheus) would otherwise hold close() open until they leave.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
