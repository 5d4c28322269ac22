import { FakeClock, flushPromises } from '../testkit/fakeclock';
import { ItemExponentialRateLimiter } from './ratelimit';
import { WorkQueue } from './workqueue';

function newQueue(clock = new FakeClock(0)): { queue: WorkQueue; clock: FakeClock } {
  const queue = new WorkQueue({
    clock,
    rateLimiter: new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 1000 }),
  });
  return { queue, clock };
}

/** Takes every key that is ready right now without waiting. */
async function drainReady(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.len() > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    keys.push(key);
  }
  return keys;
}

describe('WorkQueue', () => {
  it('hands keys out in FIFO order', async () => {
    const { queue } = newQueue();
    queue.add('a');
    queue.add('b');
    queue.add('c');
    expect(await drainReady(queue)).toEqual(['a', 'b', 'c']);
  });

  it('coalesces repeated adds of a queued key', async () => {
    const { queue } = newQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(2);
    expect(await drainReady(queue)).toEqual(['a', 'b']);
  });

  it('does not hand out a key that is being processed; re-queues it after done', async () => {
    const { queue } = newQueue();
    queue.add('a');
    const first = await queue.get();
    expect(first).toBe('a');
    queue.add('a'); // an event arrives while 'a' is reconciled
    expect(queue.len()).toBe(0);
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await flushPromises();
    expect(second).toBeUndefined();
    queue.done('a');
    await flushPromises();
    expect(second).toBe('a');
  });

  it('re-queues a key once however many times it was re-added while processing', async () => {
    const { queue } = newQueue();
    queue.add('a');
    await queue.get();
    queue.add('a');
    queue.add('a');
    queue.done('a');
    expect(queue.len()).toBe(1);
  });

  it('wakes a waiting get when a key is added', async () => {
    const { queue } = newQueue();
    const got = queue.get();
    queue.add('x');
    expect(await got).toBe('x');
  });

  it('addAfter delivers the key only when the delay has passed', async () => {
    const { queue, clock } = newQueue();
    queue.addAfter('a', 100);
    await clock.advance(99);
    expect(queue.len()).toBe(0);
    await clock.advance(1);
    expect(queue.len()).toBe(1);
  });

  it('addAfter keeps the earliest deadline for a key', async () => {
    const { queue, clock } = newQueue();
    queue.addAfter('a', 100);
    queue.addAfter('a', 10);
    queue.addAfter('a', 500);
    await clock.advance(10);
    expect(await drainReady(queue)).toEqual(['a']);
    await clock.advance(1000);
    expect(queue.len()).toBe(0); // the later deadlines were folded into the first
  });

  it('addAfter with no delay adds at once', () => {
    const { queue } = newQueue();
    queue.addAfter('a', 0);
    expect(queue.len()).toBe(1);
  });

  it('addRateLimited backs off exponentially per key until forget', async () => {
    const { queue, clock } = newQueue();
    const readyAfter = async (key: string): Promise<number> => {
      const start = clock.now();
      queue.addRateLimited(key);
      while (queue.len() === 0) await clock.advance(1);
      const got = await queue.get();
      if (got !== undefined) queue.done(got);
      return clock.now() - start;
    };
    expect(await readyAfter('a')).toBe(5);
    expect(await readyAfter('a')).toBe(10);
    expect(await readyAfter('a')).toBe(20);
    expect(queue.numRequeues('a')).toBe(3);
    queue.forget('a');
    expect(await readyAfter('a')).toBe(5);
  });

  it('after shutDown, ignores adds but still hands out what was queued, then undefined', async () => {
    const { queue } = newQueue();
    queue.add('a');
    queue.add('b');
    queue.shutDown();
    queue.add('c');
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(await queue.get()).toBeUndefined();
  });

  it('shutDown drops delayed adds and releases waiting getters', async () => {
    const { queue, clock } = newQueue();
    queue.addAfter('late', 50);
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    await clock.advance(100);
    expect(queue.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('shutDownWithDrain resolves only after queued and in-flight keys are done', async () => {
    const { queue } = newQueue();
    queue.add('a');
    queue.add('b');
    const inFlight = await queue.get();
    let drained = false;
    void queue.shutDownWithDrain().then(() => (drained = true));
    await flushPromises();
    expect(drained).toBe(false);
    if (inFlight !== undefined) queue.done(inFlight);
    await flushPromises();
    expect(drained).toBe(false); // 'b' is still queued
    const next = await queue.get();
    expect(next).toBe('b');
    if (next !== undefined) queue.done(next);
    await flushPromises();
    expect(drained).toBe(true);
  });

  it('a key re-added before shutdown while processing is still handed out in the drain', async () => {
    const { queue } = newQueue();
    queue.add('a');
    await queue.get();
    queue.add('a');
    queue.shutDown();
    queue.done('a');
    expect(await queue.get()).toBe('a');
  });

  it('never gives one key to two concurrent getters (many keys, many adds)', async () => {
    const { queue } = newQueue();
    const running = new Set<string>();
    let overlap = false;
    let processed = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        if (running.has(key)) overlap = true;
        running.add(key);
        await flushPromises();
        if (processed % 3 === 0) queue.add(key); // re-add while processing
        running.delete(key);
        processed++;
        queue.done(key);
      }
    };
    for (let i = 0; i < 200; i++) queue.add(`k${i % 7}`);
    const workers = [worker(), worker(), worker(), worker()];
    await flushPromises();
    for (let i = 0; i < 50; i++) queue.add(`k${i % 7}`);
    await queue.shutDownWithDrain();
    await Promise.all(workers);
    expect(overlap).toBe(false);
    expect(processed).toBeGreaterThanOrEqual(7);
  });
});
