import { Backoff } from './backoff';

describe('Backoff', () => {
  it('grows by the factor from the initial delay and stops at the max', () => {
    const b = new Backoff({ initialMs: 800, maxMs: 5000, factor: 2, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([800, 1600, 3200, 5000, 5000]);
    expect(b.attempts()).toBe(5);
  });

  it('starts over after reset', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 1000, jitter: 0 });
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(10);
  });

  it('adds at most the jitter fraction and never exceeds the max', () => {
    const high = new Backoff({ initialMs: 100, maxMs: 150, jitter: 0.5 }, () => 0.999);
    expect(high.next()).toBe(150);
    const mid = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0.5);
    expect(mid.next()).toBe(125);
  });

  it('rejects a max below the initial delay', () => {
    expect(() => new Backoff({ initialMs: 10, maxMs: 1 })).toThrow(RangeError);
  });
});
