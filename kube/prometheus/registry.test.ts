import { Counter } from './counter';
import { Gauge } from './gauge';
import { Histogram } from './histogram';
import { Registry } from './registry';

describe('Registry scrape body', () => {
  it('matches the golden text: zero for an unlabelled counter, nothing for an unused labelled one, escaping, declared label order', async () => {
    const registry = new Registry();
    new Counter({ name: 'plain_total', help: 'a \\ and a\nline feed', registers: [registry] });
    new Counter({
      name: 'unused_total',
      help: 'labelled, never used',
      labelNames: ['x'],
      registers: [registry],
    });
    const c = new Counter({
      name: 'c_total',
      help: 'labelled',
      labelNames: ['b', 'a'] as const,
      registers: [registry],
    });
    const g = new Gauge({ name: 'g', help: 'gauge', labelNames: ['ip'] as const, registers: [registry] });
    // Labels given in another order than declared are still written in the declared order.
    c.inc({ a: 'q"\n', b: 'x\\y' });
    c.inc({ b: '2', a: '1' }, 2.5);
    c.inc({ b: 'x\\y', a: 'q"\n' }, 0);
    g.set({ ip: '192.0.2.1' }, 2 ** 63);
    g.set({ ip: '2001:db8::1' }, 0.25);
    g.inc({ ip: '2001:db8::1' });
    g.dec({ ip: '2001:db8::1' }, 0.5);
    g.set({ ip: '192.0.2.9' }, -1);
    g.remove({ ip: '192.0.2.9' });
    expect(await registry.metrics()).toBe(
      [
        '# HELP plain_total a \\\\ and a\\nline feed',
        '# TYPE plain_total counter',
        'plain_total 0',
        '',
        '# HELP unused_total labelled, never used',
        '# TYPE unused_total counter',
        '',
        '# HELP c_total labelled',
        '# TYPE c_total counter',
        'c_total{b="x\\\\y",a="q\\"\\n"} 1',
        'c_total{b="2",a="1"} 2.5',
        '',
        '# HELP g gauge',
        '# TYPE g gauge',
        'g{ip="192.0.2.1"} 9223372036854776000',
        'g{ip="2001:db8::1"} 0.75',
        '',
      ].join('\n'),
    );
    expect(registry.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('matches the golden text for histograms: cumulative buckets, +Inf, _sum, _count, le after the labels', async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: 'h_seconds',
      help: 'hist',
      labelNames: ['c'] as const,
      buckets: [0.1, 1, 2.5],
      registers: [registry],
    });
    new Histogram({ name: 'empty_seconds', help: 'unlabelled', buckets: [1], registers: [registry] });
    h.observe({ c: 'a' }, 0.05);
    h.observe({ c: 'a' }, 1); // a bound is inclusive: le="1" counts it
    h.observe({ c: 'a' }, 7);
    h.labels({ c: 'b' }).observe(2);
    expect(await registry.metrics()).toBe(
      [
        '# HELP h_seconds hist',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{c="a",le="0.1"} 1',
        'h_seconds_bucket{c="a",le="1"} 2',
        'h_seconds_bucket{c="a",le="2.5"} 2',
        'h_seconds_bucket{c="a",le="+Inf"} 3',
        'h_seconds_sum{c="a"} 8.05',
        'h_seconds_count{c="a"} 3',
        'h_seconds_bucket{c="b",le="0.1"} 0',
        'h_seconds_bucket{c="b",le="1"} 0',
        'h_seconds_bucket{c="b",le="2.5"} 1',
        'h_seconds_bucket{c="b",le="+Inf"} 1',
        'h_seconds_sum{c="b"} 2',
        'h_seconds_count{c="b"} 1',
        '',
        '# HELP empty_seconds unlabelled',
        '# TYPE empty_seconds histogram',
        'empty_seconds_bucket{le="1"} 0',
        'empty_seconds_bucket{le="+Inf"} 0',
        'empty_seconds_sum 0',
        'empty_seconds_count 0',
        '',
      ].join('\n'),
    );
  });

  it('adds default labels after the metric own, and before le; a metric label of the same name wins', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ node: 'w"1', zone: 'z' });
    const g = new Gauge({ name: 'g', help: 'g', labelNames: ['zone'] as const, registers: [registry] });
    const h = new Histogram({ name: 'h', help: 'h', buckets: [1], registers: [registry] });
    g.set({ zone: 'own' }, 1);
    h.observe(0.5);
    const lines = (await registry.metrics()).split('\n').filter((l) => !l.startsWith('#') && l !== '');
    expect(lines).toEqual([
      'g{zone="own",node="w\\"1"} 1',
      'h_bucket{node="w\\"1",zone="z",le="1"} 1',
      'h_bucket{node="w\\"1",zone="z",le="+Inf"} 1',
      'h_sum{node="w\\"1",zone="z"} 0.5',
      'h_count{node="w\\"1",zone="z"} 1',
    ]);
  });

  it('lists series in the order they first appeared; a removed series comes back at the end, from zero', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'c_total', help: 'c', labelNames: ['k'] as const, registers: [registry] });
    c.inc({ k: 'b' }, 5);
    c.inc({ k: 'a' });
    c.remove({ k: 'b' });
    c.inc({ k: 'b' });
    expect((await registry.metrics()).split('\n').filter((l) => l.startsWith('c_total'))).toEqual([
      'c_total{k="a"} 1',
      'c_total{k="b"} 1',
    ]);
  });

  it('reset drops every labelled series and takes an unlabelled one back to 0', async () => {
    const registry = new Registry();
    const labelled = new Gauge({ name: 'l', help: 'l', labelNames: ['k'] as const, registers: [registry] });
    const plain = new Counter({ name: 'p_total', help: 'p', registers: [registry] });
    labelled.set({ k: 'x' }, 1);
    plain.inc(3);
    labelled.reset();
    plain.reset();
    const text = await registry.metrics();
    expect(text).not.toContain('l{');
    expect(text).toContain('p_total 0');
  });

  it('runs collect callbacks at every scrape, in registration order, so one can set the metrics after it', async () => {
    const registry = new Registry();
    let reading = 1;
    new Gauge({
      name: 'first',
      help: 'f',
      registers: [registry],
      collect() {
        this.set(reading);
        second.set(reading * 10);
      },
    });
    const second = new Gauge({ name: 'second', help: 's', registers: [registry] });
    expect(await registry.metrics()).toContain('first 1\n\n# HELP second s\n# TYPE second gauge\nsecond 10');
    reading = 2;
    expect(await registry.metrics()).toContain('second 20');
  });

  it('keeps each registry to itself and finds a metric by name', async () => {
    const a = new Registry();
    const b = new Registry();
    const g = new Gauge({ name: 'only_in_a', help: 'a', registers: [a] });
    expect(a.getSingleMetric('only_in_a')).toBe(g);
    expect(b.getSingleMetric('only_in_a')).toBeUndefined();
    expect(await b.metrics()).toBe('\n');
  });
});

describe('metric misuse fails loudly', () => {
  it('refuses a second metric under a registered name', () => {
    const registry = new Registry();
    new Gauge({ name: 'x', help: 'x', registers: [registry] });
    expect(() => new Counter({ name: 'x', help: 'x', registers: [registry] })).toThrow(/already registered/);
  });

  it('refuses invalid names, a reserved le label, unordered buckets and an empty help', () => {
    expect(() => new Gauge({ name: '1x', help: 'x' })).toThrow(/invalid metric name/);
    expect(() => new Gauge({ name: 'x', help: 'x', labelNames: ['__x'] })).toThrow(/invalid label name/);
    expect(() => new Gauge({ name: 'x', help: 'x', labelNames: ['a-b'] })).toThrow(/invalid label name/);
    expect(() => new Histogram({ name: 'x', help: 'x', labelNames: ['le'] })).toThrow(/invalid label name/);
    expect(() => new Histogram({ name: 'x', help: 'x', buckets: [1, 1] })).toThrow(/strictly increasing/);
    expect(() => new Gauge({ name: 'x', help: '' })).toThrow(/no help/);
    expect(() => new Registry().setDefaultLabels({ 'a b': 'x' })).toThrow(/invalid default label/);
  });

  it('refuses labels that do not match the declared names, and a counter going down', () => {
    const c = new Counter({ name: 'c_total', help: 'c', labelNames: ['a', 'b'] as const });
    expect(() => c.inc({ a: '1' } as unknown as { a: string; b: string })).toThrow(/do not match/);
    expect(() => c.inc({ a: '1', b: '2', z: '3' } as { a: string; b: string })).toThrow(/do not match/);
    expect(() => c.inc()).toThrow(/needs labels a, b/);
    expect(() => c.inc({ a: '1', b: '2' }, -1)).toThrow(/only go up/);
    expect(() => new Histogram({ name: 'h', help: 'h' }).observe(NaN)).toThrow(/cannot observe/);
  });
});
