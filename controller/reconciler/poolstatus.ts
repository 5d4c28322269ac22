// IPAddressPool status and the per-pool gauges (upstream PoolStatusReconciler,
// internal/k8s/controllers/pool_status_controller.go): one key per pool name. The gauges follow the
// allocator after every pass; a pool whose counts changed is queued, and its reconcile writes what the
// allocator says at that moment, so a burst of allocations ends in one write with the latest counts.
import type { Logger } from '../../kube/log';
import type { Reconciler } from '../../kube/reconciler';
import type { ControllerMetrics } from './metrics';
import type { PoolStatusWriter } from './statuswriters';
import { IpamState } from './state';

export interface PoolStatusReconcilerOptions {
  readonly state: IpamState;
  /** The MetalLB namespace, where the pools live. */
  readonly namespace: string;
  readonly writer: PoolStatusWriter;
  /** Queue a pool name now (coalesced with any pending add). */
  readonly enqueue: (pool: string) => void;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
}

export class PoolStatusReconciler implements Reconciler {
  /** The counts last published per pool, as text. */
  private readonly published = new Map<string, string>();

  constructor(private readonly options: PoolStatusReconcilerOptions) {}

  /** Updates the gauges of every pool whose counts changed and queues its status write. */
  countsChanged(): void {
    const { state, metrics } = this.options;
    const config = state.config;
    if (!config) return;
    for (const name of [...this.published.keys()]) {
      if (config.pools.has(name)) continue;
      this.published.delete(name);
      metrics?.removePool(name);
    }
    for (const name of config.pools.keys()) {
      const counts = state.allocator.counts(name);
      if (!counts) continue;
      const text = JSON.stringify(counts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      if (this.published.get(name) === text) continue;
      this.published.set(name, text);
      metrics?.setPool(name, counts);
      if (state.statusPools.has(name)) this.options.enqueue(name);
    }
  }

  async reconcile(pool: string): Promise<void> {
    const { state } = this.options;
    // A pool deleted since, or a legacy AddressPool: nothing to write.
    if (!state.statusPools.has(pool) || !state.config?.pools.has(pool)) return;
    const counts = state.allocator.counts(pool);
    if (!counts) return;
    await this.options.writer.writePoolStatus(this.options.namespace, pool, counts);
    this.options.logger.debug('pool status written', { pool });
  }
}
