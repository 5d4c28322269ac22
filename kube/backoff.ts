// Exponential backoff with jitter for reconnect loops (informer watches, lease retries), after
// client-go's reflector backoff: 800ms doubling to 30s. Jitter spreads reconnects of many processes after
// an API server restart so they do not return in lockstep.

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Growth per attempt; 2 by default. */
  readonly factor?: number;
  /** Adds up to this fraction of the delay at random; 0 disables. Default 0.1. */
  readonly jitter?: number;
}

export const REFLECTOR_BACKOFF: BackoffOptions = { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.1 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = REFLECTOR_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    if (!(options.initialMs >= 0) || !(options.maxMs >= options.initialMs)) {
      throw new RangeError(`backoff needs 0 <= initial <= max, got ${options.initialMs}..${options.maxMs}`);
    }
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const factor = this.options.factor ?? 2;
    const base = Math.min(this.options.maxMs, this.options.initialMs * factor ** this.attempt);
    this.attempt++;
    const jitter = this.options.jitter ?? 0.1;
    return Math.min(this.options.maxMs, Math.round(base * (1 + jitter * this.random())));
  }

  /** After a success: the next failure waits the initial delay again. */
  reset(): void {
    this.attempt = 0;
  }

  /** Failures since the last reset. */
  attempts(): number {
    return this.attempt;
  }
}
