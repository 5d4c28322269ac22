// The speaker's BGP reconciler, beside the Layer 2 one: for one Service key, read the caches, decide
// (bgp/advertise/decide.ts), keep the Service's advertisements, and converge the sessions' route sets and
// the ServiceBGPStatus object. Level-triggered. Route sets are rebuilt per peer from every Service's
// advertisements (bgp/advertise/routes.ts) on a short timer, so a burst of Service changes becomes one
// set of UPDATEs per peer. Config and this node's labels also decide which sessions run (bgp/manager.ts).
// Upstream: speaker/bgp_controller.go, speaker/main.go, internal/k8s/controllers/bgp_status_controller.go.
import { formatCidr } from '../../addr/cidr';
import { formatIP } from '../../addr/ip';
import type { Config } from '../../config/types';
import { isNotFound } from '../../kube/errors';
import type { ReconcileResult, Reconciler } from '../../kube/reconciler';
import {
  decideBGP,
  sameAdvertisements,
  type BGPDecision,
  type ServiceAdvertisement,
} from '../bgp/advertise/decide';
import { peersForNode, peersForService, routesForPeers } from '../bgp/advertise/routes';
import type { BGPSessionManager } from '../bgp/manager';
import type { Route } from '../bgp/session/session';
import type { ElectionNode } from '../election/types';
import type { Layer2Options } from './layer2';
import type { SpeakerService, SpeakerSlice } from './objects';
import { bgpStatusName, renderBGPStatus, type PodOwner } from './status';

export interface BGPSources {
  service(key: string): SpeakerService | undefined;
  slices(key: string): readonly SpeakerSlice[];
  /** This node's Node object, or undefined while it is not known. */
  node(): ElectionNode | undefined;
  serviceKeys(): Iterable<string>;
  /** Whether our ServiceBGPStatus object of this name exists (the status informer's cache). */
  hasStatus(name: string): boolean;
}

export interface BGPStatusWriter {
  apply(status: ReturnType<typeof renderBGPStatus>): Promise<void>;
  delete(namespace: string, name: string): Promise<void>;
}

/** `metallb_speaker_announced{protocol="bgp"}`. */
export interface BGPAnnounceMetrics {
  announced(service: string, ip: string): void;
  withdrawn(service: string, ip: string): void;
}

export interface BGPServiceEvents {
  nodeAssigned(svc: SpeakerService, node: string): void;
}

/** The settings both protocols' reconcilers share (Layer2Options). */
type CommonOptions = Pick<
  Layer2Options,
  'myNode' | 'namespace' | 'lbClass' | 'ignoreExcludeLB' | 'logger' | 'enqueue' | 'owner'
>;

export interface BGPReconcilerOptions extends CommonOptions {
  readonly sources: BGPSources;
  readonly sessions: Pick<BGPSessionManager, 'sync' | 'setRoutes' | 'peers'>;
  /** Undefined when the ServiceBGPStatus CRD is not served: no status objects then. */
  readonly statusWriter?: BGPStatusWriter;
  readonly events: BGPServiceEvents;
  readonly metrics: BGPAnnounceMetrics;
  /** How long route changes gather before the peers' route sets are rebuilt (ms). */
  readonly flushDelayMs?: number;
}

interface Memo {
  /** The addresses this node advertises for the Service. */
  readonly ips: readonly string[];
  /** What the status last written says (statusContent), interned: Services with the same peers share it. */
  writtenStatus?: string;
  assignedEventDue?: boolean;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * What varies in a Service's ServiceBGPStatus, the rest being fixed by the Service's key and this node: the
 * owner Pod and the peers. Kept per Service instead of the object's JSON (about 400 octets each, 3.8 MiB at
 * 10,000 Services; bench/bgprecompute.bench.ts).
 */
export function statusContent(peers: readonly string[], owner: PodOwner | undefined): string {
  return JSON.stringify([owner?.uid ?? null, owner?.name ?? null, peers]);
}

/** Per-Service log lines a recompute of every Service gathers into one line each (BGPReconciler.recomputeAll). */
interface Tally {
  advertised: string[];
  withdrawn: Map<string, string[]>;
}

/** Services named in a recompute's summary line. */
const LOGGED_SERVICES = 10;
/** Distinct status contents kept for interning; a handful in practice (one per set of peers). */
const INTERNED_CONTENTS = 64;

export class BGPReconciler implements Reconciler {
  private config: Config | undefined;
  /** Advertisements of every Service this node advertises, by Service key. */
  private readonly ads = new Map<string, readonly ServiceAdvertisement[]>();
  private readonly memos = new Map<string, Memo>();
  private fingerprint = '';
  private flushTimer: NodeJS.Timeout | undefined;
  /**
   * How long the last flush took (ms), its turns added up: the next one waits at least twice that, so bursts
   * stay cheap.
   */
  private lastFlushMs = 0;
  /** Moves with every flush: a flush handing its sets out in turns stops when a newer one began. */
  private flushGeneration = 0;
  private stopped = false;
  private readonly contents = new Map<string, string>();

  constructor(private readonly opts: BGPReconcilerOptions) {}

  /** Services advertised from this node, by key, with their addresses. */
  advertisedServices(): Map<string, readonly string[]> {
    return new Map([...this.memos].map(([k, m]) => [k, m.ips]));
  }

  /**
   * A new valid config: re-check the sessions, then every Service when what BGP reads of the config changed
   * (pools, their BGP advertisements, the peers); a change elsewhere (Layer 2 only, say) moves nothing here.
   */
  setConfig(config: Config): void {
    const fingerprint = bgpFingerprint(config);
    const changed = fingerprint !== this.fingerprint;
    this.config = config;
    this.fingerprint = fingerprint;
    this.syncSessions();
    if (changed) this.recomputeAll();
  }

  /** This node's labels or network condition changed: peers' nodeSelectors and exclusion may flip. */
  nodeChanged(): void {
    this.syncSessions();
    this.recomputeAll();
  }

  /**
   * Decides one Service and keeps its advertisements. With `tally` (a recompute of every Service) the
   * per-Service lines go at debug and the Service is counted for one summary line instead.
   */
  evaluate(key: string, tally?: Tally): BGPDecision {
    const { sources } = this.opts;
    const service = sources.service(key);
    const decision = decideBGP({
      service,
      slices: service ? sources.slices(key) : [],
      lbClass: this.opts.lbClass,
      config: this.config,
      myNode: this.opts.myNode,
      node: sources.node(),
      ignoreExcludeLB: this.opts.ignoreExcludeLB,
    });
    const memo = this.memos.get(key);
    if (decision.announce) {
      const before = this.ads.get(key);
      if (before === undefined || !sameAdvertisements(before, decision.advertisements)) {
        this.ads.set(key, decision.advertisements);
        this.scheduleFlush();
      }
      for (const ip of memo?.ips ?? []) if (!decision.ips.includes(ip)) this.opts.metrics.withdrawn(key, ip);
      for (const ip of decision.ips) this.opts.metrics.announced(key, ip);
      const changed = memo === undefined || !sameList(memo.ips, decision.ips);
      if (memo === undefined) {
        const line = {
          event: 'updatedAdvertisements',
          service: key,
          ips: decision.ips,
          numAds: decision.advertisements.length,
          pool: decision.pool,
        };
        if (tally === undefined) this.opts.logger.info('making advertisements using BGP', line);
        else {
          tally.advertised.push(key);
          this.opts.logger.debug('making advertisements using BGP', line);
        }
      }
      this.memos.set(key, {
        ips: decision.ips,
        ...(memo?.writtenStatus !== undefined ? { writtenStatus: memo.writtenStatus } : {}),
        ...(changed || memo?.assignedEventDue ? { assignedEventDue: true } : {}),
      });
    } else {
      const had = this.ads.delete(key);
      if (had) this.scheduleFlush();
      if (had || (memo !== undefined && memo.ips.length > 0)) {
        for (const ip of memo?.ips ?? []) this.opts.metrics.withdrawn(key, ip);
        const line = { service: key, reason: decision.reason };
        if (tally === undefined) this.opts.logger.info('withdrawing service BGP advertisements', line);
        else {
          const keys = tally.withdrawn.get(decision.reason) ?? [];
          keys.push(key);
          tally.withdrawn.set(decision.reason, keys);
          this.opts.logger.debug('withdrawing service BGP advertisements', line);
        }
      }
      if (memo?.writtenStatus !== undefined)
        this.memos.set(key, { ips: [], writtenStatus: memo.writtenStatus });
      else this.memos.delete(key);
    }
    return decision;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    this.evaluate(key);
    const writer = this.opts.statusWriter;
    const memo = this.memos.get(key);
    const [namespace = '', name = ''] = key.split('/');
    const statusName = bgpStatusName(this.opts.myNode, namespace, name);
    const service = this.opts.sources.service(key);
    const peers = peersForService(this.ads.get(key) ?? [], this.opts.sessions.peers());
    if (memo !== undefined && memo.ips.length > 0 && service !== undefined) {
      if (memo.assignedEventDue) {
        this.opts.events.nodeAssigned(service, this.opts.myNode);
        memo.assignedEventDue = false;
      }
    }
    if (writer === undefined) return;
    // Upstream deletes the status when the Service goes to no peer from this node.
    if (memo !== undefined && memo.ips.length > 0 && service !== undefined && peers.length > 0) {
      const owner = this.opts.owner?.();
      const content = statusContent(peers, owner);
      if (memo.writtenStatus !== content || !this.opts.sources.hasStatus(statusName)) {
        await writer.apply(
          renderBGPStatus({
            namespace: this.opts.namespace,
            node: this.opts.myNode,
            serviceName: name,
            serviceNamespace: namespace,
            peers,
            owner,
          }),
        );
        memo.writtenStatus = this.intern(content);
      }
    } else if (memo?.writtenStatus !== undefined || this.opts.sources.hasStatus(statusName)) {
      try {
        await writer.delete(this.opts.namespace, statusName);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (memo !== undefined) {
        delete memo.writtenStatus;
        if (memo.ips.length === 0) this.memos.delete(key);
      }
    }
  }

  /** Rebuilds every peer's route set now, in one synchronous pass. */
  flush(): void {
    const sets = this.beginFlush();
    const started = performance.now();
    for (const [peer, routes] of sets) this.opts.sessions.setRoutes(peer, routes);
    this.lastFlushMs += performance.now() - started;
  }

  /**
   * What the flush timer runs: the route sets are built at once, then handed to one session per turn of the
   * event loop, so the longest synchronous stretch is one peer's UPDATEs, not every peer's (each session
   * diffs, packs and encodes its whole table: about 1/3 of the flush each with 3 peers). A newer flush
   * supersedes the rest of an older one, so no session is handed a stale set after a fresh one.
   */
  private flushInTurns(): void {
    const pending = [...this.beginFlush()];
    const generation = this.flushGeneration;
    const next = (): void => {
      if (this.flushGeneration !== generation || this.stopped) return;
      const entry = pending.shift();
      if (entry === undefined) return;
      const started = performance.now();
      this.opts.sessions.setRoutes(entry[0], entry[1]);
      this.lastFlushMs += performance.now() - started;
      if (pending.length > 0) setImmediate(next);
    };
    next();
  }

  /** Clears the timer and builds every peer's route set; lastFlushMs starts with what that took. */
  private beginFlush(): Map<string, Route[]> {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushGeneration++;
    const started = performance.now();
    const sets = routesForPeers(this.ads, this.opts.sessions.peers());
    this.lastFlushMs = performance.now() - started;
    return sets;
  }

  stop(): void {
    this.stopped = true;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private syncSessions(): void {
    if (this.config === undefined) return;
    const labels = this.opts.sources.node()?.labels ?? {};
    const started = this.opts.sessions.sync(peersForNode(this.config.peers.values(), labels));
    if (started.length > 0) this.scheduleFlush();
  }

  /**
   * Every Service again. Upstream logs a line per Service it advertises (speaker/bgp_controller.go
   * SetBalancer, info); at 10,000 Services that was 10,000 lines in one synchronous pass, so here a
   * recompute logs one line per outcome with the count and the first Services, and each Service at debug.
   */
  private recomputeAll(): void {
    const keys = new Set([...this.opts.sources.serviceKeys(), ...this.memos.keys()]);
    const tally: Tally = { advertised: [], withdrawn: new Map() };
    for (const key of keys) {
      this.evaluate(key, tally);
      this.opts.enqueue(key); // the status objects: the peers a Service goes to may have changed
    }
    const sample = (list: readonly string[]) => list.slice(0, LOGGED_SERVICES);
    if (tally.advertised.length > 0)
      this.opts.logger.info('making advertisements using BGP', {
        event: 'updatedAdvertisements',
        services: tally.advertised.length,
        first: sample(tally.advertised),
      });
    for (const [reason, withdrawn] of tally.withdrawn)
      this.opts.logger.info('withdrawing service BGP advertisements', {
        reason,
        services: withdrawn.length,
        first: sample(withdrawn),
      });
  }

  /** One string per distinct status content, so 10,000 Services with the same peers hold one. */
  private intern(content: string): string {
    const known = this.contents.get(content);
    if (known !== undefined) return known;
    if (this.contents.size >= INTERNED_CONTENTS) this.contents.clear();
    this.contents.set(content, content);
    return content;
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.stopped) return;
    const delay = Math.max(this.opts.flushDelayMs ?? 20, 2 * this.lastFlushMs);
    this.flushTimer = setTimeout(() => this.flushInTurns(), delay);
  }
}

/** What a BGP decision reads of the config: each pool's CIDRs and BGP advertisements, and the peers. */
export function bgpFingerprint(config: Config): string {
  const pools = [...config.pools.values()].map((p) => [
    p.name,
    p.cidrs.map(formatCidr),
    p.bgpAdvertisements.map((ad) => ({ ...ad, nodes: [...ad.nodes].sort() })),
  ]);
  const peers = [...config.peers.values()].map((p) => ({
    ...p,
    ...(p.address ? { address: formatIP(p.address) } : {}),
    ...(p.sourceAddress ? { sourceAddress: formatIP(p.sourceAddress) } : {}),
    ...(p.routerID ? { routerID: formatIP(p.routerID) } : {}),
    password: p.password === '' ? '' : 'set',
  }));
  return JSON.stringify([pools, peers]);
}
