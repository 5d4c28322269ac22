// The BFD sessions of this node: one per BGPPeer that selects it and names a BFDProfile, keyed by peer name and
// replaced only when its own settings (address, local address, profile) change. `sync` is level-triggered like
// the BGP manager's. Each session is driven by session.ts with one timer at its next deadline; the UDP edge is
// udp.ts, one BfdPort per (VRF, local address, port) shared by the sessions on it. When a session falls from Up
// to Down, `onDown` is called at once so the BGP session is stopped with Cease / BFD Down (RFC 9384) and
// restarts. A peer in a VRF whose device is missing gets one warning and a retry every VRF_RETRY_MS, as its
// BGP session keeps retrying too.
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
import { VrfDeviceMissingError } from '../l2/sys/bindtodevice';
import { BfdPort, MULTIHOP_PORT, SINGLE_HOP_PORT, canonicalIP, routeSourceInVrf } from './udp';

/** Upstream's (FRR bfdd's) defaults for a profile field left unset. */
export const DEFAULT_INTERVAL_MS = 300;
export const DEFAULT_DETECT_MULTIPLIER = 3;
export const DEFAULT_MINIMUM_TTL = 254;
/** How often a session whose VRF device is missing tries again. */
export const VRF_RETRY_MS = 5000;

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
  /** The BGPPeer's VRF device: both sockets are bound to it. Not set: the default table. */
  readonly vrf?: string;
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
      ...(peer.vrf !== '' ? { vrf: peer.vrf } : {}),
    },
  };
}

/**
 * Which session a figure is for, as upstream's FRR-mode metrics label it: the peer's address and its VRF
 * ("default" for the default table). One address may be a peer in several VRFs.
 */
export interface BfdPeerLabels {
  readonly peer: string;
  readonly vrf: string;
}

/** The figures a session reports, for metrics (upstream names, see speaker/app/bfdmetrics.ts). */
export interface BfdObserver {
  state(labels: BfdPeerLabels, isUp: boolean): void;
  packetIn(labels: BfdPeerLabels): void;
  packetOut(labels: BfdPeerLabels): void;
  upEvent(labels: BfdPeerLabels): void;
  downEvent(labels: BfdPeerLabels): void;
  removed(labels: BfdPeerLabels): void;
}

/** The label of the default table, as FRR names it. */
export const DEFAULT_VRF_LABEL = 'default';

function labelsOf(spec: BfdSpec): BfdPeerLabels {
  return { peer: spec.peerAddress, vrf: spec.vrf ?? DEFAULT_VRF_LABEL };
}

export interface BfdManagerOptions {
  readonly logger: Logger;
  /** A session fell from Up to Down: the BGPPeer of that name must drop its BGP session now. */
  readonly onDown: (peer: string) => void;
  readonly observer?: BfdObserver;
  readonly random?: () => number;
  /**
   * The local address a packet to `peer` would leave from, in `vrf` when set (default: the kernel's route,
   * via a UDP connect; inside the VRF, routeSourceInVrf).
   */
  readonly sourceFor?: (peer: string, vrf?: string) => Promise<string>;
  readonly now?: () => number;
  /** Default VRF_RETRY_MS. */
  readonly vrfRetryMs?: number;
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
export function routeSource(peer: string, vrf?: string): Promise<string> {
  if (vrf !== undefined) return Promise.resolve().then(() => routeSourceInVrf(peer, vrf));
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
  /** The specs of the last sync, so a retry opens only what is still wanted unchanged. */
  private wanted = new Map<string, BfdSpec>();
  /** Peers whose missing VRF device was logged, until their session opens. */
  private readonly reportedMissing = new Set<string>();
  private readonly retries = new Set<NodeJS.Timeout>();
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
    this.wanted = wanted;
    for (const [name, spec] of wanted) if (!this.sessions.has(name)) this.open(name, spec);
  }

  /** Sends AdminDown on every session (RFC 5880 6.8.16) so peers do not read our exit as a failure, and closes. */
  stop(): void {
    for (const [name, running] of [...this.sessions]) this.close(name, running);
    for (const port of this.ports.values()) port.close();
    this.ports.clear();
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    this.wanted = new Map();
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
      local !== undefined
        ? Promise.resolve(local)
        : (this.opts.sourceFor ?? routeSource)(spec.peerAddress, spec.vrf);
    source
      .then((address) => this.attach(name, running, address))
      .catch((err: unknown) => {
        if (this.sessions.get(name) === running) this.sessions.delete(name);
        if (running.closed) return;
        if (err instanceof VrfDeviceMissingError) {
          this.retryWhenVrfAppears(name, running, err);
          return;
        }
        this.opts.logger.error('cannot open the BFD socket for this peer', {
          peer: name,
          address: spec.peerAddress,
          error: String(err),
        });
        // Retry on the next sync: this attempt is forgotten.
      });
  }

  /** One warning, then a quiet retry while the peer is still wanted with the same settings. */
  private retryWhenVrfAppears(name: string, running: Running, err: VrfDeviceMissingError): void {
    if (!this.reportedMissing.has(name)) {
      this.reportedMissing.add(name);
      this.opts.logger.warn('cannot open the BFD socket for this peer, retrying', {
        peer: name,
        address: running.spec.peerAddress,
        vrf: err.vrf,
        error: err.message,
      });
    }
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      const spec = this.wanted.get(name);
      if (spec === undefined || JSON.stringify(spec) !== running.fingerprint || this.sessions.has(name))
        return;
      this.open(name, spec);
    }, this.opts.vrfRetryMs ?? VRF_RETRY_MS);
    timer.unref();
    this.retries.add(timer);
  }

  private attach(name: string, running: Running, localAddress: string): void {
    if (running.closed) return;
    const { spec } = running;
    const port = this.portFor(canonicalIP(localAddress), spec);
    this.reportedMissing.delete(name);
    running.port = port;
    running.unregister = port.register(running.discriminator, spec.peerAddress, {
      onPacket: (p) => {
        this.opts.observer?.packetIn(labelsOf(spec));
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
    this.opts.observer?.state(labelsOf(spec), false);
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
        this.opts.observer?.upEvent(labelsOf(running.spec));
        this.opts.observer?.state(labelsOf(running.spec), true);
      }
      if (t.from === BfdState.Up) {
        this.opts.observer?.downEvent(labelsOf(running.spec));
        this.opts.observer?.state(labelsOf(running.spec), false);
        // RFC 5882 3.2: a neighbor going AdminDown is not a path failure; its BGP session is left alone.
        if (step.session.remoteState !== BfdState.AdminDown) this.opts.onDown(name);
      }
    }
    this.schedule(name, running);
  }

  private transmit(running: Running, p: ControlPacket): void {
    running.port?.send(p, running.spec.peerAddress);
    this.opts.observer?.packetOut(labelsOf(running.spec));
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
    this.opts.observer?.removed(labelsOf(running.spec));
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
    const key = `${spec.vrf ?? ''}\0${localAddress}\0${port}`;
    const existing = this.ports.get(key);
    if (existing) return existing;
    let created: BfdPort;
    try {
      created = new BfdPort(
        localAddress,
        port,
        spec.multihop ? spec.minimumTtl : 255,
        {
          onDrop: (reason, from) => this.opts.logger.debug('BFD packet dropped', { address: from, reason }),
        },
        spec.vrf,
      );
    } catch (err) {
      // The port names its local address; the log wants the peer.
      if (err instanceof VrfDeviceMissingError) throw new VrfDeviceMissingError(spec.peerAddress, err.vrf);
      throw err;
    }
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
