// Service IPAM (upstream ServiceReconciler, internal/k8s/controllers/service_controller.go, and
// controller/service.go): one Service per key ("ns/name"), level-triggered: each pass reads the cache,
// converges, and writes only what differs.
//
// Start-up order matters (upstream service_controller_reload.go): the allocator starts empty, so nothing is
// handed out until the configuration is loaded, then every Service's existing ingress is re-claimed before
// any Service is served; otherwise a new Service could take an address an existing one still announces.
import type { Logger } from '../../kube/log';
import { parseIP } from '../../addr/ip';
import { ALLOCATED_FROM_POOL } from '../../api/serviceannotations';
import { Service, ingressIPs, isHandledClass, serviceKey } from '../../api/service';
import { compareText } from '../../config/errors';
import { describeError } from '../../kube/errors';
import type { KubeObject } from '../../kube/object';
import type { Reconciler } from '../../kube/reconciler';
import { converge } from '../service/converge';
import { claimOf } from '../service/request';
import { planWrites } from '../service/writes';
import type { ControllerMetrics } from './metrics';
import type { ServiceWriter } from './serviceapi';
import { IpamState, Recorder, Serial, ServiceCache } from './state';

export interface ServiceReconcilerOptions {
  readonly state: IpamState;
  readonly serial: Serial;
  /** --lb-class; '' handles only Services without a loadBalancerClass. */
  readonly lbClass: string;
  readonly services: ServiceCache;
  readonly writer: ServiceWriter;
  readonly recorder: Recorder;
  readonly logger: Logger;
  /** Queue a Service key now (coalesced with any pending add). */
  readonly enqueue: (key: string) => void;
  /** The allocator's counts may have changed: refresh the gauges and pool statuses. */
  readonly countsChanged: () => void;
  readonly metrics?: ControllerMetrics;
}

/** What we last wrote to a Service, until the cache shows a newer version of it. */
interface Written {
  readonly resourceVersion: string | undefined;
  readonly ingress: readonly string[];
  readonly pool: string | undefined;
}

export class ServiceReconciler implements Reconciler {
  private readonly written = new Map<string, Written>();
  private readonly log: Logger;

  constructor(private readonly options: ServiceReconcilerOptions) {
    this.log = options.logger.child({ controller: 'service' });
  }

  reconcile(key: string): Promise<void> {
    return this.options.serial.run(() => this.reconcileService(key));
  }

  /**
   * Every Service, in two phases: first re-claim the addresses Services already show (most addresses
   * first, as upstream sorts), so that no Service is handed an address another one holds; then converge
   * each one, which also serves Services waiting for an address. Called by the pool reconciler, inside
   * the same serial section.
   */
  async reprocessAll(): Promise<void> {
    const { state } = this.options;
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
      if (valid.length > 0 && valid.length === ips.length) state.allocator.assign(claimOf(svc), valid);
    }
    state.synced = true;
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
    this.options.countsChanged();
  }

  private async reconcileService(key: string): Promise<void> {
    const { state } = this.options;
    if (!state.config || !state.synced) {
      this.log.debug('not processing, still waiting for config', { service: key });
      return;
    }
    const svc = this.options.services.get(key);
    if (svc === undefined) {
      this.written.delete(key);
      if (state.allocator.unassign(key)) {
        this.log.info('service deleted, address released', { service: key });
        this.enqueueAllExcept(key);
      }
      this.options.countsChanged();
      return;
    }
    await this.syncService(svc);
    this.options.countsChanged();
  }

  private async syncService(cached: Service): Promise<void> {
    const { state } = this.options;
    const config = state.config;
    if (!config) return;
    const key = serviceKey(cached);
    const svc = this.withWritten(cached);
    this.options.metrics?.update();
    if (!isHandledClass(svc, this.options.lbClass)) {
      if (state.allocator.unassign(key)) this.enqueueAllExcept(key);
      return;
    }
    const decision = converge(svc, state.allocator, { hasPools: config.pools.size > 0 });
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
}
