// Polls the FRR sidecar's session state (status.ts) every few seconds and reports what changed: one log line
// per BGPPeer whose BGP or BFD state moved, and the observer (metallb_bgp_session_up / metallb_bfd_session_up
// in FRR mode, app/frrmetrics.ts). vtysh is passed in: the speaker runs the real binary (vtysh.ts), the tests
// a real one against a real FRR too. A failing vtysh is logged once until it answers again, never a crash.
import type { Peer } from '../../config/types';
import type { Clock, TimerHandle } from '../../kube/clock';
import { describeError } from '../../kube/errors';
import type { Logger } from '../../kube/log';
import {
  FRR_STATUS_COMMANDS,
  parseBfdPeers,
  parseBgpNeighbors,
  peerSessionStates,
  type PeerSessionState,
} from './status';

export const DEFAULT_POLL_MS = 5000;

/** Runs one vtysh command (`-c`), resolving to its stdout. */
export type VtyshRunner = (command: string) => Promise<string>;

export interface FrrSessionObserver {
  changed(state: PeerSessionState): void;
  removed(state: PeerSessionState): void;
}

export interface FrrStatusPollerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vtysh: VtyshRunner;
  /** The BGPPeers selecting this node now (what frr.conf holds). */
  readonly peers: () => readonly Peer[];
  readonly observer: FrrSessionObserver;
  readonly intervalMs?: number;
}

const stateKey = (s: PeerSessionState): string => `${s.peer}\0${s.label}\0${s.vrf}`;

export class FrrStatusPoller {
  /** The last state reported, by peer name, label and VRF. */
  private readonly last = new Map<string, PeerSessionState>();
  private timer: TimerHandle | undefined;
  private isFailing = false;
  private stopped = true;

  constructor(private readonly opts: FrrStatusPollerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The sessions as last read, in peer order. */
  states(): PeerSessionState[] {
    return [...this.last.values()];
  }

  /** Reads FRR once and reports the differences. */
  async poll(): Promise<void> {
    const peers = this.opts.peers();
    let states: PeerSessionState[] = [];
    if (peers.length > 0) {
      try {
        const neighbors = parseBgpNeighbors(await this.opts.vtysh(FRR_STATUS_COMMANDS.neighbors));
        const bfd = peers.some((p) => p.bfdProfile !== undefined)
          ? parseBfdPeers(await this.opts.vtysh(FRR_STATUS_COMMANDS.bfd))
          : undefined;
        states = peerSessionStates(peers, neighbors, bfd);
        if (this.isFailing) this.opts.logger.info('reading FRR session state again');
        this.isFailing = false;
      } catch (err) {
        if (!this.isFailing)
          this.opts.logger.warn('cannot read FRR session state; metrics keep the last one', {
            error: describeError(err),
          });
        this.isFailing = true;
        return;
      }
    }
    this.report(states);
  }

  private report(states: readonly PeerSessionState[]): void {
    const seen = new Set<string>();
    for (const s of states) {
      const key = stateKey(s);
      seen.add(key);
      const before = this.last.get(key);
      if (before !== undefined && before.state === s.state && before.bfdStatus === s.bfdStatus) continue;
      this.last.set(key, s);
      this.opts.observer.changed(s);
      this.opts.logger.info('BGP session state changed', {
        peer: s.peer,
        address: s.label,
        vrf: s.vrf,
        state: s.state,
        ...(before !== undefined ? { previous: before.state } : {}),
        ...(s.bfdStatus !== undefined ? { bfd: s.bfdStatus } : {}),
      });
    }
    for (const [key, s] of this.last) {
      if (seen.has(key)) continue;
      this.last.delete(key);
      this.opts.observer.removed(s);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => this.schedule(this.opts.intervalMs ?? DEFAULT_POLL_MS));
    }, ms);
  }
}
