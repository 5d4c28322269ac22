// Node's event-loop delay and garbage-collection metrics, under prom-client's names (nodejs_eventloop_lag_*,
// nodejs_gc_duration_seconds). Unlike the other process metrics these watch the process between scrapes:
// perf_hooks' event-loop delay histogram samples every 10 ms (prom-client's default precision), and a
// PerformanceObserver is told of every collection. That watch costs about 0.6 MiB of RSS (measured in the
// compiled speaker, mostly the delay histogram), so only the controller and the operator register these; the
// speaker, held to 80 MiB on every node, leaves them out (speaker/main.test.ts keeps this module out of its
// graph).
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge } from './gauge';
import { Histogram } from './histogram';
import type { MetricRegistry } from './metric';

const RESOLUTION_MS = 10;
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];
const GC_KINDS = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

function eventLoopMetrics(registers: readonly MetricRegistry[]): void {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  // Each scrape reads the delays since the previous one (the histogram is reset after reading), and
  // nodejs_eventloop_lag_seconds is the wait of one setImmediate from this scrape, seen at the next.
  const lag: Gauge = new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    registers,
    collect() {
      const start = process.hrtime.bigint();
      setImmediate(() => lag.set(Number(process.hrtime.bigint() - start) / 1e9));
      for (const [gauge, nanoseconds] of read()) gauge.set(nanoseconds / 1e9);
      delay.reset();
    },
  });
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `nodejs_eventloop_lag_${name}_seconds`, help, registers });
  const figures: [Gauge, () => number][] = [
    [gauge('min', 'The minimum recorded event loop delay.'), () => delay.min],
    [gauge('max', 'The maximum recorded event loop delay.'), () => delay.max],
    [gauge('mean', 'The mean of the recorded event loop delays.'), () => delay.mean],
    [gauge('stddev', 'The standard deviation of the recorded event loop delays.'), () => delay.stddev],
    [gauge('p50', 'The 50th percentile of the recorded event loop delays.'), () => delay.percentile(50)],
    [gauge('p90', 'The 90th percentile of the recorded event loop delays.'), () => delay.percentile(90)],
    [gauge('p99', 'The 99th percentile of the recorded event loop delays.'), () => delay.percentile(99)],
  ];
  // Before any sample the histogram's min is 2^63 - 1 and its mean NaN: those read as 0.
  const read = (): [Gauge, number][] => figures.map(([g, figure]) => [g, delay.count === 0 ? 0 : figure()]);
}

/** A gc entry's kind, in `detail.kind` since Node 16. */
function gcKindOf(entry: object): number {
  const detail: unknown = 'detail' in entry ? entry.detail : undefined;
  return typeof detail === 'object' && detail !== null && 'kind' in detail && typeof detail.kind === 'number'
    ? detail.kind
    : -1;
}

function gcMetrics(registers: readonly MetricRegistry[]): void {
  const duration = new Histogram({
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'] as const,
    buckets: GC_BUCKETS,
    registers,
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS.get(gcKindOf(entry));
      if (kind !== undefined) duration.observe({ kind }, entry.duration / 1000);
    }
  }).observe({ entryTypes: ['gc'] });
}

/** Starts watching the event loop and the collector, and registers their metrics with `registry`. */
export function registerEventLoopMetrics(registry: MetricRegistry): void {
  const registers = [registry];
  eventLoopMetrics(registers);
  gcMetrics(registers);
}
