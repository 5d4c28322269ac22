// The speaker's Layer 2 reconciler: for one Service key, read the caches, decide (decide.ts), converge the
// announcer, then the ServiceL2Status object and the Events. Level-triggered: whatever woke it, it reads the
// current world. The announcer side is synchronous (evaluate), so a membership change is acted on before the
// membership layer acknowledges it (break-before-make); the API side (reconcile) runs from the work queue.
// Upstream: speaker/main.go SetBalancer/deleteBalancer, speaker/layer2_controller.go,
// internal/k8s/controllers/layer2_status_controller.go.
import type { Logger } from '../../kube/log';
import type { Config } from '../../config/types';
import { buildElectionContext, type ElectionContext } from '../election/announce';
import { ElectionHashes } from '../election/candidates';
import type { ElectionNode } from '../election/types';
import { describeError, isNotFound } from '../../kube/errors';
import type { ReconcileResult, Reconciler } from '../../kube/reconciler';
import {
  servicesForConfigChange,
  servicesForUsabilityChange,
  usabilityChange,
  changedPools,
} from './affected';
import type { ServiceMemo } from './affected';
import { Announcements, type L2Announcer } from './announcements';
import { decideL2, type Interfaces, type L2Decision } from './decide';
import type { SpeakerService, SpeakerSlice } from './objects';
import { l2StatusName, renderL2Status, type PodOwner } from './status';

/** Where the reconciler reads the cluster: the informers' caches. */
export interface Layer2Sources {
  service(key: string): SpeakerService | undefined;
  slices(key: string): readonly SpeakerSlice[];
  nodes(): ReadonlyMap<string, ElectionNode>;
  serviceKeys(): Iterable<string>;
  /** Whether our ServiceL2Status object of this name exists (the status informer's cache). */
  hasStatus(name: string): boolean;
}

/** Membership as the reconciler sees it: undefined alive set means disabled (every Node counts). */
export interface Layer2Membership {
  aliveSpeakers(): ReadonlySet<string> | undefined;
  isIsolated(): boolean;
}

export interface L2StatusWriter {
  apply(status: ReturnType<typeof renderL2Status>): Promise<void>;
  delete(namespace: string, name: string): Promise<void>;
}

export interface ServiceEvents {
  nodeAssigned(svc: SpeakerService, node: string): void;
  announceFailed(svc: SpeakerService, ip: string, node: string): void;
}

export interface Layer2Metrics {
  announced(service: string, ip: string): void;
  withdrawn(service: string, ip: string): void;
}

export interface Layer2Options {
  readonly myNode: string;
  readonly namespace: string;
  readonly lbClass: string;
  readonly ignoreExcludeLB: boolean;
  readonly sources: Layer2Sources;
  readonly membership: Layer2Membership;
  readonly announcer: L2Announcer;
  /** Names of the interfaces the announcer can answer on now, or undefined when it is not running. */
  readonly interfaceNames: () => ReadonlySet<string> | undefined;
  readonly statusWriter: L2StatusWriter;
  readonly events: ServiceEvents;
  readonly metrics: Layer2Metrics;
  readonly logger: Logger;
  readonly enqueue: (key: string) => void;
  readonly owner?: () => PodOwner | undefined;
  /** How soon to look again when a selected interface is missing; the announcer rescans every second. */
  readonly missingInterfaceRetryMs?: number;
  /** Runs the next slice of a large recompute on a later turn of the event loop (setImmediate). */
  readonly defer?: (next: () => void) => void;
  /** Longest synchronous stretch of a recompute, after the first `RECOMPUTE_MIN_SLICE` keys (ms). */
  readonly sliceMs?: number;
}

/** Keys a recompute slice always evaluates, however slow: small changes stay synchronous. */
export const RECOMPUTE_MIN_SLICE = 64;

interface Memo extends ServiceMemo {
  /** What this node announces for the Service, after dropping addresses whose interfaces are missing. */
  announced?: { readonly ips: readonly string[]; readonly interfaces: Interfaces };
  /** Addresses skipped because none of their interfaces exists here (announceFailed). */
  missing?: readonly string[];
  /** The status content last written, so an unchanged status is not re-applied. */
  writtenStatus?: string;
  /** nodeAssigned is due (the announcement started or changed). */
  assignedEventDue?: boolean;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const sameInterfaces = (a: Interfaces, b: Interfaces): boolean =>
  a === 'all' || b === 'all' ? a === b : sameList(a, b);

export class Layer2Reconciler implements Reconciler {
  private readonly memos = new Map<string, Memo>();
  private readonly announcements: Announcements;
  private readonly hashes = new ElectionHashes();
  private config: Config | undefined;
  private election: ElectionContext;
  private isolated = false;
  // Keys waiting for a recompute slice: those this node announces first (a change can only withdraw them,
  // and withdrawals are what a joining peer waits for), then the rest.
  private readonly pendingAnnounced = new Set<string>();
  private readonly pendingOther = new Set<string>();
  private draining: Promise<void> | undefined;

  constructor(private readonly opts: Layer2Options) {
    this.announcements = new Announcements(opts.announcer);
    this.election = this.buildElection();
  }

  /** The Services this node announces now, by key, with their addresses. */
  announcedServices(): Map<string, readonly string[]> {
    const out = new Map<string, readonly string[]>();
    for (const [key, m] of this.memos) if (m.announced) out.set(key, m.announced.ips);
    return out;
  }

  winnerOf(key: string): string | undefined {
    return this.memos.get(key)?.winner;
  }

  /** A new valid config: recompute the Services of the pools it changed (settles when all are done). */
  setConfig(config: Config): Promise<void> {
    const pools = changedPools(this.config, config);
    this.config = config;
    return this.recompute(servicesForConfigChange(pools, this.memos));
  }

  /**
   * Nodes or membership changed: rebuild who is usable, and recompute only the Services whose decision on
   * this node that can move. Isolation withdraws everything at once, before anything else runs. Settles
   * when every affected Service has been decided again (membership holds its acknowledgements until then).
   */
  membershipChanged(): Promise<void> {
    const isolated = this.opts.membership.isIsolated();
    if (isolated && !this.isolated) {
      this.opts.logger.warn('isolated from the other speakers: withdrawing every address', {
        node: this.opts.myNode,
        addresses: this.announcements.size(),
      });
      this.announcements.releaseAll();
    }
    const wasIsolated = this.isolated;
    this.isolated = isolated;
    const before = this.election.usableSpeakers;
    this.election = this.buildElection();
    const affected =
      wasIsolated !== isolated
        ? 'all'
        : servicesForUsabilityChange(
            usabilityChange(before, this.election.usableSpeakers),
            this.opts.myNode,
            this.memos,
          );
    return this.recompute(affected);
  }

  /** Decides one Service and converges the announcer and metrics; synchronous, no API calls. */
  evaluate(key: string): L2Decision {
    const { sources, myNode } = this.opts;
    const service = sources.service(key);
    const decision = decideL2({
      service,
      slices: service ? sources.slices(key) : [],
      lbClass: this.opts.lbClass,
      config: this.config,
      election: this.election,
      isolated: this.isolated,
    });
    const memo = this.memos.get(key) ?? {};
    const pool = decision.announce ? decision.pool : decision.pool;
    const next: Memo = {
      ...(pool !== undefined
        ? { pool }
        : decision.announce === false &&
            (decision.reason === 'ipNotAllowed' || decision.reason === 'noConfig')
          ? { pool: '' }
          : {}),
      ...(decision.announce
        ? { winner: myNode }
        : decision.winner !== undefined
          ? { winner: decision.winner }
          : {}),
      ...(memo.writtenStatus !== undefined ? { writtenStatus: memo.writtenStatus } : {}),
      ...(memo.assignedEventDue ? { assignedEventDue: true } : {}),
    };
    if (decision.announce) {
      const names = this.opts.interfaceNames();
      const restricted = decision.interfaces;
      // Upstream: if none of the selected interfaces exists on this node, warn and skip that address.
      const missing =
        restricted === 'all' || names === undefined
          ? []
          : restricted.some((n) => names.has(n))
            ? []
            : decision.ips;
      const ips = decision.ips.filter((ip) => !missing.includes(ip));
      const prev = memo.announced;
      if (prev === undefined || !sameList(prev.ips, ips) || !sameInterfaces(prev.interfaces, restricted))
        next.assignedEventDue = true;
      next.announced = { ips, interfaces: restricted };
      if (missing.length > 0) next.missing = missing;
      this.announcements.set(key, ips, restricted);
      for (const ip of prev?.ips ?? []) if (!ips.includes(ip)) this.opts.metrics.withdrawn(key, ip);
      for (const ip of ips) this.opts.metrics.announced(key, ip);
      if (prev === undefined)
        this.opts.logger.info('service has IP, announcing', { service: key, ips, node: myNode, pool });
    } else {
      delete next.assignedEventDue;
      if (memo.announced !== undefined) {
        this.announcements.release(key);
        for (const ip of memo.announced.ips) this.opts.metrics.withdrawn(key, ip);
        this.opts.logger.info('withdrawing service announcement', {
          service: key,
          ips: memo.announced.ips,
          reason: decision.reason,
          ...(decision.winner !== undefined ? { winner: decision.winner } : {}),
        });
      }
    }
    if (service === undefined && next.writtenStatus === undefined) this.memos.delete(key);
    else if (
      next.pool === undefined &&
      next.winner === undefined &&
      next.announced === undefined &&
      next.writtenStatus === undefined
    )
      this.memos.delete(key); // nothing worth remembering: keeps per-Service state to announcing ones
    else this.memos.set(key, next);
    return decision;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    this.evaluate(key);
    const memo = this.memos.get(key);
    const [namespace = '', name = ''] = key.split('/');
    const statusName = l2StatusName(this.opts.myNode, namespace, name);
    const service = this.opts.sources.service(key);
    if (memo?.announced !== undefined && memo.announced.ips.length > 0 && service !== undefined) {
      const status = renderL2Status({
        namespace: this.opts.namespace,
        node: this.opts.myNode,
        serviceName: name,
        serviceNamespace: namespace,
        interfaces: memo.announced.interfaces,
        owner: this.opts.owner?.(),
      });
      const content = JSON.stringify(status);
      if (memo.writtenStatus !== content || !this.opts.sources.hasStatus(statusName)) {
        await this.opts.statusWriter.apply(status);
        memo.writtenStatus = content;
      }
      if (memo.assignedEventDue) {
        this.opts.events.nodeAssigned(service, this.opts.myNode);
        memo.assignedEventDue = false;
      }
    } else if (memo?.writtenStatus !== undefined || this.opts.sources.hasStatus(statusName)) {
      try {
        await this.opts.statusWriter.delete(this.opts.namespace, statusName);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (memo !== undefined) {
        delete memo.writtenStatus;
        if (memo.pool === undefined && memo.winner === undefined && memo.announced === undefined)
          this.memos.delete(key);
      }
    }
    if (memo?.missing !== undefined && service !== undefined) {
      for (const ip of memo.missing) this.opts.events.announceFailed(service, ip, this.opts.myNode);
      return { requeueAfter: this.opts.missingInterfaceRetryMs ?? 10_000 };
    }
  }

  private buildElection(): ElectionContext {
    return buildElectionContext(
      {
        myNode: this.opts.myNode,
        nodes: this.opts.sources.nodes(),
        aliveSpeakers: this.opts.membership.aliveSpeakers(),
        ignoreExcludeLB: this.opts.ignoreExcludeLB,
      },
      this.hashes,
    );
  }

  // A recompute of many Services is spread over turns of the event loop, so membership's heartbeats and
  // timers keep running while hundreds of Services change hands (a synchronous pass over 1,000 blocked the
  // loop long enough for peers to declare this node dead). Each slice evaluates at least RECOMPUTE_MIN_SLICE
  // keys, then goes on until sliceMs have passed.
  private recompute(keys: Set<string> | 'all'): Promise<void> {
    const list = keys === 'all' ? new Set([...this.opts.sources.serviceKeys(), ...this.memos.keys()]) : keys;
    for (const key of list) {
      if (this.memos.get(key)?.announced !== undefined) this.pendingAnnounced.add(key);
      else if (!this.pendingAnnounced.has(key)) this.pendingOther.add(key);
    }
    if (this.draining !== undefined) return this.draining;
    if (!this.slice()) return Promise.resolve();
    const defer = this.opts.defer ?? setImmediate;
    const draining = new Promise<void>((resolve) => {
      const next = (): void => {
        if (this.slice()) defer(next);
        else {
          this.draining = undefined;
          resolve();
        }
      };
      defer(next);
    });
    this.draining = draining;
    return draining;
  }

  /** Evaluates one slice of the pending keys; true when some are left for a later turn. */
  private slice(): boolean {
    const started = performance.now();
    const budget = this.opts.sliceMs ?? 10;
    let done = 0;
    for (const pending of [this.pendingAnnounced, this.pendingOther]) {
      for (const key of pending) {
        if (done >= RECOMPUTE_MIN_SLICE && performance.now() - started >= budget) return true;
        pending.delete(key);
        this.evaluateLogged(key);
        done++;
      }
    }
    return this.pendingAnnounced.size + this.pendingOther.size > 0;
  }

  private evaluateLogged(key: string): void {
    try {
      this.evaluate(key);
    } catch (err) {
      this.opts.logger.error('recompute failed', { service: key, error: describeError(err) });
    }
    this.opts.enqueue(key);
  }
}
