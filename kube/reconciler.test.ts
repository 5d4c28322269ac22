import { FakeClock, flushPromises } from '../testkit/fakeclock';
import { ItemExponentialRateLimiter } from './ratelimit';
import { ReconcileOutcome, ReconcileResult, ReconcileRunner, Reconciler } from './reconciler';
import { captureLogger } from '../testkit/capturedlogger';
import { WorkQueue } from './workqueue';

interface Harness {
  clock: FakeClock;
  queue: WorkQueue;
  runner: ReconcileRunner;
  calls: string[];
  outcomes: ReconcileOutcome[];
  lines: () => Array<Record<string, unknown>>;
}

function harness(reconcile: (key: string) => Promise<ReconcileResult | void>, workers = 1): Harness {
  const clock = new FakeClock(0);
  const queue = new WorkQueue({
    clock,
    rateLimiter: new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 1000 }),
  });
  const calls: string[] = [];
  const outcomes: ReconcileOutcome[] = [];
  const { logger, lines } = captureLogger();
  const reconciler: Reconciler = {
    reconcile: (key) => {
      calls.push(key);
      return reconcile(key);
    },
  };
  const runner = new ReconcileRunner({
    name: 'test',
    queue,
    reconciler,
    logger,
    workers,
    observer: { observe: (_c, outcome) => outcomes.push(outcome) },
  });
  return { clock, queue, runner, calls, outcomes, lines };
}

describe('ReconcileRunner', () => {
  it('reconciles an added key once and forgets its backoff on success', async () => {
    let fail = true;
    const h = harness(async () => {
      if (fail) throw new Error('api down');
    });
    h.runner.start();
    h.queue.add('ns/a');
    await flushPromises();
    expect(h.queue.numRequeues('ns/a')).toBe(1);
    fail = false;
    await h.clock.advance(5);
    expect(h.calls).toEqual(['ns/a', 'ns/a']);
    expect(h.queue.numRequeues('ns/a')).toBe(0);
    expect(h.outcomes).toEqual(['error', 'success']);
    await h.runner.stop();
  });

  it('retries a failing key with growing delays and logs each failure with the key', async () => {
    const h = harness(async () => {
      throw new Error('boom');
    });
    h.runner.start();
    h.queue.add('ns/a');
    await flushPromises();
    await h.clock.advance(4);
    expect(h.calls).toHaveLength(1);
    await h.clock.advance(1); // 5ms
    expect(h.calls).toHaveLength(2);
    await h.clock.advance(9);
    expect(h.calls).toHaveLength(2);
    await h.clock.advance(1); // +10ms
    expect(h.calls).toHaveLength(3);
    const errors = h.lines().filter((l) => l.level === 'error');
    expect(errors[0]).toMatchObject({ controller: 'test', key: 'ns/a', error: 'boom', retries: 0 });
    expect(errors[1]).toMatchObject({ retries: 1 });
    await h.runner.stop();
  });

  it('survives a reconciler that throws synchronously or rejects with a non-Error', async () => {
    const h = harness((key) => {
      if (key === 'sync') throw new TypeError('sync throw');
      return Promise.reject('a string');
    });
    h.runner.start();
    h.queue.add('sync');
    h.queue.add('str');
    await flushPromises();
    expect(h.outcomes).toEqual(['error', 'error']);
    expect(h.lines().map((l) => l.error)).toEqual(expect.arrayContaining(['sync throw', 'a string']));
    // The worker is still alive.
    h.queue.add('more');
    await flushPromises();
    expect(h.calls).toContain('more');
    await h.runner.stop();
  });

  it('requeueAfter reconciles the key again after that delay, not before', async () => {
    let n = 0;
    const h = harness(async () => (n++ === 0 ? { requeueAfter: 1000 } : undefined));
    h.runner.start();
    h.queue.add('a');
    await flushPromises();
    await h.clock.advance(999);
    expect(h.calls).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.calls).toHaveLength(2);
    expect(h.outcomes).toEqual(['requeue_after', 'success']);
    await h.runner.stop();
  });

  it('runs different keys in parallel on several workers but never one key twice at once', async () => {
    const releases = new Map<string, () => void>();
    let concurrent = 0;
    let maxConcurrent = 0;
    const h = harness(
      (key) =>
        new Promise<void>((resolve) => {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          releases.set(key, () => {
            concurrent--;
            resolve();
          });
        }),
      3,
    );
    h.runner.start();
    h.queue.add('a');
    h.queue.add('b');
    await flushPromises();
    h.queue.add('a'); // while 'a' runs
    await flushPromises();
    expect(h.calls.sort()).toEqual(['a', 'b']);
    releases.get('a')?.();
    await flushPromises();
    expect(h.calls.filter((k) => k === 'a')).toHaveLength(2);
    releases.get('a')?.();
    releases.get('b')?.();
    await h.runner.stop();
    expect(maxConcurrent).toBe(2);
  });

  it('stop lets queued keys drain and resolves when workers exit', async () => {
    const h = harness(async () => undefined);
    h.queue.add('a');
    h.queue.add('b');
    h.runner.start();
    await h.runner.stop();
    expect(h.calls).toEqual(['a', 'b']);
    h.queue.add('c');
    await flushPromises();
    expect(h.calls).toEqual(['a', 'b']);
  });

  it('keeps working when the observer throws', async () => {
    const clock = new FakeClock(0);
    const queue = new WorkQueue({ clock });
    const { logger, lines } = captureLogger();
    const runner = new ReconcileRunner({
      name: 'obs',
      queue,
      logger,
      reconciler: { reconcile: async () => undefined },
      observer: {
        observe: () => {
          throw new Error('metrics broke');
        },
      },
    });
    runner.start();
    queue.add('a');
    queue.add('b');
    await runner.stop();
    expect(lines().filter((l) => l.msg === 'reconcile observer failed')).toHaveLength(2);
  });

  it('rejects a non-positive worker count', () => {
    const clock = new FakeClock(0);
    expect(
      () =>
        new ReconcileRunner({
          name: 'x',
          queue: new WorkQueue({ clock }),
          logger: captureLogger().logger,
          reconciler: { reconcile: async () => undefined },
          workers: 0,
        }),
    ).toThrow(RangeError);
  });
});
