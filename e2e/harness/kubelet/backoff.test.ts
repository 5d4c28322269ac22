import {
  KUBELET_RESTART_BACKOFF,
  formatDelay,
  planRestart,
  restartBackoffOptions,
  type BackoffEntry,
} from './backoff';

/** The delays of `n` crashes, each `runMs` after the restart before it. */
function delays(n: number, runMs: number, opts = KUBELET_RESTART_BACKOFF): number[] {
  const out: number[] = [];
  let entry: BackoffEntry | undefined;
  let startedAt = 0;
  for (let i = 0; i < n; i++) {
    const plan = planRestart(entry, startedAt + runMs, opts);
    out.push(plan.delayMs);
    entry = plan.entry;
    startedAt = startedAt + runMs + plan.delayMs;
  }
  return out;
}

describe('crash-loop back-off', () => {
  test('the first exit restarts at once, then 10 s doubling, capped at 300 s', () => {
    expect(delays(9, 1_000)).toEqual([0, 10e3, 20e3, 40e3, 80e3, 160e3, 300e3, 300e3, 300e3]);
  });

  test('a container that ran more than 10 minutes since its last restart starts over', () => {
    const entry = { backoffMs: 300_000, lastRestartAt: 0 };
    expect(planRestart(entry, 600_001, KUBELET_RESTART_BACKOFF)).toEqual({
      delayMs: 0,
      entry: { backoffMs: 10_000, lastRestartAt: 600_001 },
    });
  });

  test('exactly 10 minutes is not yet enough (the kubelet compares with >)', () => {
    expect(
      planRestart({ backoffMs: 40_000, lastRestartAt: 0 }, 600_000, KUBELET_RESTART_BACKOFF).delayMs,
    ).toBe(40_000);
  });

  test('the restart is timed from the exit and recorded as the last restart', () => {
    expect(planRestart({ backoffMs: 20_000, lastRestartAt: 5_000 }, 7_000, KUBELET_RESTART_BACKOFF)).toEqual({
      delayMs: 20_000,
      entry: { backoffMs: 40_000, lastRestartAt: 27_000 },
    });
  });

  test('a kubelet may ask for a faster back-off; unset fields keep the kubelet values', () => {
    const fast = restartBackoffOptions({ initialMs: 200, maxMs: 800 });
    expect(fast).toEqual({ initialMs: 200, maxMs: 800, resetAfterMs: 600_000 });
    expect(delays(5, 10, fast)).toEqual([0, 200, 400, 800, 800]);
    expect(restartBackoffOptions()).toEqual(KUBELET_RESTART_BACKOFF);
  });

  test('rejects a cap below the initial delay', () => {
    expect(() => restartBackoffOptions({ initialMs: 1_000, maxMs: 10 })).toThrow(RangeError);
  });

  test.each([
    [500, '500ms'],
    [10_000, '10s'],
    [1_500, '1.5s'],
    [160_000, '2m40s'],
    [300_000, '5m0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDelay(ms)).toBe(text);
  });
});
