import fc from 'fast-check';
import { fullBucket, refill, reserveToken, tokenBucketParams, tryTakeToken } from './tokenbucket';

const perFiveMinutes = tokenBucketParams(1 / 300, 25);

describe('tryTakeToken', () => {
  it('allows a full burst, then refuses until a token refills', () => {
    let bucket = fullBucket(perFiveMinutes, 0);
    for (let i = 0; i < 25; i++) {
      const r = tryTakeToken(bucket, perFiveMinutes, 0);
      expect(r.allowed).toBe(true);
      bucket = r.bucket;
    }
    expect(tryTakeToken(bucket, perFiveMinutes, 0).allowed).toBe(false);
    expect(tryTakeToken(bucket, perFiveMinutes, 299_999).allowed).toBe(false);
    expect(tryTakeToken(bucket, perFiveMinutes, 300_000).allowed).toBe(true);
  });

  it('never refills beyond the burst', () => {
    const bucket = refill({ tokens: 0, updatedAt: 0 }, perFiveMinutes, 1e12);
    expect(bucket.tokens).toBe(25);
  });

  it('refills nothing when the clock steps backwards', () => {
    const bucket = refill({ tokens: 3, updatedAt: 10_000 }, perFiveMinutes, 0);
    expect(bucket).toEqual({ tokens: 3, updatedAt: 10_000 });
  });

  it('never allows more than burst + elapsed*rate takes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 200 }), (gaps) => {
        const params = tokenBucketParams(1, 5); // one per second
        let bucket = fullBucket(params, 0);
        let now = 0;
        let allowed = 0;
        for (const gap of gaps) {
          now += gap;
          const r = tryTakeToken(bucket, params, now);
          bucket = r.bucket;
          if (r.allowed) allowed++;
        }
        return allowed <= 5 + Math.floor(now / 1000);
      }),
    );
  });
});

describe('reserveToken', () => {
  it('hands out the burst without delay, then spaces reservations by the rate', () => {
    const params = tokenBucketParams(10, 2);
    let bucket = fullBucket(params, 0);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = reserveToken(bucket, params, 0);
      bucket = r.bucket;
      delays.push(r.delayMs);
    }
    expect(delays).toEqual([0, 0, 100, 200, 300]);
  });
});

describe('tokenBucketParams', () => {
  it.each([
    [0, 1],
    [-1, 1],
    [1, 0],
    [Number.NaN, 1],
  ])('rejects rate %p burst %p', (rate, burst) => {
    expect(() => tokenBucketParams(rate, burst)).toThrow(RangeError);
  });
});
