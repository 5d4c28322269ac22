// A test host for the session layer, run inside a namespace of the e2e world by session/interop.e2e.test.ts.
//
//   sessionhost.ts <config.json> <status.json>      runs PeerSessions as config.json says, level-triggered:
//     the file is re-read every 200 ms; a peer whose settings changed is stopped and started again, the
//     others keep running; routes are set on every session; the sessions' stats go to status.json.
//     SIGTERM: graceful shutdown (65535:0 re-announce, a pause, then Cease) and exit.
//   sessionhost.ts --hostile <address> <port> <kind> <out.jsonl>   a hostile peer: answers the speaker's OPEN
//     with an OPEN and KEEPALIVE, then misbehaves as <kind> says, and records every message it receives.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parsePrefix } from '../../codec/prefix';
import { decode, encode, frame } from '../../codec/message';
import { IPV4_UNICAST, IPV6_UNICAST, type SessionConfig, buildOpen } from '../../fsm/open';
import { PeerSession, type Route, type SessionStats } from '../session';

/** One peer of a session host. */
export interface PeerSpec {
  readonly name: string;
  readonly peerAddress: string;
  readonly peerAs: number;
  readonly peerPort?: number;
  readonly sourceAddress?: string;
  readonly password?: string;
  readonly ttl?: number;
  readonly holdTime?: number;
  readonly family: 'ipv4' | 'ipv6';
  readonly nextHop6?: string;
  /** This session's own AS, when not the host's. */
  readonly localAs?: number;
  /** The Linux VRF device the session's socket is bound to. */
  readonly vrf?: string;
}

export interface RouteSpec {
  readonly prefix: string;
  readonly localPref?: number;
  readonly communities?: number[];
  readonly largeCommunities?: { global: number; local1: number; local2: number }[];
}

export interface HostConfig {
  readonly localAs: number;
  readonly routerId: string;
  readonly peers: PeerSpec[];
  readonly routes: RouteSpec[];
}

function toRoutes(specs: readonly RouteSpec[]): Route[] {
  return specs.map((r) => {
    const prefix = parsePrefix(r.prefix);
    if (prefix === undefined) throw new Error(`bad prefix ${r.prefix}`);
    return { ...r, prefix };
  });
}

function host(configFile: string, statusFile: string): void {
  const sessions = new Map<string, { spec: string; session: PeerSession; stats: SessionStats }>();
  let writeQueued = false;
  const writeStatus = () => {
    if (writeQueued) return;
    writeQueued = true;
    setTimeout(() => {
      writeQueued = false;
      const out: Record<string, SessionStats> = {};
      for (const [name, s] of sessions) out[name] = s.stats;
      writeFileSync(`${statusFile}.tmp`, JSON.stringify(out));
      writeFileSync(statusFile, JSON.stringify(out));
    }, 50);
  };
  let last = '';
  const apply = () => {
    let text: string;
    try {
      text = readFileSync(configFile, 'utf8');
    } catch {
      return;
    }
    if (text === last) return;
    last = text;
    const cfg = JSON.parse(text) as HostConfig;
    const routes = toRoutes(cfg.routes);
    const wanted = new Set(cfg.peers.map((p) => p.name));
    for (const [name, s] of sessions) {
      if (!wanted.has(name)) {
        void s.session.stop('peer removed');
        sessions.delete(name);
      }
    }
    for (const p of cfg.peers) {
      const spec = JSON.stringify([cfg.localAs, cfg.routerId, p]);
      const existing = sessions.get(p.name);
      if (existing !== undefined && existing.spec === spec) {
        existing.session.setRoutes(routes);
        continue;
      }
      if (existing !== undefined) void existing.session.stop('peer changed');
      const config: SessionConfig = {
        localAs: p.localAs ?? cfg.localAs,
        peerAs: p.peerAs,
        routerId: cfg.routerId,
        holdTime: p.holdTime ?? 90,
        connectRetryTime: 10,
        families: [p.family === 'ipv4' ? IPV4_UNICAST : IPV6_UNICAST],
      };
      const entry = {
        spec,
        stats: undefined as unknown as SessionStats,
        session: new PeerSession({
          config,
          dial: {
            peerAddress: p.peerAddress,
            peerPort: p.peerPort ?? 179,
            ...(p.sourceAddress !== undefined ? { sourceAddress: p.sourceAddress } : {}),
            ...(p.password !== undefined ? { password: p.password } : {}),
            ...(p.ttl !== undefined ? { ttl: p.ttl } : {}),
          },
          ...(p.nextHop6 !== undefined ? { nextHop6: p.nextHop6 } : {}),
          onChange: (stats) => {
            entry.stats = stats;
            writeStatus();
          },
          onLog: (event, fields) =>
            process.stdout.write(`${JSON.stringify({ peer: p.name, event, ...fields })}\n`),
        }),
      };
      entry.stats = entry.session.stats();
      sessions.set(p.name, entry);
      entry.session.setRoutes(routes);
      entry.session.start();
    }
    writeStatus();
  };
  apply();
  setInterval(apply, 200);
  process.on('SIGTERM', () => {
    for (const s of sessions.values()) s.session.beginGracefulShutdown();
    setTimeout(
      () => {
        void Promise.all([...sessions.values()].map((s) => s.session.stop('shutting down'))).then(() =>
          setTimeout(() => process.exit(0), 200),
        );
      },
      Number(process.env.GRACEFUL_SHUTDOWN_MS ?? '1000'),
    );
  });
}

/** What the hostile peer sends once the session is up. */
function hostileBytes(kind: string): Buffer {
  switch (kind) {
    case 'garbage':
      return Buffer.from('this is not a BGP message at all!!');
    case 'oversized': {
      const b = Buffer.alloc(19, 0xff);
      b.writeUInt16BE(8192, 16);
      b[18] = 2;
      return b;
    }
    case 'bad-type': {
      const b = Buffer.alloc(19, 0xff);
      b.writeUInt16BE(19, 16);
      b[18] = 9;
      return b;
    }
    default:
      throw new Error(`unknown hostile kind ${kind}`);
  }
}

function hostile(address: string, port: number, kind: string, out: string): void {
  const lines: string[] = [];
  const server = createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (let f = frame(buf); f.status === 'message'; f = frame(buf)) {
        const d = decode(buf.subarray(0, f.length), { fourOctetAs: true });
        buf = buf.subarray(f.length);
        if (!d.ok) continue;
        const m = d.value;
        lines.push(
          JSON.stringify(
            m.type === 'notification' ? { type: m.type, code: m.code, subcode: m.subcode } : { type: m.type },
          ),
        );
        writeFileSync(out, `${lines.join('\n')}\n`);
        if (m.type === 'open') {
          const open = buildOpen({
            localAs: 64666,
            peerAs: 'external',
            routerId: '203.0.113.66',
            holdTime: 90,
            connectRetryTime: 10,
            families: [IPV4_UNICAST],
          });
          if (kind === 'unknown-capability') {
            // An OPEN with a capability nobody knows (code 250): RFC 5492 says it is ignored.
            const withUnknown = {
              ...open,
              parameters: [
                ...open.parameters,
                {
                  type: 'capabilities' as const,
                  capabilities: [{ kind: 'unknown' as const, code: 250, value: Uint8Array.of(1, 2, 3) }],
                },
              ],
            };
            socket.write(encode(withUnknown));
          } else {
            socket.write(encode(open));
          }
          socket.write(encode({ type: 'keepalive' }));
        }
        if (m.type === 'keepalive' && kind !== 'unknown-capability') socket.write(hostileBytes(kind));
      }
    });
    socket.on('error', () => undefined);
  });
  server.listen(port, address, () => process.stdout.write('listening\n'));
}

const argv = process.argv.slice(2);
if (argv[0] === '--hostile')
  hostile(argv[1] ?? '', Number(argv[2]), argv[3] ?? 'garbage', argv[4] ?? '/dev/null');
else host(argv[0] ?? 'config.json', argv[1] ?? 'status.json');
