import { sleep, systemClock } from './clock';
import { FakeClock } from '../testkit/fakeclock';

describe('FakeClock', () => {
  it('fires timers in due order, ties in creation order, and only when time reaches them', async () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    await clock.advance(9);
    expect(fired).toEqual([]);
    await clock.advance(11);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(1020);
  });

  it('fires timers scheduled by a firing timer when they fall inside the same advance', async () => {
    const clock = new FakeClock(0);
    const firedAt: number[] = [];
    clock.setTimeout(() => {
      firedAt.push(clock.now());
      clock.setTimeout(() => firedAt.push(clock.now()), 5);
    }, 5);
    await clock.advance(10);
    expect(firedAt).toEqual([5, 10]);
  });

  it('does not fire a cleared timer', async () => {
    const clock = new FakeClock(0);
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 1);
    clock.clearTimeout(handle);
    await clock.advance(5);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('sleep', () => {
  it('resolves only after the clock advances by the delay', async () => {
    const clock = new FakeClock(0);
    let done = false;
    void sleep(clock, 100).then(() => (done = true));
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });

  it('rejects with the abort reason and cancels its timer when aborted', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const slept = sleep(clock, 100, ac.signal);
    ac.abort(new Error('stopping'));
    await expect(slept).rejects.toThrow('stopping');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('already'));
    await expect(sleep(new FakeClock(0), 5, ac.signal)).rejects.toThrow('already');
  });
});

describe('systemClock', () => {
  it('runs a real timer and can cancel another', async () => {
    const clock = systemClock();
    let cancelledFired = false;
    const cancelled = clock.setTimeout(() => (cancelledFired = true), 1);
    clock.clearTimeout(cancelled);
    const before = clock.now();
    await sleep(clock, 2);
    expect(clock.now()).toBeGreaterThanOrEqual(before + 1);
    await sleep(clock, 2);
    expect(cancelledFired).toBe(false);
  });
});
