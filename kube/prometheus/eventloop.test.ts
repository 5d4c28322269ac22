import { registerEventLoopMetrics } from './eventloop';
import { Registry } from './registry';
import { sampleValue as sample } from '../../testkit/metricstext';

describe('event-loop and GC metrics', () => {
  it('records event-loop delay between scrapes and every garbage collection by kind', async () => {
    const registry = new Registry();
    registerEventLoopMetrics(registry);
    await new Promise((resolve) => setTimeout(resolve, 30)); // let the delay histogram take samples
    const until = Date.now() + 60;
    while (Date.now() < until); // block the loop for 60 ms
    // The monitor's timer records the delay when it finally runs, after the block.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const text = await registry.metrics();
    expect(sample(text, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThan(0.04);
    expect(sample(text, 'nodejs_eventloop_lag_p50_seconds')).toBeGreaterThan(0);
    // Allocate until a young-generation collection has been reported (the new space's size varies with
    // what the worker ran before); entries reach the observer asynchronously.
    const minor = /nodejs_gc_duration_seconds_count\{kind="minor"\} [1-9]/;
    let garbage: number[][] = [];
    const deadline = Date.now() + 5000;
    while (!minor.test(await registry.metrics()) && Date.now() < deadline) {
      for (let i = 0; i < 5_000; i++) garbage.push(new Array<number>(64).fill(i));
      garbage = [];
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await registry.metrics()).toMatch(minor);
    // The lag of the scrape's own setImmediate shows from the next scrape on.
    await new Promise((resolve) => setImmediate(resolve));
    expect(sample(await registry.metrics(), 'nodejs_eventloop_lag_seconds')).toBeGreaterThan(0);
  });
});
