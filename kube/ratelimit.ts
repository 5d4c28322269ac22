// Retry delays for the work queue, after client-go's workqueue rate limiters: a per-key exponential
// backoff (5ms doubling to 1000s by default) combined with an overall token bucket, so one failing key
// backs off on its own while many failing keys together cannot hammer the API server.
import type { Clock } from './clock';
import { TokenBucket, TokenBucketParams, fullBucket, reserveToken, tokenBucketParams } from './tokenbucket';

export interface RateLimiter {
  /** How long to wait before retrying `key`; each call counts as one more failure. */
  when(key: string): number;
  /** Clears the failure history of `key` (after a success). */
  forget(key: string): void;
  /** How many failures `key` has had since it was last forgotten. */
  numRequeues(key: string): number;
}

export interface ExponentialBackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Per-key delay = base * 2^failures, capped at max (client-go ItemExponentialFailureRateLimiter). */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: ExponentialBackoffOptions = { baseMs: 5, maxMs: 1_000_000 }) {
    if (!(options.baseMs > 0) || !(options.maxMs >= options.baseMs)) {
      throw new RangeError(`backoff needs 0 < base <= max, got ${options.baseMs}..${options.maxMs}`);
    }
  }

  when(key: string): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    // 2^exp overflows to Infinity long before it matters; the cap keeps the result finite.
    return Math.min(this.options.maxMs, this.options.baseMs * 2 ** exp);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** One token bucket shared by every key (client-go BucketRateLimiter). It keeps no per-key history. */
export class BucketRateLimiter implements RateLimiter {
  private bucket: TokenBucket;
  private readonly params: TokenBucketParams;

  constructor(
    private readonly clock: Clock,
    perSecond = 10,
    burst = 100,
  ) {
    this.params = tokenBucketParams(perSecond, burst);
    this.bucket = fullBucket(this.params, clock.now());
  }

  when(_key: string): number {
    const r = reserveToken(this.bucket, this.params, this.clock.now());
    this.bucket = r.bucket;
    return r.delayMs;
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for (client-go MaxOfRateLimiter). */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(key: string): number {
    // Every limiter must see the failure, so no short-circuit.
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(key)));
  }
}

/** client-go's DefaultControllerRateLimiter: 5ms..1000s per key, 10 qps burst 100 overall. */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 1_000_000 }),
    new BucketRateLimiter(clock, 10, 100),
  );
}
