// The controller-runtime contract: a reconciler is handed a key, reads the world, converges, and says
// "done" (resolve), "look again in N ms" ({ requeueAfter }), or "failed" (throw). The runner maps those to
// the work queue: success forgets the key's backoff, failure retries it with per-key exponential backoff.
// Whatever reconcile throws, synchronously or not, is caught and logged: one bad object never stops the
// workers or the process.
import type { Logger } from './log';
import { describeError } from './errors';
import type { WorkQueue } from './workqueue';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds, even if nothing changes. */
  readonly requeueAfter?: number;
}

export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult | void>;
}

export type ReconcileOutcome = 'success' | 'requeue_after' | 'error';

/** What the runner reports about each attempt; `metrics.ts` has a Prometheus implementation. */
export interface ReconcileObserver {
  observe(controller: string, outcome: ReconcileOutcome, durationMs: number): void;
}

export interface ReconcileRunnerOptions {
  /** Names the controller in logs and metrics, e.g. "service". */
  readonly name: string;
  readonly queue: WorkQueue;
  readonly reconciler: Reconciler;
  readonly logger: Logger;
  /** Concurrent workers. Keys never run twice at once whatever the count. Defaults to 1. */
  readonly workers?: number;
  readonly observer?: ReconcileObserver;
  /** Monotonic milliseconds for durations; defaults to performance.now. */
  readonly now?: () => number;
}

export class ReconcileRunner {
  private workers: Promise<void>[] = [];
  private started = false;
  private readonly now: () => number;

  constructor(private readonly options: ReconcileRunnerOptions) {
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(`controller ${options.name}: workers must be a positive integer, got ${workers}`);
    }
    this.now = options.now ?? (() => performance.now());
  }

  /** Starts the workers. Calling it twice is a no-op. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const count = this.options.workers ?? 1;
    for (let i = 0; i < count; i++) this.workers.push(this.workerLoop());
  }

  /** Shuts the queue down, lets the workers drain what is queued, and resolves when they have exited. */
  async stop(): Promise<void> {
    this.options.queue.shutDown();
    await Promise.all(this.workers);
  }

  private async workerLoop(): Promise<void> {
    const { queue } = this.options;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await this.processKey(key);
      } finally {
        queue.done(key);
      }
    }
  }

  /** One attempt at one key. Never throws: every failure becomes a rate-limited retry. */
  async processKey(key: string): Promise<void> {
    const { queue, reconciler, logger, name, observer } = this.options;
    const started = this.now();
    let outcome: ReconcileOutcome;
    try {
      // A reconciler that throws before returning its promise is caught here too.
      const result = await reconciler.reconcile(key);
      const after = result?.requeueAfter;
      queue.forget(key);
      if (after !== undefined && after > 0) {
        queue.addAfter(key, after);
        outcome = 'requeue_after';
      } else {
        outcome = 'success';
      }
    } catch (err) {
      outcome = 'error';
      const retries = queue.numRequeues(key);
      queue.addRateLimited(key);
      logger.error('reconcile failed, will retry', {
        controller: name,
        key,
        retries,
        error: describeError(err),
      });
    }
    const durationMs = this.now() - started;
    logger.debug('reconciled', { controller: name, key, outcome, durationMs });
    try {
      observer?.observe(name, outcome, durationMs);
    } catch (err) {
      logger.warn('reconcile observer failed', { controller: name, error: describeError(err) });
    }
  }
}
