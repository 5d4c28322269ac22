import fc from 'fast-check';
import { BACKOFF_MAX, connectRetryBackoff, keepaliveInterval, negotiateHoldTime } from './timers';

describe('timers', () => {
  it('negotiates the smaller hold time; 0 on either side means none (RFC 4271 4.2)', () => {
    expect(negotiateHoldTime(90, 180)).toBe(90);
    expect(negotiateHoldTime(90, 3)).toBe(3);
    expect(negotiateHoldTime(0, 180)).toBe(0);
    expect(negotiateHoldTime(90, 0)).toBe(0);
  });

  it('sends KEEPALIVE every third of the hold time, at least every second, never with hold 0', () => {
    expect(keepaliveInterval(90)).toBe(30);
    expect(keepaliveInterval(3)).toBe(1);
    expect(keepaliveInterval(4)).toBe(1);
    expect(keepaliveInterval(0, 10)).toBe(0);
    expect(keepaliveInterval(90, 10)).toBe(10);
    expect(keepaliveInterval(9, 10)).toBe(3);
  });

  it('backs off exponentially from 1 s to 2 min with jitter between 0.75 and 1 of the base', () => {
    expect([0, 1, 2, 3, 6, 7, 8, 50].map((n) => connectRetryBackoff(n, () => 0.999999999))).toEqual(
      [1, 2, 4, 8, 64, 120, 120, 120].map((x) => expect.closeTo(x, 5)),
    );
    expect(connectRetryBackoff(3, () => 0)).toBe(6);
  });

  it('stays within [1 s, 2 min] whatever the random source returns', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 1000 }), fc.double({ noNaN: true }), (attempt, r) => {
        const d = connectRetryBackoff(attempt, () => r);
        expect(d).toBeGreaterThanOrEqual(1);
        expect(d).toBeLessThanOrEqual(BACKOFF_MAX);
      }),
      { seed: 10, numRuns: 2000 },
    );
  });
});
