// The UDP edge: one datagram socket bound like upstream's --ml-bindaddr / --ml-bindport (default 7946).
import dgram from 'dgram';
import { isIPv6 } from 'net';

export const DEFAULT_PORT = 7946;

export interface Datagram {
  readonly bytes: Buffer;
  readonly address: string;
  readonly port: number;
}

export class UdpTransport {
  private socket: dgram.Socket | undefined;

  /** Binds; port 0 picks a free one (tests). Resolves with the bound port. */
  async bind(address: string, port: number, onDatagram: (d: Datagram) => void): Promise<number> {
    const socket = dgram.createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false });
    socket.on('message', (bytes, rinfo) => onDatagram({ bytes, address: rinfo.address, port: rinfo.port }));
    // A send error (no route, ICMP unreachable reported on the socket) must never stop the speaker.
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => {
        socket.close();
        reject(err);
      });
      socket.bind(port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    return socket.address().port;
  }

  send(bytes: Buffer, address: string, port: number): void {
    this.socket?.send(bytes, port, address, () => undefined);
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}
