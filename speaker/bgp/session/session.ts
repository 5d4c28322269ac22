// One BGP session with one peer: the I/O shell around the pure FSM (fsm/fsm.ts). It owns the TCP connection,
// reassembles messages with `frame`, runs the timers the FSM's actions name, and keeps the Adj-RIB-Out (what
// the peer has been told) so that a change of the wanted routes goes out as the difference only, packed by
// packer.ts. On Established it sends the whole table then End-of-RIB per family (RFC 4724 2), once the
// speaker has said what the table is (the first setRoutes), so a restarted speaker never ends the peer's
// stale-route wait with an empty table.
import type { LargeCommunity, UpdateContext } from '../codec/attributes';
import { Afi, Safi } from '../codec/codes';
import { type Message, encode, frame } from '../codec/message';
import { type Prefix, formatPrefix } from '../codec/prefix';
import { endOfRib } from '../codec/update';
import { eventForMessage } from '../fsm/events';
import { type Action, type Event, IDLE, type Session, type State, type Timer, step } from '../fsm/fsm';
import type { Negotiated, SessionConfig } from '../fsm/open';
import { type Announcement, type RouteAttributes, packUpdates } from '../packer';
import type { Link as NetLink } from '../../l2/netlink';
import { connectionAddresses } from './connectionaddresses';
import type { Interfaces } from './nexthop';
import { type DialOptions, dial } from './tcp';

/** What the speaker wants a peer to hold for one prefix; the session adds ORIGIN, AS_PATH and NEXT_HOP. */
export interface Route {
  readonly prefix: Prefix;
  /** iBGP only; the session drops it for an external peer (RFC 4271 5.1.5). */
  readonly localPref?: number;
  readonly communities?: readonly number[];
  readonly largeCommunities?: readonly LargeCommunity[];
}

/** RFC 8326 2: GRACEFUL_SHUTDOWN, 65535:0. */
export const GRACEFUL_SHUTDOWN = 0xffff0000;

/** A connection as the session sees it; `connectTcp` gives the real one, tests give an in-memory one. */
export interface Link {
  write(bytes: Buffer): void;
  /** Flushes what was written, then closes. */
  close(): void;
}

export interface LinkHandlers {
  onConnect(localAddress: string): void;
  onData(bytes: Buffer): void;
  onClose(): void;
}

export type Connector = (opts: DialOptions, handlers: LinkHandlers) => Link;

/** How long a closing connection may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

export const connectTcp: Connector = (opts, h) => {
  const socket = dial(opts);
  socket.setNoDelay(true);
  let closed = false;
  const closeOnce = () => {
    if (closed) return;
    closed = true;
    h.onClose();
  };
  socket.on('connect', () => h.onConnect(socket.localAddress ?? opts.sourceAddress ?? ''));
  socket.on('data', (b: Buffer) => h.onData(b));
  socket.on('error', () => closeOnce()); // the reason reaches the FSM as TcpConnectionFails
  socket.on('close', () => closeOnce());
  return {
    write: (bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    },
    close: () => {
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    },
  };
};

export interface SessionStats {
  readonly state: State;
  readonly updatesSent: number;
  /** Prefixes the peer holds from us. */
  readonly announced: number;
  /** Prefixes wanted but not (yet) sent: the session is down or the family was not negotiated. */
  readonly pending: number;
  readonly lastError?: string;
}

export interface PeerSessionOptions {
  readonly config: SessionConfig;
  readonly dial: DialOptions;
  /**
   * Next hop for IPv6 prefixes on an IPv4 session (RFC 2545 3 needs a global IPv6 address). Default: the
   * first global IPv6 address of the interface holding the session's local address (nexthop.ts).
   */
  readonly nextHop6?: string;
  /** The node's interfaces, for the other family's next hop on a dual-stack session; os.networkInterfaces. */
  readonly interfaces?: () => Interfaces;
  /** The namespace's links (netlink), to find the interfaces of `dial.vrf`; default: an rtnetlink dump. */
  readonly links?: () => readonly NetLink[];
  /**
   * The BGP identifier comes from the connection (nexthop.ts routerIdFromConnection) rather than
   * config.routerId, which is then only the fallback: a VRF session whose BGPPeer sets no router ID.
   */
  readonly routerIdFromConnection?: boolean;
  /**
   * A dial that failed before any packet went out (VrfDeviceMissingError, a socket option refused). Called
   * once per run of identical failures, so a retrying session logs one line, not one per attempt.
   */
  readonly onDialError?: (error: unknown) => void;
  readonly connector?: Connector;
  readonly random?: () => number;
  /** Called after every state change and every batch of UPDATEs. */
  readonly onChange?: (stats: SessionStats) => void;
  readonly onLog?: (event: string, fields: Record<string, unknown>) => void;
  /**
   * Whether this speaker counts as restarting now (the R bit, RFC 4724 3): asked for each OPEN until the
   * session first reaches Established, never after. Not set: never restarting.
   */
  readonly restarting?: () => boolean;
}

/** What of a route its attributes depend on (with the session's state): `attributes` below. */
function routeShape(route: Route): string {
  const large = route.largeCommunities?.map((c) => `${c.global}:${c.local1}:${c.local2}`).join(',') ?? '';
  return `${route.prefix.family} ${route.localPref ?? ''} ${route.communities?.join(',') ?? ''} ${large}`;
}

interface Sent {
  readonly route: Route;
  readonly key: string;
}

export class PeerSession {
  private fsm: Session = IDLE;
  private link: Link | undefined;
  private localAddress = '';
  /** The next hop for the family the transport does not carry, found when the connection comes up. */
  private otherNextHop: string | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly timers = new Map<Timer, NodeJS.Timeout>();
  private wanted = new Map<string, Route>();
  private adjRibOut = new Map<string, Sent>();
  private updatesSent = 0;
  private lastError: string | undefined;
  private gracefulShutdown = false;
  private stopped: (() => void) | undefined;
  /** Set by stopForRestart: the connection closes without a NOTIFICATION. */
  private silentStop = false;
  /** setRoutes was called: the table is known, and End-of-RIB may follow it. */
  private routesKnown = false;
  /** Established, End-of-RIB not sent yet (waiting for the first setRoutes). */
  private endOfRibDue = false;
  /** Reached Established once: later OPENs are not a restart's first (RFC 4724 4.1). */
  private wasEstablished = false;
  /** Why the current dial failed before connecting, for lastError. */
  private dialError: string | undefined;
  /** The dial failure last reported to onDialError, until a dial gets past its socket setup. */
  private reportedDialError: string | undefined;
  /** With routerIdFromConnection: the identifier found when the connection came up. */
  private connectionRouterId: string | undefined;

  constructor(private readonly opts: PeerSessionOptions) {}

  get state(): State {
    return this.fsm.state;
  }

  stats(): SessionStats {
    let pending = 0;
    for (const k of this.wanted.keys()) if (!this.adjRibOut.has(k)) pending++;
    return {
      state: this.fsm.state,
      updatesSent: this.updatesSent,
      announced: this.adjRibOut.size,
      pending,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  start(): void {
    this.dispatch({ type: 'ManualStart' });
  }

  /** Cease / Administrative Shutdown; resolves once the connection is closed. */
  stop(communication?: string): Promise<void> {
    const done = new Promise<void>((resolve) => (this.stopped = resolve));
    this.dispatch({ type: 'ManualStop', ...(communication !== undefined ? { communication } : {}) });
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.link === undefined) this.stopped?.();
    return done;
  }

  /** AutomaticStop (RFC 4271 8.1.2, event 8), e.g. BFD Down: Cease with `subcode`, then the session restarts. */
  automaticStop(subcode: number): void {
    this.dispatch({ type: 'AutomaticStop', subcode });
  }

  /**
   * Stop because this process restarts. When graceful restart was negotiated, close TCP without a NOTIFICATION
   * so the peer keeps our routes as stale for the restart time (RFC 4724 4; RFC 8538 4 likewise when N is
   * negotiated); otherwise this is stop(). A drain that wants every route withdrawn uses stop() instead.
   */
  stopForRestart(): Promise<void> {
    if (this.keepsRoutesOnRestart()) this.silentStop = true;
    return this.stop();
  }

  /** Established with graceful restart negotiated: a stop for restart leaves the peer our routes, stale. */
  keepsRoutesOnRestart(): boolean {
    return this.fsm.state === 'Established' && this.fsm.negotiated?.gracefulRestart !== undefined;
  }

  /** The routes the peer should hold, level-triggered: only the difference from what it has goes out. */
  setRoutes(routes: Iterable<Route>): void {
    const next = new Map<string, Route>();
    for (const r of routes) next.set(formatPrefix(r.prefix), r);
    this.wanted = next;
    this.routesKnown = true;
    this.sync();
    this.sendEndOfRib();
  }

  /** RFC 8326 3: re-announce every route with GRACEFUL_SHUTDOWN so the peer moves traffic away first. */
  beginGracefulShutdown(): void {
    this.gracefulShutdown = true;
    this.sync();
  }

  private dispatch(event: Event): void {
    const result = step(this.fsm, event, {
      config: this.sessionConfig(),
      random: this.opts.random ?? Math.random,
    });
    this.fsm = result.session;
    for (const action of result.actions) this.perform(action);
  }

  /** The configured OPEN, with the R bit while this is a restarting speaker's first session. */
  private sessionConfig(): SessionConfig {
    const config =
      this.connectionRouterId !== undefined
        ? { ...this.opts.config, routerId: this.connectionRouterId }
        : this.opts.config;
    const gr = config.gracefulRestart;
    if (gr === undefined || this.wasEstablished || this.opts.restarting?.() !== true) return config;
    return { ...config, gracefulRestart: { ...gr, restarting: true } };
  }

  private perform(a: Action): void {
    switch (a.type) {
      case 'connect':
        this.connect();
        break;
      case 'drop':
        this.drop();
        break;
      case 'send':
        if (this.silentStop && a.message.type === 'notification') break;
        this.send(a.message);
        if (a.message.type === 'notification')
          this.lastError = `sent notification ${a.message.code}/${a.message.subcode}`;
        break;
      case 'startTimer': {
        this.clearTimer(a.timer);
        const t = setTimeout(() => {
          this.timers.delete(a.timer);
          this.dispatch({ type: `${a.timer}Timer_Expires` });
        }, a.seconds * 1000);
        this.timers.set(a.timer, t);
        break;
      }
      case 'stopTimer':
        this.clearTimer(a.timer);
        break;
      case 'established':
        this.onEstablished();
        break;
      case 'stateChange':
        if (
          a.to !== 'Established' &&
          a.to !== 'OpenConfirm' &&
          a.to !== 'OpenSent' &&
          a.reason !== 'manual stop'
        )
          this.lastError = this.dialError !== undefined ? `${a.reason}: ${this.dialError}` : a.reason;
        this.opts.onLog?.('bgp-state', { from: a.from, to: a.to, reason: a.reason });
        this.opts.onChange?.(this.stats());
        break;
    }
  }

  private clearTimer(timer: Timer): void {
    const t = this.timers.get(timer);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(timer);
  }

  private connect(): void {
    this.drop();
    const connector = this.opts.connector ?? connectTcp;
    let link: Link | undefined;
    const current = () => link !== undefined && link === this.link;
    this.dialError = undefined;
    try {
      link = connector(this.opts.dial, {
        onConnect: (localAddress) => {
          if (!current()) return;
          this.localAddress = localAddress;
          const found = connectionAddresses(
            {
              families: this.opts.config.families,
              routerIdFromConnection: this.opts.routerIdFromConnection === true,
              nextHop6: this.opts.nextHop6,
              vrf: this.opts.dial.vrf,
              interfaces: this.opts.interfaces,
              links: this.opts.links,
            },
            localAddress,
          );
          this.otherNextHop = found.otherNextHop;
          this.connectionRouterId = found.routerId;
          this.dispatch({ type: 'Tcp_CR_Acked' });
        },
        onData: (bytes) => {
          if (current()) this.receive(bytes);
        },
        onClose: () => {
          if (!current()) return;
          this.link = undefined;
          this.dispatch({ type: 'TcpConnectionFails' });
        },
      });
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (text !== this.reportedDialError) this.opts.onDialError?.(err);
      this.reportedDialError = text;
      this.dialError = text;
      this.lastError = `connect: ${text}`;
      setImmediate(() => this.dispatch({ type: 'TcpConnectionFails' }));
      return;
    }
    this.reportedDialError = undefined;
    this.link = link;
  }

  private drop(): void {
    const link = this.link;
    this.link = undefined;
    this.buffered = Buffer.alloc(0);
    this.adjRibOut.clear();
    if (link !== undefined) link.close();
    if (link !== undefined || this.fsm.state === 'Idle') this.stopped?.();
  }

  private receive(bytes: Buffer): void {
    this.buffered = this.buffered.length === 0 ? bytes : Buffer.concat([this.buffered, bytes]);
    let at = 0;
    const link = this.link;
    while (this.link === link && link !== undefined) {
      const f = frame(this.buffered, at);
      if (f.status === 'need-more') break;
      if (f.status === 'error') {
        this.dispatch({ type: 'BGPHeaderErr', notification: f.error.notification });
        return;
      }
      const message = this.buffered.subarray(at, at + f.length);
      at += f.length;
      this.dispatch(eventForMessage(message, this.fsm.negotiated));
    }
    if (this.link === link) this.buffered = this.buffered.subarray(at);
  }

  private ctx(): UpdateContext {
    return { fourOctetAs: this.fsm.negotiated?.fourOctetAs ?? false };
  }

  private send(message: Message): void {
    this.link?.write(encode(message, this.ctx()));
  }

  private onEstablished(): void {
    this.wasEstablished = true;
    this.adjRibOut.clear();
    this.endOfRibDue = true;
    this.sync();
    this.sendEndOfRib();
    this.opts.onChange?.(this.stats());
  }

  /**
   * RFC 4724 2 and 4.1: End-of-RIB per negotiated family once the initial table is sent. The table is known
   * only after the first setRoutes; until then a helper peer keeps our stale routes from before a restart.
   */
  private sendEndOfRib(): void {
    const n = this.fsm.negotiated;
    if (!this.endOfRibDue || !this.routesKnown || this.fsm.state !== 'Established' || n === undefined) return;
    this.endOfRibDue = false;
    for (const f of n.families) this.send(endOfRib(f.afi, f.safi));
  }

  private hasFamily(n: Negotiated, family: 4 | 6): boolean {
    const afi = family === 4 ? Afi.IPv4 : Afi.IPv6;
    return n.families.some((f) => f.afi === afi && f.safi === Safi.Unicast);
  }

  private attributes(route: Route, n: Negotiated): RouteAttributes | undefined {
    const v6Session = this.localAddress.includes(':');
    let nextHop: string;
    if (route.prefix.family === 4) {
      // An IPv4 prefix over an IPv6 session needs an IPv4 address of this node; without one it stays pending.
      const hop = v6Session ? this.otherNextHop : this.localAddress;
      if (hop === undefined) return undefined;
      nextHop = hop;
    } else {
      // No global IPv6 address on the interface: the IPv4-mapped form of the local address (RFC 4291 2.5.5.2).
      const fallback = this.otherNextHop ?? this.opts.nextHop6 ?? `::ffff:${this.localAddress}`;
      nextHop = v6Session ? this.localAddress : fallback;
    }
    const communities = [...(route.communities ?? [])];
    if (this.gracefulShutdown && !communities.includes(GRACEFUL_SHUTDOWN))
      communities.push(GRACEFUL_SHUTDOWN);
    return {
      origin: 'igp',
      // RFC 4271 5.1.2: an external peer gets our AS prepended; an internal one an empty path.
      asPath: n.internal ? [] : [{ type: 'sequence', asns: [this.opts.config.localAs] }],
      nextHop,
      ...(n.internal && route.localPref !== undefined ? { localPref: route.localPref } : {}),
      ...(communities.length > 0 ? { communities } : {}),
      ...(route.largeCommunities !== undefined && route.largeCommunities.length > 0
        ? { largeCommunities: route.largeCommunities }
        : {}),
    };
  }

  /** Sends the difference between the wanted routes and the Adj-RIB-Out, when Established. */
  private sync(): void {
    const n = this.fsm.negotiated;
    if (this.fsm.state !== 'Established' || n === undefined || this.link === undefined) {
      this.opts.onChange?.(this.stats());
      return;
    }
    const announce: Announcement[] = [];
    const withdraw: Prefix[] = [];
    const sendable = new Map<string, Sent>();
    // Routes of one shape get the same attributes: built and serialised once per shape, and every Sent of
    // that shape holds the one key string (10,000 routes of a Service pool are typically one shape).
    const byShape = new Map<string, { attributes: RouteAttributes; key: string } | undefined>();
    for (const [k, route] of this.wanted) {
      if (!this.hasFamily(n, route.prefix.family)) continue;
      const shape = routeShape(route);
      let built = byShape.get(shape);
      if (built === undefined && !byShape.has(shape)) {
        const attributes = this.attributes(route, n);
        built = attributes === undefined ? undefined : { attributes, key: JSON.stringify(attributes) };
        byShape.set(shape, built);
      }
      if (built === undefined) continue;
      sendable.set(k, { route, key: built.key });
      if (this.adjRibOut.get(k)?.key !== built.key)
        announce.push({ prefix: route.prefix, attributes: built.attributes });
    }
    for (const [k, sent] of this.adjRibOut) if (!sendable.has(k)) withdraw.push(sent.route.prefix);
    if (announce.length === 0 && withdraw.length === 0) return;
    const updates = packUpdates({ announce, withdraw }, this.ctx());
    for (const u of updates) this.send(u);
    this.updatesSent += updates.length;
    this.adjRibOut = sendable; // what was sent is exactly the sendable set now
    this.opts.onLog?.('bgp-updates', {
      announced: announce.length,
      withdrawn: withdraw.length,
      updates: updates.length,
    });
    this.opts.onChange?.(this.stats());
  }
}
