import { createRegistry, reconcileMetrics } from './metrics';

function value(
  registry: ReturnType<typeof createRegistry>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  // Histogram samples (_sum, _count, _bucket) sit in the histogram's family under their own names.
  const sample = registry
    .collect()
    .flatMap((family) => family.samples)
    .find((s) => {
      const has = new Map(s.labels);
      return s.name === name && Object.entries(labels).every(([k, l]) => has.get(k) === l);
    });
  return sample?.value;
}

describe('createRegistry', () => {
  it('gives each caller its own registry', () => {
    const a = createRegistry({ withoutDefaultMetrics: true });
    const b = createRegistry({ withoutDefaultMetrics: true });
    reconcileMetrics(a).observe('x', 'success', 1);
    expect(value(a, 'controller_runtime_reconcile_total', { controller: 'x' })).toBe(1);
    expect(b.collect()).toEqual([]);
  });

  it('adds default labels to every metric', () => {
    const registry = createRegistry({ withoutDefaultMetrics: true, defaultLabels: { node: 'worker-1' } });
    reconcileMetrics(registry).observe('x', 'success', 1);
    expect(value(registry, 'controller_runtime_reconcile_total', { node: 'worker-1', controller: 'x' })).toBe(
      1,
    );
  });
});

describe('reconcileMetrics', () => {
  it('counts results by controller-runtime label, errors separately, and durations in seconds', () => {
    const registry = createRegistry({ withoutDefaultMetrics: true });
    const observer = reconcileMetrics(registry);
    observer.observe('service', 'success', 10);
    observer.observe('service', 'requeue_after', 20);
    observer.observe('service', 'error', 30);
    observer.observe('service', 'error', 40);
    expect(
      value(registry, 'controller_runtime_reconcile_total', {
        controller: 'service',
        result: 'success',
      }),
    ).toBe(1);
    expect(
      value(registry, 'controller_runtime_reconcile_total', { controller: 'service', result: 'error' }),
    ).toBe(2);
    expect(value(registry, 'controller_runtime_reconcile_errors_total', { controller: 'service' })).toBe(2);
    expect(
      value(registry, 'controller_runtime_reconcile_time_seconds_sum', { controller: 'service' }),
    ).toBeCloseTo(0.1);
  });
});
