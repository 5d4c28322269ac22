// Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics
// (k8s.io/client-go/tools/leaderelection):
// - a lease is free when it has no holder, or when leaseDurationSeconds have passed since WE last saw its
//   record change. Expiry is judged on the local clock at observation time, never on the remote renewTime,
//   so clock skew between nodes cannot make two candidates both believe they lead;
// - the leader renews every retryPeriod and gives up if it has not renewed for renewDeadline;
// - writes carry the resourceVersion they read (optimistic concurrency): a 409 is a lost race, retried
//   next period;
// - a graceful stop releases the lease (empty holder, 1s duration) so a successor takes over at once.
// decideLease and observeLease are the pure core; LeaderElector is the loop around a LeaseClient.
import type { Logger } from './log';
import { Clock, sleep } from './clock';
import { describeError, isConflict } from './errors';

/** The spec of a Lease, times in epoch milliseconds. */
export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: number;
  readonly renewTime?: number;
  readonly leaseTransitions: number;
}

export interface StoredLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/** A lease as we last saw it, and when (local clock) its record last changed. */
export interface ObservedLease extends StoredLease {
  readonly observedAt: number;
}

export interface LeaseParams {
  /** Written into leases we take; also how long others must wait after our last renewal. */
  readonly leaseDurationSeconds: number;
}

export type LeaseDecision =
  | { readonly action: 'create'; readonly record: LeaseRecord }
  | {
      readonly action: 'update';
      readonly record: LeaseRecord;
      readonly resourceVersion: string;
      readonly renewing: boolean;
    }
  | { readonly action: 'wait'; readonly holder: string; readonly expiresAt: number };

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/**
 * Folds a fresh read into what we had seen. The observation time moves only when the record changed: a
 * holder that stops renewing leaves the record frozen, and its lease expires leaseDuration after we first
 * saw that frozen record.
 */
export function observeLease(
  previous: ObservedLease | undefined,
  fetched: StoredLease | undefined,
  now: number,
): ObservedLease | undefined {
  if (fetched === undefined) return undefined;
  if (previous !== undefined && sameRecord(previous.record, fetched.record)) {
    return { ...fetched, observedAt: previous.observedAt };
  }
  return { ...fetched, observedAt: now };
}

export function decideLease(
  observed: ObservedLease | undefined,
  now: number,
  identity: string,
  params: LeaseParams,
): LeaseDecision {
  if (observed === undefined) {
    return {
      action: 'create',
      record: {
        holderIdentity: identity,
        leaseDurationSeconds: params.leaseDurationSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      },
    };
  }
  const old = observed.record;
  const expiresAt = observed.observedAt + old.leaseDurationSeconds * 1000;
  if (old.holderIdentity !== '' && old.holderIdentity !== identity && expiresAt > now) {
    return { action: 'wait', holder: old.holderIdentity, expiresAt };
  }
  const renewing = old.holderIdentity === identity;
  return {
    action: 'update',
    resourceVersion: observed.resourceVersion,
    renewing,
    record: {
      holderIdentity: identity,
      leaseDurationSeconds: params.leaseDurationSeconds,
      acquireTime: renewing ? (old.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: renewing ? old.leaseTransitions : old.leaseTransitions + 1,
    },
  };
}

/** What a leader writes on graceful stop: no holder, and a 1s duration so nobody waits out the old one. */
export function releaseRecord(record: LeaseRecord, now: number): LeaseRecord {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: record.leaseTransitions,
  };
}

/** The lease I/O. Conflicts must surface as errors with HTTP code 409 (see errors.ts). */
export interface LeaseClient {
  /** Undefined when the lease does not exist. */
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<StoredLease>;
  update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease>;
}

export interface LeaderCallbacks {
  /** Start leader-only work; stop it when `signal` aborts. Not awaited. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading(): void;
  /** The observed holder changed (to us or to someone else). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectorOptions {
  readonly client: LeaseClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Unique per candidate; usually the pod name. */
  readonly identity: string;
  readonly callbacks: LeaderCallbacks;
  /** client-go/controller-runtime defaults: 15s, 10s, 2s. */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Release the lease on stop(). Default true. */
  readonly releaseOnStop?: boolean;
  readonly random?: () => number;
}

/** client-go's JitterFactor for the acquire retry loop. */
const JITTER_FACTOR = 1.2;

export class LeaderElectionConfigError extends Error {
  override readonly name = 'LeaderElectionConfigError';
}

export class LeaderElector {
  private observed: ObservedLease | undefined;
  private leading = false;
  private lastLeader: string | undefined;
  private readonly stopController = new AbortController();
  private leadController: AbortController | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;

  constructor(private readonly options: LeaderElectorOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (options.identity === '')
      throw new LeaderElectionConfigError('leader election identity must not be empty');
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) {
      throw new LeaderElectionConfigError('leaseDuration must be greater than renewDeadline');
    }
    if (!(this.renewDeadlineMs > JITTER_FACTOR * this.retryPeriodMs)) {
      throw new LeaderElectionConfigError(
        `renewDeadline must be greater than ${JITTER_FACTOR} x retryPeriod`,
      );
    }
    this.log = options.logger.child({ identity: options.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder we last observed, if any. */
  leader(): string | undefined {
    return this.lastLeader;
  }

  /**
   * Campaigns until elected, then leads until leadership is lost or stop() is called; then resolves. One
   * campaign per elector: after it ends, build a new elector (or, as controller-runtime does, exit).
   */
  async run(): Promise<void> {
    const stop = this.stopController.signal;
    if (!(await this.acquire(stop))) return;
    this.leading = true;
    this.leadController = new AbortController();
    this.log.info('became leader');
    this.invoke('onStartedLeading', () =>
      this.options.callbacks.onStartedLeading(this.leadController?.signal ?? stop),
    );
    await this.renewUntilLost(stop);
    if (stop.aborted && this.leading && (this.options.releaseOnStop ?? true)) await this.release();
    this.stepDown();
  }

  /** Ends the campaign or the leadership; run() resolves once the lease is released. */
  stop(): void {
    this.stopController.abort(new Error('leader election stopped'));
  }

  private async acquire(stop: AbortSignal): Promise<boolean> {
    while (!stop.aborted) {
      if (await this.tryAcquireOrRenew()) return true;
      const jittered = this.retryPeriodMs * (1 + JITTER_FACTOR * (this.options.random ?? Math.random)());
      try {
        await sleep(this.options.clock, jittered, stop);
      } catch {
        return false;
      }
    }
    return false;
  }

  private async renewUntilLost(stop: AbortSignal): Promise<void> {
    const { clock } = this.options;
    let lastRenew = clock.now();
    while (!stop.aborted) {
      try {
        await sleep(clock, this.retryPeriodMs, stop);
      } catch {
        return;
      }
      const deadline = lastRenew + this.renewDeadlineMs;
      const renewed = await this.beforeDeadline(this.tryAcquireOrRenew(), deadline);
      if (renewed) {
        lastRenew = clock.now();
        continue;
      }
      // client-go keeps retrying until the deadline even when another holder shows up; a lease we can see
      // someone else holding is lost already, and stepping down at once narrows the two-leader window.
      const holder = this.observed?.record.holderIdentity;
      const takenOver = holder !== undefined && holder !== '' && holder !== this.options.identity;
      if (takenOver || clock.now() >= deadline) {
        this.log.warn('lost leadership', {
          reason: takenOver ? `lease held by ${holder}` : 'renew deadline passed',
        });
        return;
      }
    }
  }

  /** One read-decide-write round. True when we hold the lease afterwards. Never throws. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, clock, identity } = this.options;
    let fetched: StoredLease | undefined;
    try {
      fetched = await client.get();
    } catch (err) {
      this.log.warn('reading lease failed', { error: describeError(err) });
      return false;
    }
    this.observed = observeLease(this.observed, fetched, clock.now());
    const decision = decideLease(this.observed, clock.now(), identity, {
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
    });
    if (decision.action === 'wait') {
      this.noteLeader(decision.holder);
      return false;
    }
    try {
      const stored =
        decision.action === 'create'
          ? await client.create(decision.record)
          : await client.update(decision.record, decision.resourceVersion);
      this.observed = { ...stored, observedAt: clock.now() };
      this.noteLeader(identity);
      return true;
    } catch (err) {
      // A conflict means another candidate wrote first: an expected race, not a fault.
      if (isConflict(err)) this.log.debug('lease write lost a race', { error: describeError(err) });
      else this.log.warn('writing lease failed', { error: describeError(err) });
      return false;
    }
  }

  private async release(): Promise<void> {
    const observed = this.observed;
    if (observed === undefined || observed.record.holderIdentity !== this.options.identity) return;
    try {
      const stored = await this.options.client.update(
        releaseRecord(observed.record, this.options.clock.now()),
        observed.resourceVersion,
      );
      this.observed = { ...stored, observedAt: this.options.clock.now() };
      this.log.info('released lease');
    } catch (err) {
      this.log.warn('releasing lease failed; successor waits for expiry', { error: describeError(err) });
    }
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    this.leadController?.abort(new Error('leadership lost'));
    this.invoke('onStoppedLeading', () => this.options.callbacks.onStoppedLeading());
  }

  /** False when the deadline passes before the attempt finishes (a hung API call counts as a failure). */
  private beforeDeadline(attempt: Promise<boolean>, deadline: number): Promise<boolean> {
    const { clock } = this.options;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => resolve(false), Math.max(0, deadline - clock.now()));
      void attempt.then((ok) => {
        clock.clearTimeout(timer);
        resolve(ok);
      });
    });
  }

  private noteLeader(identity: string): void {
    if (identity === this.lastLeader) return;
    this.lastLeader = identity;
    this.log.info('new leader observed', { leader: identity });
    const cb = this.options.callbacks.onNewLeader;
    if (cb !== undefined) this.invoke('onNewLeader', () => cb(identity));
  }

  private invoke(name: string, fn: () => void | Promise<void>): void {
    const fail = (err: unknown): void => {
      this.log.error('leader election callback failed', { callback: name, error: describeError(err) });
    };
    try {
      const result = fn();
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  }
}
