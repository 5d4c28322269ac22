// The pool reconciler (upstream PoolReconciler, internal/k8s/controllers/pool_controller.go, feeding
// controller/main.go SetPools): builds the configuration from the cached config objects and hands the pools
// to the allocator. One configuration, so one key. A build that leaves the pools as the allocator already
// has them (a Namespace relabelled that no pool selects, an advertisement edited) changes nothing and
// re-examines no Service, as upstream's SetPools returns early when the pools are deep-equal.
import type { Logger } from '../../kube/log';
import { compareText } from '../../config/errors';
import type { ClusterResources } from '../../config/resources';
import type { Config } from '../../config/types';
import type { ReconcileResult, Reconciler } from '../../kube/reconciler';
import { toAllocatorPool } from '../allocator/configpools';
import type { ControllerMetrics } from './metrics';
import type { ServiceReconciler } from './services';
import { ConfigBuilder, IpamState, Serial } from './state';

/** The single key of the pool reconciler's queue. */
export const POOLS_KEY = 'pools';

/** Transient config errors (a Secret not there yet) are retried after this long. */
const TRANSIENT_RETRY_MS = 10_000;

export interface PoolReconcilerOptions {
  readonly state: IpamState;
  readonly serial: Serial;
  /** The config objects as currently cached. */
  readonly configResources: () => ClusterResources;
  readonly build: ConfigBuilder;
  readonly services: ServiceReconciler;
  /** The build's errors, empty when valid: what the ConfigurationState reports. */
  readonly reportConfigState: (errors: readonly string[]) => void;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
}

export class PoolReconciler implements Reconciler {
  private applied: string | undefined;
  private readonly log: Logger;

  constructor(private readonly options: PoolReconcilerOptions) {
    this.log = options.logger.child({ controller: 'pools' });
  }

  reconcile(): Promise<ReconcileResult | void> {
    return this.options.serial.run(() => this.reconcilePools());
  }

  private async reconcilePools(): Promise<ReconcileResult | void> {
    const { metrics, state } = this.options;
    const resources = this.options.configResources();
    const result = this.options.build(resources);
    metrics?.update();
    if (!result.ok) {
      const errors = result.errors.map((e) => e.message);
      this.log.error('invalid configuration, keeping the last valid one', { errors });
      metrics?.updateError();
      metrics?.configStale(true);
      this.options.reportConfigState(errors);
      return result.errors.some((e) => e.transient) ? { requeueAfter: TRANSIENT_RETRY_MS } : undefined;
    }
    const config = result.config;
    state.statusPools = new Set(namesOf(resources.ipAddressPools));
    metrics?.configLoaded(true);
    metrics?.configStale(false);
    this.options.reportConfigState([]);
    const fingerprint = poolsFingerprint(config);
    if (state.config !== undefined && fingerprint === this.applied) {
      this.log.debug('pools unchanged, no service to reprocess');
      state.config = config;
      return undefined;
    }
    const dropped = state.allocator.setPools([...config.pools.values()].map(toAllocatorPool));
    for (const key of dropped)
      this.log.info('addresses no longer in any pool, service will be re-allocated', { service: key });
    state.config = config;
    this.applied = fingerprint;
    this.log.info('configuration loaded', { pools: [...config.pools.keys()] });
    await this.options.services.reprocessAll();
    return undefined;
  }
}

/**
 * Everything of the pools that allocation reads, as text: names, CIDRs, autoAssign, avoidBuggyIPs and the
 * serviceAllocation (priority, the namespaces resolved at build time, the service selectors). Not the
 * advertisements: they decide announcing, which is the speaker's business.
 */
export function poolsFingerprint(config: Config): string {
  const pools = [...config.pools.values()].map((p) => ({
    name: p.name,
    cidrs: p.cidrs.map((c) => `${c.family}/${c.base.toString(16)}/${c.prefix}`),
    autoAssign: p.autoAssign,
    avoidBuggyIPs: p.avoidBuggyIPs,
    serviceAllocation: p.serviceAllocation
      ? {
          priority: p.serviceAllocation.priority,
          namespaces: p.serviceAllocation.namespaces
            ? [...p.serviceAllocation.namespaces].sort(compareText)
            : null,
          serviceSelectors: p.serviceAllocation.serviceSelectors,
        }
      : null,
  }));
  return JSON.stringify(pools);
}

function namesOf(objects: readonly unknown[] | undefined): string[] {
  const out: string[] = [];
  for (const obj of objects ?? []) {
    if (typeof obj !== 'object' || obj === null) continue;
    const meta: unknown = Reflect.get(obj, 'metadata');
    if (typeof meta !== 'object' || meta === null) continue;
    const name: unknown = Reflect.get(meta, 'name');
    if (typeof name === 'string') out.push(name);
  }
  return out;
}
