import { createRegistry, reconcileMetrics } from './metrics';

async function value(
  registry: ReturnType<typeof createRegistry>,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  // Histogram samples (_sum, _count, _bucket) sit under the histogram's name with their own metricName.
  const samples = (await registry.getMetricsAsJSON()).flatMap((m) =>
    m.values.map((v) => ({
      ...v,
      name: 'metricName' in v && typeof v.metricName === 'string' ? v.metricName : m.name,
    })),
  );
  const sample = samples.find(
    (v) => v.name === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return sample?.value;
}

describe('createRegistry', () => {
  it('gives each caller its own registry', async () => {
    const a = createRegistry({ withoutDefaultMetrics: true });
    const b = createRegistry({ withoutDefaultMetrics: true });
    reconcileMetrics(a).observe('x', 'success', 1);
    expect(await value(a, 'controller_runtime_reconcile_total', { controller: 'x' })).toBe(1);
    expect(await b.getMetricsAsJSON()).toEqual([]);
  });

  it('adds default labels to every metric', async () => {
    const registry = createRegistry({ withoutDefaultMetrics: true, defaultLabels: { node: 'worker-1' } });
    reconcileMetrics(registry).observe('x', 'success', 1);
    expect(
      await value(registry, 'controller_runtime_reconcile_total', { node: 'worker-1', controller: 'x' }),
    ).toBe(1);
  });
});

describe('reconcileMetrics', () => {
  it('counts results by controller-runtime label, errors separately, and durations in seconds', async () => {
    const registry = createRegistry({ withoutDefaultMetrics: true });
    const observer = reconcileMetrics(registry);
    observer.observe('service', 'success', 10);
    observer.observe('service', 'requeue_after', 20);
    observer.observe('service', 'error', 30);
    observer.observe('service', 'error', 40);
    expect(
      await value(registry, 'controller_runtime_reconcile_total', {
        controller: 'service',
        result: 'success',
      }),
    ).toBe(1);
    expect(
      await value(registry, 'controller_runtime_reconcile_total', { controller: 'service', result: 'error' }),
    ).toBe(2);
    expect(
      await value(registry, 'controller_runtime_reconcile_errors_total', { controller: 'service' }),
    ).toBe(2);
    expect(
      await value(registry, 'controller_runtime_reconcile_time_seconds_sum', { controller: 'service' }),
    ).toBeCloseTo(0.1);
  });
});
