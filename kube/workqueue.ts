// A keyed work queue with client-go's guarantees (k8s.io/client-go/util/workqueue):
// - a key added many times while it waits is queued once (events for one object coalesce);
// - a key is never handed to two workers at once: re-added while processing, it waits in `dirty` and is
//   queued again when `done` is called;
// - retries wait per key (a RateLimiter), and `addAfter` keeps only the earliest pending deadline per key;
// - after shutDown, adds are ignored, delayed adds are dropped, and `get` keeps handing out what is already
//   queued until the queue is empty: that is the drain.
import type { Clock, TimerHandle } from './clock';
import { RateLimiter, defaultControllerRateLimiter } from './ratelimit';

export interface WorkQueueOptions {
  readonly clock: Clock;
  /** Defaults to client-go's controller limiter: 5ms..1000s per key, 10 qps burst 100 overall. */
  readonly rateLimiter?: RateLimiter;
}

interface DelayedAdd {
  readonly readyAt: number;
  readonly timer: TimerHandle;
}

/** FIFO of keys with O(1) push and shift; compacts its backing array once half of it is consumed. */
class KeyFifo {
  private items: string[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(key: string): void {
    this.items.push(key);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head];
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly queue = new KeyFifo();
  /** Keys that need processing: queued, or re-added while processing. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, DelayedAdd>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.clock = options.clock;
    this.limiter = options.rateLimiter ?? defaultControllerRateLimiter(options.clock);
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    // A key being processed is queued again by `done`, so one key never runs twice at once.
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.handOut();
  }

  /** Adds `key` after `ms`. If the key already waits for an earlier deadline, that one wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending !== undefined) {
      if (pending.readyAt <= readyAt) return;
      this.clock.clearTimeout(pending.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, timer });
  }

  /** Adds `key` once its rate limiter allows: exponential per key, after a failed attempt. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Ends the backoff of `key`: its next failure starts again at the base delay. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * The next key to process, waiting until one is queued. Resolves to undefined once the queue is shut
   * down and empty; the caller must call `done(key)` after processing.
   */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.handOut();
    }
    this.checkDrained();
  }

  /** Keys waiting to be handed out (not counting delayed adds or keys being processed). */
  len(): number {
    return this.queue.length;
  }

  /** Keys handed out and not yet `done`. */
  inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting keys. Waiting `get` calls resolve once what is already queued has been handed out. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const pending of this.delayed.values()) this.clock.clearTimeout(pending.timer);
    this.delayed.clear();
    this.handOut();
    // Getters left waiting have nothing more to receive.
    for (const resolve of this.getters.splice(0)) resolve(undefined);
    this.checkDrained();
  }

  /**
   * Shuts down, then resolves once every queued key has been handed out and marked done. Workers must
   * keep calling `get` for this to finish: the drain is theirs to do.
   */
  shutDownWithDrain(): Promise<void> {
    const drained = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.shutDown();
    this.checkDrained();
    return drained;
  }

  private take(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private handOut(): void {
    while (this.getters.length > 0 && this.queue.length > 0) {
      const resolve = this.getters.shift();
      const key = this.take();
      if (resolve !== undefined) resolve(key);
    }
  }

  private checkDrained(): void {
    if (!this.shuttingDown || this.queue.length > 0 || this.processing.size > 0) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
