// A minimal BGP router on the loopback for tests of the speaker's session wiring: it accepts connections on a
// port below 16384 (BGPPeer peerPort's limit), answers each OPEN with its own and a KEEPALIVE, and records
// every message it receives. It never sends routes. It can offer graceful restart (RFC 4724, with or without
// the RFC 8538 N bit) to test how the speaker closes its sessions.
import { createServer, type Server, type Socket } from 'node:net';
import { decode, encode, frame, type Message } from '../speaker/bgp/codec/message';
import { formatPrefix } from '../speaker/bgp/codec/prefix';
import type { AfiSafi } from '../speaker/bgp/codec/capabilities';
import { buildOpen, type GracefulRestartConfig, IPV4_UNICAST } from '../speaker/bgp/fsm/open';

const CTX = { fourOctetAs: true };

/** A listening router: every connection answers with an OPEN and KEEPALIVE and logs what it receives. */
export class BgpListener {
  readonly connections: { socket: Socket; received: Message[]; closed: boolean }[] = [];
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly localAs: number,
    private readonly family: AfiSafi = IPV4_UNICAST,
    private readonly gracefulRestart?: GracefulRestartConfig,
  ) {}

  async listen(): Promise<void> {
    this.server = createServer((socket) => {
      const conn = { socket, received: [] as Message[], closed: false };
      this.connections.push(conn);
      let buf = Buffer.alloc(0);
      socket.on('data', (b: Buffer) => {
        buf = Buffer.concat([buf, b]);
        for (let f = frame(buf); f.status === 'message'; f = frame(buf)) {
          const d = decode(buf.subarray(0, f.length), CTX);
          buf = buf.subarray(f.length);
          if (!d.ok) continue;
          conn.received.push(d.value);
          if (d.value.type === 'open') {
            const open = buildOpen({
              localAs: this.localAs,
              peerAs: d.value.myAs,
              routerId: '192.0.2.254',
              holdTime: 90,
              connectRetryTime: 10,
              families: [this.family],
              ...(this.gracefulRestart !== undefined ? { gracefulRestart: this.gracefulRestart } : {}),
            });
            socket.write(encode(open, CTX));
            socket.write(encode({ type: 'keepalive' }, CTX));
          }
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => (conn.closed = true));
    });
    // BGPPeer peerPort is at most 16384 (upstream's CRD), so pick a free port below that.
    const server = this.server;
    for (let attempt = 0; ; attempt++) {
      const port = 10000 + Math.floor(Math.random() * 6000);
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) {
        this.port = port;
        return;
      }
      if (attempt > 20) throw new Error('no free port below 16384');
    }
  }

  /** IPv4 prefixes announced to us and not withdrawn since, over the latest connection. */
  announced(): string[] {
    const held = new Set<string>();
    for (const m of this.connections.at(-1)?.received ?? []) {
      if (m.type !== 'update') continue;
      for (const p of m.withdrawn) held.delete(formatPrefix(p));
      for (const p of m.nlri) held.add(formatPrefix(p));
    }
    return [...held].sort();
  }

  live() {
    return this.connections.filter((c) => !c.closed);
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
