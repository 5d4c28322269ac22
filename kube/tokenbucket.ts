// A token bucket as plain data, the shape of golang.org/x/time/rate that client-go builds on: the work
// queue's overall limit (10 qps, burst 100) and the event recorder's spam filter (burst 25, one token per
// five minutes) are both buckets. The caller owns the state and passes the time in, so the arithmetic is
// tested without a clock.

export interface TokenBucketParams {
  /** Tokens added per millisecond. */
  readonly ratePerMs: number;
  /** Capacity, and the number of tokens a fresh bucket starts with. */
  readonly burst: number;
}

export interface TokenBucket {
  /** May go negative when callers reserve ahead (see `reserveToken`). */
  readonly tokens: number;
  readonly updatedAt: number;
}

export function tokenBucketParams(perSecond: number, burst: number): TokenBucketParams {
  if (!(perSecond > 0) || !(burst >= 1)) {
    throw new RangeError(
      `token bucket needs a positive rate and burst >= 1, got ${perSecond}/s burst ${burst}`,
    );
  }
  return { ratePerMs: perSecond / 1000, burst };
}

export function fullBucket(params: TokenBucketParams, now: number): TokenBucket {
  return { tokens: params.burst, updatedAt: now };
}

/** The bucket refilled up to `now`. Time that runs backwards (a clock step) refills nothing. */
export function refill(bucket: TokenBucket, params: TokenBucketParams, now: number): TokenBucket {
  const elapsed = Math.max(0, now - bucket.updatedAt);
  const tokens = Math.min(params.burst, bucket.tokens + elapsed * params.ratePerMs);
  return { tokens, updatedAt: Math.max(now, bucket.updatedAt) };
}

/** Takes one token if one is available now (client-go's TryAccept); otherwise leaves the bucket as it was. */
export function tryTakeToken(
  bucket: TokenBucket,
  params: TokenBucketParams,
  now: number,
): { allowed: boolean; bucket: TokenBucket } {
  const filled = refill(bucket, params, now);
  if (filled.tokens >= 1) return { allowed: true, bucket: { ...filled, tokens: filled.tokens - 1 } };
  return { allowed: false, bucket: filled };
}

/**
 * Takes one token, borrowing from the future if needed, and says how long the caller must wait before
 * using it (rate.Limiter's Reserve().Delay()). Every reservation is honoured, in order.
 */
export function reserveToken(
  bucket: TokenBucket,
  params: TokenBucketParams,
  now: number,
): { delayMs: number; bucket: TokenBucket } {
  const filled = refill(bucket, params, now);
  const tokens = filled.tokens - 1;
  const delayMs = tokens >= 0 ? 0 : Math.ceil(-tokens / params.ratePerMs);
  return { delayMs, bucket: { ...filled, tokens } };
}
