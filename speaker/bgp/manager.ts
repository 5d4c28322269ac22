// The BGP sessions of this node: one PeerSession per BGPPeer that selects it. `sync` is level-triggered: given
// the peers that apply now, it starts the missing sessions, stops those no longer wanted, and replaces a
// session only when what it was built from changed (upstream speaker/bgp_controller.go SetConfig keeps a
// session whose peer config is deep-equal and syncPeers re-checks node selectors), so unrelated sessions are
// never disturbed. Routes are level-triggered too: `setRoutes` hands each session its whole wanted set and
// the session sends only the difference.
import type { Logger } from '../../kube/log';
import type { Peer } from '../../config/types';
import { CeaseSubcode } from './codec/codes';
import { PeerSession, type PeerSessionOptions, type Route, type SessionStats } from './session/session';
import { sessionSpecFor, type SessionSpec } from './sessionspec';
import type { StopKind } from './stopkind';

/** What the manager drives of a session: PeerSession. */
export interface BGPSession {
  start(): void;
  stop(communication?: string): Promise<void>;
  setRoutes(routes: Iterable<Route>): void;
  beginGracefulShutdown(): void;
  stats(): SessionStats;
  /** RFC 4271 AutomaticStop: Cease with this subcode, then restart (BFD Down). */
  automaticStop(subcode: number): void;
  /** Closes without a NOTIFICATION when graceful restart was negotiated (RFC 4724 4), else stop(). */
  stopForRestart(): Promise<void>;
  keepsRoutesOnRestart(): boolean;
}

export type SessionFactory = (options: PeerSessionOptions) => BGPSession;

export const peerSessions: SessionFactory = (options) => new PeerSession(options);

/** Told about each session's figures (for metrics) and when a session goes away. */
export interface SessionObserver {
  changed(peer: string, label: string, stats: SessionStats): void;
  removed(peer: string, label: string): void;
}

export interface SessionManagerOptions {
  readonly node: string;
  /** This node's address (status.hostIP), for the router ID fallback. */
  readonly nodeAddress?: string;
  readonly logger: Logger;
  readonly observer?: SessionObserver;
  readonly factory?: SessionFactory;
  /** The R bit's rule (restart.ts), handed to every session; not set: never restarting. */
  readonly restarting?: () => boolean;
}

interface Running {
  readonly fingerprint: string;
  readonly spec: SessionSpec;
  readonly session: BGPSession;
}

export class BGPSessionManager {
  private readonly sessions = new Map<string, Running>();
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly opts: SessionManagerOptions) {}

  /** Names of the peers with a session on this node, sorted. */
  peers(): string[] {
    return [...this.sessions.keys()].sort();
  }

  stats(peer: string): SessionStats | undefined {
    return this.sessions.get(peer)?.session.stats();
  }

  /**
   * Converges the sessions to `peers` (those selecting this node). Returns the peers whose session was
   * (re)started, which hold no routes yet: the caller sets theirs.
   */
  sync(peers: readonly Peer[]): string[] {
    const wanted = new Map<string, { spec: SessionSpec; fingerprint: string }>();
    for (const peer of peers) {
      const result = sessionSpecFor(peer, {
        name: this.opts.node,
        ...(this.opts.nodeAddress !== undefined ? { address: this.opts.nodeAddress } : {}),
      });
      if (!result.ok) {
        this.opts.logger.error('cannot run a BGP session for this peer', {
          peer: peer.name,
          error: result.reason,
        });
        continue;
      }
      wanted.set(peer.name, { spec: result.spec, fingerprint: JSON.stringify(result.spec) });
    }
    for (const [name, running] of this.sessions) {
      const next = wanted.get(name);
      if (next === undefined || next.fingerprint !== running.fingerprint)
        this.close(name, running, next === undefined ? 'peer removed' : 'peer changed');
    }
    const started: string[] = [];
    for (const [name, { spec, fingerprint }] of wanted) {
      if (this.sessions.has(name)) continue;
      this.open(name, spec, fingerprint);
      started.push(name);
    }
    return started;
  }

  setRoutes(peer: string, routes: readonly Route[]): void {
    this.sessions.get(peer)?.session.setRoutes(routes);
  }

  /** The peer's BFD session fell from Up to Down: drop the BGP session at once (RFC 9384 Cease 10, BFD Down). */
  bfdDown(peer: string): void {
    const running = this.sessions.get(peer);
    if (running === undefined) return;
    this.opts.logger.info('BFD session down, dropping BGP session', { peer, address: running.spec.label });
    running.session.automaticStop(CeaseSubcode.BfdDown);
  }

  /** RFC 8326: every session re-announces with GRACEFUL_SHUTDOWN, so routers move traffic first. */
  beginGracefulShutdown(): void {
    for (const { session } of this.sessions.values()) session.beginGracefulShutdown();
  }

  /** Closes every session (Cease) and waits for the connections to close. */
  async stop(): Promise<void> {
    for (const [name, running] of [...this.sessions]) this.close(name, running, 'speaker stopping');
    await Promise.all([...this.stopping]);
  }

  /**
   * The speaker process stops (SIGTERM). On a restart, a session that negotiated graceful restart closes
   * without a NOTIFICATION, so the peer keeps our routes stale until the new process's End-of-RIB (RFC 4724
   * 4). Every other session, and every session on a drain, re-announces its routes with GRACEFUL_SHUTDOWN
   * (RFC 8326 3), waits `waitMs` so the routers move traffic to other nodes, then closes with a Cease (a Hard
   * Reset where the N bit was negotiated, RFC 8538 3). A wait of 0 skips the re-announcement.
   */
  async shutdown(kind: StopKind, waitMs: number): Promise<void> {
    const all = [...this.sessions];
    this.sessions.clear();
    const keep = kind === 'restart' ? all.filter(([, r]) => r.session.keepsRoutesOnRestart()) : [];
    const withdraw = all.filter((entry) => !keep.includes(entry));
    const closing: Promise<void>[] = [...this.stopping];
    for (const [name, running] of keep) {
      this.opts.observer?.removed(name, running.spec.label);
      this.opts.logger.info('speaker restarting, closing BGP session for graceful restart', {
        event: 'peerRestarting',
        peer: name,
        address: running.spec.label,
      });
      closing.push(running.session.stopForRestart());
    }
    const shuttingDown = withdraw.filter(([, r]) => r.session.stats().state === 'Established');
    if (waitMs > 0 && shuttingDown.length > 0) {
      for (const [, running] of shuttingDown) running.session.beginGracefulShutdown();
      this.opts.logger.info('graceful shutdown: routes re-announced with GRACEFUL_SHUTDOWN', {
        peers: shuttingDown.map(([name]) => name),
        waitMs,
        kind,
      });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    for (const [name, running] of withdraw) {
      this.opts.observer?.removed(name, running.spec.label);
      closing.push(running.session.stop(kind === 'drain' ? 'node drained' : 'speaker stopping'));
    }
    await Promise.all(closing.map((p) => p.catch(() => undefined)));
  }

  private open(name: string, spec: SessionSpec, fingerprint: string): void {
    const { logger, observer } = this.opts;
    const factory = this.opts.factory ?? peerSessions;
    const session = factory({
      config: spec.config,
      dial: spec.dial,
      routerIdFromConnection: spec.routerIdFromConnection,
      onDialError: (error) =>
        logger.warn('cannot dial BGP peer, retrying with backoff', {
          peer: name,
          address: spec.label,
          ...(spec.dial.vrf !== undefined ? { vrf: spec.dial.vrf } : {}),
          error: error instanceof Error ? error.message : String(error),
        }),
      onChange: (stats) => {
        if (this.sessions.get(name)?.session === session) observer?.changed(name, spec.label, stats);
      },
      onLog: (event, fields) => logger.debug(event, { peer: name, address: spec.label, ...fields }),
      ...(this.opts.restarting !== undefined ? { restarting: this.opts.restarting } : {}),
    });
    this.sessions.set(name, { fingerprint, spec, session });
    logger.info('peer configured, starting BGP session', {
      event: 'peerAdded',
      peer: name,
      address: spec.label,
      routerId: spec.routerIdFromConnection ? 'from the connection' : spec.config.routerId,
    });
    observer?.changed(name, spec.label, session.stats());
    session.start();
  }

  private close(name: string, running: Running, reason: string): void {
    this.sessions.delete(name);
    this.opts.observer?.removed(name, running.spec.label);
    this.opts.logger.info('peer deconfigured, closing BGP session', {
      event: 'peerRemoved',
      peer: name,
      address: running.spec.label,
      reason,
    });
    const done = running.session.stop(reason).catch((err: unknown) => {
      this.opts.logger.error('failed to shut down BGP session', { peer: name, error: String(err) });
    });
    this.stopping.add(done);
    void done.finally(() => this.stopping.delete(done));
  }
}
