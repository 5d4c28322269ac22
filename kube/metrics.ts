// Prometheus metrics. Each process builds its own Registry (kube/prometheus: no global default registry, so
// tests and several components in one process never collide) with the standard process_* and nodejs_*
// metrics, the counterpart of the go_* and process_* metrics MetalLB exposes.
import { Counter } from './prometheus/counter';
import { Histogram } from './prometheus/histogram';
import { registerProcessMetrics } from './prometheus/process';
import { Registry } from './prometheus/registry';
import type { ReconcileObserver, ReconcileOutcome } from './reconciler';

export interface RegistryOptions {
  /** Labels on every metric, e.g. { node: "worker-1" }. */
  readonly defaultLabels?: Record<string, string>;
  /** Leave out process_* and nodejs_* metrics (tests that only look at their own). */
  readonly withoutDefaultMetrics?: boolean;
}

export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels(options.defaultLabels);
  if (options.withoutDefaultMetrics !== true) registerProcessMetrics(registry);
  return registry;
}

/** controller-runtime's result label values. */
const RESULT: Record<ReconcileOutcome, string> = {
  success: 'success',
  requeue_after: 'requeue_after',
  error: 'error',
};

/**
 * The reconcile metrics controller-runtime exposes, with its names, so dashboards built for MetalLB's
 * controllers keep working: controller_runtime_reconcile_total{controller,result},
 * controller_runtime_reconcile_errors_total{controller}, controller_runtime_reconcile_time_seconds{controller}.
 */
export function reconcileMetrics(registry: Registry): ReconcileObserver {
  const total = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [registry],
  });
  const time = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return {
    observe(controller, outcome, durationMs) {
      total.inc({ controller, result: RESULT[outcome] });
      if (outcome === 'error') errors.inc({ controller });
      time.observe({ controller }, durationMs / 1000);
    },
  };
}
