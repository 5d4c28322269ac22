// A real TLS client for tests of what a server's TLS settings enforce: one handshake on loopback, its
// protocol and cipher, or the error code the server's refusal raised.
import * as tls from 'node:tls';

export type Handshake = { readonly protocol: string; readonly cipher: string } | { readonly refused: string };

export function handshake(port: number, options: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      resolve({ protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().name });
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ refused: err.code ?? err.message }));
  });
}
