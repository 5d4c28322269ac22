import { FakeClock } from '../testkit/fakeclock';
import {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './ratelimit';

describe('ItemExponentialRateLimiter', () => {
  it('doubles per failure from base and caps at max', () => {
    const limiter = new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 40 });
    expect([1, 2, 3, 4, 5, 6].map(() => limiter.when('a'))).toEqual([5, 10, 20, 40, 40, 40]);
    expect(limiter.numRequeues('a')).toBe(6);
  });

  it('keeps keys independent', () => {
    const limiter = new ItemExponentialRateLimiter({ baseMs: 1, maxMs: 1000 });
    limiter.when('a');
    limiter.when('a');
    expect(limiter.when('b')).toBe(1);
    expect(limiter.when('a')).toBe(4);
  });

  it('starts again at base after forget', () => {
    const limiter = new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 1000 });
    limiter.when('a');
    limiter.when('a');
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a')).toBe(5);
  });

  it('stays finite after thousands of failures', () => {
    const limiter = new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 1_000_000 });
    let last = 0;
    for (let i = 0; i < 5000; i++) last = limiter.when('a');
    expect(last).toBe(1_000_000);
  });

  it('rejects a max below base', () => {
    expect(() => new ItemExponentialRateLimiter({ baseMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

describe('BucketRateLimiter and MaxOfRateLimiter', () => {
  it('delays across keys once the shared burst is spent', () => {
    const limiter = new BucketRateLimiter(new FakeClock(0), 10, 2);
    expect([limiter.when('a'), limiter.when('b'), limiter.when('c')]).toEqual([0, 0, 100]);
  });

  it('takes the longest delay and forgets in every limiter', () => {
    const clock = new FakeClock(0);
    const limiter = new MaxOfRateLimiter(
      new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 1000 }),
      new BucketRateLimiter(clock, 10, 1),
    );
    expect(limiter.when('a')).toBe(5); // bucket had a token: exponential wins
    expect(limiter.when('a')).toBe(100); // bucket empty: 100ms beats 10ms
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
  });

  it('the default limiter starts at 5ms per key', () => {
    const limiter = defaultControllerRateLimiter(new FakeClock(0));
    expect(limiter.when('x')).toBe(5);
    expect(limiter.when('x')).toBe(10);
  });
});
