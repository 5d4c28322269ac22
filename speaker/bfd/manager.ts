// The BFD sessions of this node: one per BGPPeer that selects it and names a BFDProfile, keyed by peer name and
// replaced only when its own settings (address, local address, profile) change. `sync` is level-triggered like
// the BGP manager's. Each session is driven by session.ts with one timer at its next deadline; the UDP edge is
// udp.ts, one BfdPort per (local address, port) shared by the sessions on it. When a session falls from Up to
// Down, `onDown` is called at once so the BGP session is stopped with Cease / BFD Down (RFC 9384) and restarts.
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { Logger } from '../../kube/log';
import { formatIP } from '../../addr/ip';
import type { Peer } from '../../config/types';
import { BfdState, type ControlPacket } from './packet';
import {
  adminDown,
  createSession,
  expire,
  nextDeadline,
  receive,
  type Session,
  type SessionConfig,
  type Step,
} from './session';
import { BfdPort, MULTIHOP_PORT, SINGLE_HOP_PORT, canonicalIP } from './udp';

/** Upstream's (FRR bfdd's) defaults for a profile field left unset. */
export const DEFAULT_INTERVAL_MS = 300;
export const DEFAULT_DETECT_MULTIPLIER = 3;
export const DEFAULT_MINIMUM_TTL = 254;

export interface BfdSpec {
  readonly peerAddress: string;
  /** The BGP session's source address when the BGPPeer sets one; otherwise the kernel's route decides. */
  readonly localAddress?: string;
  readonly multihop: boolean;
  readonly minimumTtl: number;
  readonly txIntervalMs: number;
  readonly rxIntervalMs: number;
  readonly detectMultiplier: number;
  readonly isPassive: boolean;
}

export type BfdSpecResult = { ok: true; spec: BfdSpec } | { ok: false; reason: string } | undefined;

/** From a BGPPeer to its BFD session; undefined when the peer names no profile. Pure. */
export function bfdSpecFor(peer: Peer): BfdSpecResult {
  const profile = peer.bfdProfile;
  if (profile === undefined) return undefined;
  if (peer.address === undefined) return { ok: false, reason: 'BFD needs a peerAddress' };
  if (profile.echoMode)
    return { ok: false, reason: `BFDProfile ${profile.name}: echo mode is not implemented` };
  return {
    ok: true,
    spec: {
      peerAddress: formatIP(peer.address),
      ...(peer.sourceAddress !== undefined ? { localAddress: formatIP(peer.sourceAddress) } : {}),
      // RFC 5883 multihop for an eBGP multihop peer, as FRR does for a neighbor with ebgp-multihop.
      multihop: peer.ebgpMultiHop,
      minimumTtl: profile.minimumTtl ?? DEFAULT_MINIMUM_TTL,
      txIntervalMs: profile.transmitInterval ?? DEFAULT_INTERVAL_MS,
      rxIntervalMs: profile.receiveInterval ?? DEFAULT_INTERVAL_MS,
      detectMultiplier: profile.detectMultiplier ?? DEFAULT_DETECT_MULTIPLIER,
      isPassive: profile.passiveMode,
    },
  };
}

/** The figures a session reports, for metrics (upstream names, see speaker/app/bfdmetrics.ts). */
export interface BfdObserver {
  state(peerAddress: string, isUp: boolean): void;
  packetIn(peerAddress: string): void;
  packetOut(peerAddress: string): void;
  upEvent(peerAddress: string): void;
  downEvent(peerAddress: string): void;
  removed(peerAddress: string): void;
}

export interface BfdManagerOptions {
  readonly logger: Logger;
  /** A session fell from Up to Down: the BGPPeer of that name must drop its BGP session now. */
  readonly onDown: (peer: string) => void;
  readonly observer?: BfdObserver;
  readonly random?: () => number;
  /** The local address a packet to `peer` would leave from (default: the kernel's route, via a UDP connect). */
  readonly sourceFor?: (peer: string) => Promise<string>;
  readonly now?: () => number;
}

interface Running {
  readonly fingerprint: string;
  readonly spec: BfdSpec;
  readonly discriminator: number;
  session: Session | undefined;
  port: BfdPort | undefined;
  unregister: () => void;
  timer: NodeJS.Timeout | undefined;
  closed: boolean;
}

/** The kernel's choice of source for `peer`: connect() on a UDP socket picks it without sending anything. */
export function routeSource(peer: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket(peer.includes(':') ? 'udp6' : 'udp4');
    s.once('error', (err) => {
      s.close();
      reject(err);
    });
    s.connect(SINGLE_HOP_PORT, peer, () => {
      const { address } = s.address();
      s.close();
      resolve(address);
    });
  });
}

export class BfdManager {
  private readonly sessions = new Map<string, Running>();
  private readonly ports = new Map<string, BfdPort>();
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly opts: BfdManagerOptions) {
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Peer names with a BFD session, sorted. */
  peers(): string[] {
    return [...this.sessions.keys()].sort();
  }

  state(peer: string): BfdState | undefined {
    return this.sessions.get(peer)?.session?.state;
  }

  sync(peers: readonly Peer[]): void {
    const wanted = new Map<string, BfdSpec>();
    for (const peer of peers) {
      const r = bfdSpecFor(peer);
      if (r === undefined) continue;
      if (!r.ok) {
        this.opts.logger.error('cannot run a BFD session for this peer', {
          peer: peer.name,
          error: r.reason,
        });
        continue;
      }
      wanted.set(peer.name, r.spec);
    }
    for (const [name, running] of this.sessions) {
      const spec = wanted.get(name);
      if (spec === undefined || JSON.stringify(spec) !== running.fingerprint) this.close(name, running);
    }
    for (const [name, spec] of wanted) if (!this.sessions.has(name)) this.open(name, spec);
  }

  /** Sends AdminDown on every session (RFC 5880 6.8.16) so peers do not read our exit as a failure, and closes. */
  stop(): void {
    for (const [name, running] of [...this.sessions]) this.close(name, running);
    for (const port of this.ports.values()) port.close();
    this.ports.clear();
  }

  private open(name: string, spec: BfdSpec): void {
    const running: Running = {
      fingerprint: JSON.stringify(spec),
      spec,
      discriminator: this.freeDiscriminator(),
      session: undefined,
      port: undefined,
      unregister: () => undefined,
      timer: undefined,
      closed: false,
    };
    this.sessions.set(name, running);
    const local = spec.localAddress ?? undefined;
    const source =
      local !== undefined ? Promise.resolve(local) : (this.opts.sourceFor ?? routeSource)(spec.peerAddress);
    source
      .then((address) => this.attach(name, running, address))
      .catch((err: unknown) => {
        this.opts.logger.error('cannot open the BFD socket for this peer', {
          peer: name,
          address: spec.peerAddress,
          error: String(err),
        });
        // Retry on the next sync: forget this attempt.
        if (this.sessions.get(name) === running) this.sessions.delete(name);
      });
  }

  private attach(name: string, running: Running, localAddress: string): void {
    if (running.closed) return;
    const { spec } = running;
    const port = this.portFor(canonicalIP(localAddress), spec);
    running.port = port;
    running.unregister = port.register(running.discriminator, spec.peerAddress, {
      onPacket: (p) => {
        this.opts.observer?.packetIn(spec.peerAddress);
        if (running.session) this.apply(name, running, receive(running.session, p, this.now(), this.random));
      },
    });
    const config: SessionConfig = {
      localDiscriminator: running.discriminator,
      desiredMinTxInterval: spec.txIntervalMs * 1000,
      requiredMinRxInterval: spec.rxIntervalMs * 1000,
      detectMult: spec.detectMultiplier,
      isPassive: spec.isPassive,
    };
    this.opts.observer?.state(spec.peerAddress, false);
    this.opts.logger.info('BFD session starting', {
      event: 'bfdSessionAdded',
      peer: name,
      address: spec.peerAddress,
      localAddress,
      sourcePort: port.sourcePort,
    });
    this.apply(name, running, createSession(config, this.now(), this.random));
  }

  private apply(name: string, running: Running, step: Step): void {
    if (running.closed) return;
    running.session = step.session;
    const { peerAddress } = running.spec;
    for (const p of step.send) this.transmit(running, p);
    for (const t of step.transitions) {
      this.opts.logger.info('BFD session state changed', {
        event: 'bfdStateChange',
        peer: name,
        address: peerAddress,
        from: BfdState[t.from],
        to: BfdState[t.to],
        diagnostic: t.diagnostic,
      });
      if (t.to === BfdState.Up) {
        this.opts.observer?.upEvent(peerAddress);
        this.opts.observer?.state(peerAddress, true);
      }
      if (t.from === BfdState.Up) {
        this.opts.observer?.downEvent(peerAddress);
        this.opts.observer?.state(peerAddress, false);
        // RFC 5882 3.2: a neighbor going AdminDown is not a path failure; its BGP session is left alone.
        if (step.session.remoteState !== BfdState.AdminDown) this.opts.onDown(name);
      }
    }
    this.schedule(name, running);
  }

  private transmit(running: Running, p: ControlPacket): void {
    running.port?.send(p, running.spec.peerAddress);
    this.opts.observer?.packetOut(running.spec.peerAddress);
  }

  private schedule(name: string, running: Running): void {
    if (running.timer !== undefined) clearTimeout(running.timer);
    running.timer = undefined;
    const at = running.session ? nextDeadline(running.session) : null;
    if (at === null) return;
    running.timer = setTimeout(
      () => {
        running.timer = undefined;
        if (running.session) this.apply(name, running, expire(running.session, this.now(), this.random));
      },
      Math.max(0, at - this.now()),
    );
  }

  private close(name: string, running: Running): void {
    this.sessions.delete(name);
    if (running.timer !== undefined) clearTimeout(running.timer);
    const { peerAddress } = running.spec;
    // One AdminDown packet, so the peer sees diag 7 rather than a detection timeout (RFC 5880 6.8.16).
    if (running.session && running.session.state !== BfdState.AdminDown)
      for (const p of adminDown(running.session, this.now(), this.random).send) this.transmit(running, p);
    running.closed = true;
    running.unregister();
    this.opts.observer?.removed(peerAddress);
    this.opts.logger.info('BFD session removed', {
      event: 'bfdSessionRemoved',
      peer: name,
      address: peerAddress,
    });
    const port = running.port;
    if (port?.isIdle) {
      port.close();
      for (const [key, p] of this.ports) if (p === port) this.ports.delete(key);
    }
  }

  private portFor(localAddress: string, spec: BfdSpec): BfdPort {
    const port = spec.multihop ? MULTIHOP_PORT : SINGLE_HOP_PORT;
    const key = `${localAddress}\0${port}`;
    const existing = this.ports.get(key);
    if (existing) return existing;
    const created = new BfdPort(localAddress, port, spec.multihop ? spec.minimumTtl : 255, {
      onDrop: (reason, from) => this.opts.logger.debug('BFD packet dropped', { address: from, reason }),
    });
    this.ports.set(key, created);
    return created;
  }

  private freeDiscriminator(): number {
    const used = new Set([...this.sessions.values()].map((r) => r.discriminator));
    for (;;) {
      const d = randomInt(1, 0xffffffff);
      if (!used.has(d)) return d;
    }
  }
}
