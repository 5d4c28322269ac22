// The IPAM reconciler: one serialized loop (a single-worker queue, like upstream's one mutex) over three
// kinds of key: a Service ("ns/name"), the configuration (CONFIG_KEY) and the status reports. It is
// level-triggered: each pass reads the caches, converges, and writes only what differs.
//
// Start-up order matters (reference section 3.4): the allocator starts empty, so nothing is handed out
// until the configuration is loaded, then every Service's existing ingress is re-claimed before any
// Service is served; otherwise a new Service could take an address an existing one still announces.
import type { Logger } from 'winston';
import { toAllocatorPool } from '../allocator/configpools';
import type { ClusterResources } from '../../config/resources';
import type { BuildResult, Config } from '../../config/types';
import { compareText } from '../../config/errors';
import { describeError } from '../../kube/errors';
import type { EventType } from '../../kube/events';
import type { KubeObject } from '../../kube/object';
import type { ReconcileResult, Reconciler } from '../../kube/reconciler';
import { Allocator } from '../allocator/allocator';
import { parseIP } from '../../addr/ip';
import { ALLOCATED_FROM_POOL } from '../../api/serviceannotations';
import { converge } from '../service/converge';
import { claimOf } from '../service/request';
import { Service, ingressIPs, isHandledClass, serviceKey } from '../../api/service';
import { planWrites } from '../service/writes';
import type { ControllerMetrics } from './metrics';
import type { ServiceWriter } from './serviceapi';
import type { ConfigStateWriter, PoolStatusWriter } from './statuswriters';

export const CONFIG_KEY = '~config';
export const POOL_STATUS_KEY = '~poolstatus';
export const CONFIG_STATE_KEY = '~configstate';

/** Transient config errors (a Secret not there yet) are retried after this long. */
const TRANSIENT_RETRY_MS = 10_000;

export interface ServiceCache {
  get(key: string): Service | undefined;
  list(): readonly Service[];
}

export interface Recorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export type ConfigBuilder = (resources: ClusterResources) => BuildResult;

export interface IpamOptions {
  /** The MetalLB namespace: where pools and the ConfigurationState live. */
  readonly namespace: string;
  /** --lb-class; '' handles only Services without a loadBalancerClass. */
  readonly lbClass: string;
  readonly services: ServiceCache;
  /** The config objects as currently cached. */
  readonly configResources: () => ClusterResources;
  readonly build: ConfigBuilder;
  readonly writer: ServiceWriter;
  readonly recorder: Recorder;
  readonly logger: Logger;
  /** Queue a key now (coalesced with any pending add). */
  readonly enqueue: (key: string) => void;
  readonly metrics?: ControllerMetrics;
  readonly poolStatus?: PoolStatusWriter;
  readonly configState?: ConfigStateWriter;
}

/** What we last wrote to a Service, until the cache shows a newer version of it. */
interface Written {
  readonly resourceVersion: string | undefined;
  readonly ingress: readonly string[];
  readonly pool: string | undefined;
}

export class IpamReconciler implements Reconciler {
  readonly allocator = new Allocator();
  private config: Config | undefined;
  private synced = false;
  private readonly written = new Map<string, Written>();
  private readonly published = new Map<string, string>();
  private readonly dirtyPools = new Set<string>();
  /** Pools backed by an IPAddressPool object (legacy AddressPools have no status to write). */
  private statusPools = new Set<string>();
  private pendingConfigState: string[] | undefined;
  private lastConfigErrors: string[] | undefined;
  private readonly log: Logger;

  constructor(private readonly options: IpamOptions) {
    this.log = options.logger.child({ controller: 'ipam' });
  }

  /** True once the allocator holds every existing assignment and Services are being served. */
  isSynced(): boolean {
    return this.synced;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    switch (key) {
      case CONFIG_KEY:
        return this.reconcileConfig();
      case POOL_STATUS_KEY:
        return this.writePoolStatuses();
      case CONFIG_STATE_KEY:
        return this.writeConfigState();
      default:
        return this.reconcileService(key);
    }
  }

  private async reconcileConfig(): Promise<ReconcileResult | void> {
    const { metrics } = this.options;
    const resources = this.options.configResources();
    const result = this.options.build(resources);
    metrics?.update();
    if (!result.ok) {
      const errors = result.errors.map((e) => e.message);
      this.log.error('invalid configuration, keeping the last valid one', { errors });
      metrics?.updateError();
      metrics?.configStale(true);
      this.reportConfigState(errors);
      return result.errors.some((e) => e.transient) ? { requeueAfter: TRANSIENT_RETRY_MS } : undefined;
    }
    const config = result.config;
    const dropped = this.allocator.setPools([...config.pools.values()].map(toAllocatorPool));
    for (const key of dropped)
      this.log.info('addresses no longer in any pool, service will be re-allocated', { service: key });
    this.config = config;
    this.statusPools = new Set(namesOf(resources.ipAddressPools));
    metrics?.configLoaded(true);
    metrics?.configStale(false);
    this.reportConfigState([]);
    this.log.info('configuration loaded', { pools: [...config.pools.keys()] });
    await this.reprocessAll();
    return undefined;
  }

  /**
   * Every Service, in two phases: first re-claim the addresses Services already show (most addresses
   * first, as upstream sorts), so that no Service is handed an address another one holds; then converge
   * each one, which also serves Services waiting for an address.
   */
  private async reprocessAll(): Promise<void> {
    const services = this.options.services
      .list()
      .map((svc) => this.withWritten(svc))
      .filter((svc) => isHandledClass(svc, this.options.lbClass) && svc.spec?.type === 'LoadBalancer')
      .sort(
        (a, b) => ingressIPs(b).length - ingressIPs(a).length || compareText(serviceKey(a), serviceKey(b)),
      );
    for (const svc of services) {
      const ips = ingressIPs(svc).map(parseIP);
      const valid = ips.flatMap((ip) => (ip ? [ip] : []));
      if (valid.length > 0 && valid.length === ips.length) this.allocator.assign(claimOf(svc), valid);
    }
    this.synced = true;
    for (const svc of this.options.services.list()) {
      try {
        await this.syncService(svc);
      } catch (err) {
        this.log.error('service sync failed, will retry', {
          service: serviceKey(svc),
          error: describeError(err),
        });
        this.options.enqueue(serviceKey(svc));
      }
    }
    this.publishCounts();
  }

  private async reconcileService(key: string): Promise<void> {
    if (!this.config || !this.synced) {
      this.log.debug('not processing, still waiting for config', { service: key });
      return;
    }
    const svc = this.options.services.get(key);
    if (svc === undefined) {
      this.written.delete(key);
      if (this.allocator.unassign(key)) {
        this.log.info('service deleted, address released', { service: key });
        this.enqueueAllExcept(key);
      }
      this.publishCounts();
      return;
    }
    await this.syncService(svc);
    this.publishCounts();
  }

  private async syncService(cached: Service): Promise<void> {
    const config = this.config;
    if (!config) return;
    const key = serviceKey(cached);
    const svc = this.withWritten(cached);
    this.options.metrics?.update();
    if (!isHandledClass(svc, this.options.lbClass)) {
      if (this.allocator.unassign(key)) this.enqueueAllExcept(key);
      return;
    }
    const decision = converge(svc, this.allocator, { hasPools: config.pools.size > 0 });
    const log = this.log.child({ service: key });
    const writes = planWrites(svc, decision);
    const changed = writes.ingress !== undefined || writes.annotations !== undefined;
    // Info only for what changes or fails; a Service that is settled (or not a LoadBalancer) is quiet.
    if (decision.action === 'fail') log.info('no address for service', { reason: decision.reason });
    else if (changed) log.info(`service ${decision.action}`, { ip: decision.ingress, pool: decision.pool });
    else log.debug('service converged, no change', { ip: decision.ingress });
    const target: KubeObject = { ...svc, apiVersion: 'v1', kind: 'Service' };
    for (const e of [...decision.events, ...writes.events])
      this.options.recorder.event(target, e.type, e.reason, e.message);
    try {
      if (writes.ingress !== undefined) await this.options.writer.writeIngress(svc, writes.ingress);
      if (writes.annotations !== undefined)
        await this.options.writer.patchAnnotations(svc, writes.annotations);
    } catch (err) {
      this.options.metrics?.updateError();
      this.written.delete(key);
      throw err;
    }
    if (changed) {
      this.written.set(key, {
        resourceVersion: cached.metadata.resourceVersion,
        ingress: decision.ingress,
        pool: decision.pool,
      });
    }
    if (decision.reprocessAll) this.enqueueAllExcept(key);
  }

  /**
   * The cached Service with our last write applied, while the cache still shows the version we wrote
   * over: a pass that runs before the watch delivers our own update must not undo it.
   */
  private withWritten(svc: Service): Service {
    const key = serviceKey(svc);
    const w = this.written.get(key);
    if (!w) return svc;
    if (w.resourceVersion !== svc.metadata.resourceVersion) {
      this.written.delete(key);
      return svc;
    }
    const annotations = { ...(svc.metadata.annotations ?? {}) };
    if (w.pool === undefined) delete annotations[ALLOCATED_FROM_POOL];
    else annotations[ALLOCATED_FROM_POOL] = w.pool;
    return {
      ...svc,
      metadata: { ...svc.metadata, annotations },
      status: { ...svc.status, loadBalancer: { ingress: w.ingress.map((ip) => ({ ip })) } },
    };
  }

  private enqueueAllExcept(key: string): void {
    for (const svc of this.options.services.list()) {
      const other = serviceKey(svc);
      if (other !== key) this.options.enqueue(other);
    }
  }

  /** Updates the gauges of every pool whose counts changed and queues its status write. */
  private publishCounts(): void {
    const config = this.config;
    if (!config) return;
    for (const name of [...this.published.keys()]) {
      if (config.pools.has(name)) continue;
      this.published.delete(name);
      this.dirtyPools.delete(name);
      this.options.metrics?.removePool(name);
    }
    for (const name of config.pools.keys()) {
      const counts = this.allocator.counts(name);
      if (!counts) continue;
      const text = JSON.stringify(counts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      if (this.published.get(name) === text) continue;
      this.published.set(name, text);
      this.options.metrics?.setPool(name, counts);
      if (this.statusPools.has(name)) this.dirtyPools.add(name);
    }
    if (this.dirtyPools.size > 0 && this.options.poolStatus) this.options.enqueue(POOL_STATUS_KEY);
  }

  private async writePoolStatuses(): Promise<void> {
    const writer = this.options.poolStatus;
    if (!writer) return;
    for (const name of [...this.dirtyPools]) {
      const counts = this.allocator.counts(name);
      if (counts) await writer.writePoolStatus(this.options.namespace, name, counts);
      this.dirtyPools.delete(name);
    }
  }

  /** Writes the last ConfigurationState again (it was deleted: upstream recreates it). */
  resendConfigState(): void {
    if (this.lastConfigErrors) this.reportConfigState(this.lastConfigErrors);
  }

  private reportConfigState(errors: string[]): void {
    this.lastConfigErrors = errors;
    this.pendingConfigState = errors;
    if (this.options.configState) this.options.enqueue(CONFIG_STATE_KEY);
  }

  private async writeConfigState(): Promise<void> {
    const errors = this.pendingConfigState;
    if (!errors || !this.options.configState) return;
    await this.options.configState.writeConfigState(this.options.namespace, { errors });
    if (this.pendingConfigState === errors) this.pendingConfigState = undefined;
  }
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
