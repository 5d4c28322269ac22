// MetalLB's controller metrics, with its names and labels (upstream internal/allocator/stats.go, controller/main.go), so dashboards and alerts
// written for MetalLB keep working.
import { Counter } from '../../kube/prometheus/counter';
import { Gauge } from '../../kube/prometheus/gauge';
import type { Registry } from '../../kube/prometheus/registry';
import { PoolCounts } from '../allocator/poolspace';

export interface ControllerMetrics {
  /** Sets every allocator gauge of one pool. */
  setPool(pool: string, counts: PoolCounts): void;
  /** Drops the series of a pool that no longer exists. */
  removePool(pool: string): void;
  update(): void;
  updateError(): void;
  configLoaded(loaded: boolean): void;
  configStale(stale: boolean): void;
}

/** Gauges are float64: MaxInt64 (a huge IPv6 pool) becomes 9.223372036854776e18, as in Go. */
const num = (v: bigint): number => Number(v);

export function controllerMetrics(registry: Registry): ControllerMetrics {
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['pool'] as const, registers: [registry] });
  const total = gauge('metallb_allocator_addresses_total', 'Number of usable IP addresses, per pool');
  const totalV4 = gauge(
    'metallb_allocator_ipv4_addresses_total',
    'Number of usable IPv4 addresses, per pool',
  );
  const totalV6 = gauge(
    'metallb_allocator_ipv6_addresses_total',
    'Number of usable IPv6 addresses, per pool',
  );
  const inUse = gauge('metallb_allocator_addresses_in_use_total', 'Number of IP addresses in use, per pool');
  const inUseV4 = gauge(
    'metallb_allocator_ipv4_addresses_in_use_total',
    'Number of IPv4 addresses in use, per pool',
  );
  const inUseV6 = gauge(
    'metallb_allocator_ipv6_addresses_in_use_total',
    'Number of IPv6 addresses in use, per pool',
  );
  // Registered and never set, exactly as upstream (internal/allocator/stats.go registers metallb_allocator_services_allocated_total and never updates it).
  gauge('metallb_allocator_services_allocated_total', 'Number of services allocated, per pool');
  const updates = new Counter({
    name: 'metallb_k8s_client_updates_total',
    help: 'Number of k8s object updates that have been processed.',
    registers: [registry],
  });
  const updateErrors = new Counter({
    name: 'metallb_k8s_client_update_errors_total',
    help: 'Number of k8s object updates that failed for some reason.',
    registers: [registry],
  });
  const loaded = new Gauge({
    name: 'metallb_k8s_client_config_loaded_bool',
    help: '1 if the MetalLB configuration was successfully loaded at least once.',
    registers: [registry],
  });
  const stale = new Gauge({
    name: 'metallb_k8s_client_config_stale_bool',
    help: '1 if running on a stale configuration, because the latest config failed to load.',
    registers: [registry],
  });
  loaded.set(0);
  stale.set(0);
  const all = [total, totalV4, totalV6, inUse, inUseV4, inUseV6];
  return {
    setPool(pool, c) {
      totalV4.set({ pool }, num(c.totalIPv4));
      totalV6.set({ pool }, num(c.totalIPv6));
      total.set({ pool }, num(c.totalIPv4) + num(c.totalIPv6));
      inUseV4.set({ pool }, num(c.assignedIPv4));
      inUseV6.set({ pool }, num(c.assignedIPv6));
      inUse.set({ pool }, num(c.assignedIPv4 + c.assignedIPv6));
    },
    removePool(pool) {
      for (const g of all) g.remove({ pool });
    },
    update: () => updates.inc(),
    updateError: () => updateErrors.inc(),
    configLoaded: (v) => loaded.set(v ? 1 : 0),
    configStale: (v) => stale.set(v ? 1 : 0),
  };
}
