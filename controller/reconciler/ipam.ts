// The controller's IPAM for one leadership term: four reconcilers over one allocator, each with its own
// queue, as upstream's controller runs them (internal/k8s/controllers/): pools (the configuration), Services,
// IPAddressPool status and the ConfigurationState. A term that has ended refuses every write, so a deposed
// leader cannot touch a Service even with a pass still in flight; the next term starts from an empty
// allocator and rebuilds it from the cluster.
import type { Logger } from '../../kube/log';
import type { ClusterResources } from '../../config/resources';
import type { Service } from '../../api/service';
import type { PoolCounts } from '../allocator/poolspace';
import { Allocator } from '../allocator/allocator';
import { ConfigStateReconciler } from './configstate';
import type { ControllerMetrics } from './metrics';
import { PoolReconciler } from './pools';
import { PoolStatusReconciler } from './poolstatus';
import type { ServiceWriter } from './serviceapi';
import { ServiceReconciler } from './services';
import { ConfigBuilder, IpamState, LeadershipLostError, Recorder, Serial, ServiceCache } from './state';
import type { ConfigStateWriter, ConfigurationStateReport, PoolStatusWriter } from './statuswriters';

/** Where each reconciler's keys go: one queue per reconciler. */
export interface IpamQueues {
  service(key: string): void;
  pools(): void;
  poolStatus(pool: string): void;
  configState(): void;
}

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
  readonly poolStatus: PoolStatusWriter;
  readonly configState: ConfigStateWriter;
  readonly recorder: Recorder;
  readonly logger: Logger;
  readonly queues: IpamQueues;
  readonly metrics?: ControllerMetrics;
  /** False once this term has ended (leadership lost): every write is refused from then on. */
  readonly isLeading?: () => boolean;
}

export class Ipam {
  readonly pools: PoolReconciler;
  readonly services: ServiceReconciler;
  readonly poolStatus: PoolStatusReconciler;
  readonly configState: ConfigStateReconciler;
  private readonly state = new IpamState();

  constructor(options: IpamOptions) {
    const isLeading = options.isLeading ?? (() => true);
    const guard = (what: string): void => {
      if (!isLeading()) throw new LeadershipLostError(what);
    };
    const serial = new Serial();
    const { logger, metrics, namespace, queues } = options;
    const writer: ServiceWriter = {
      writeIngress: (svc: Service, ingress: readonly { readonly ip: string }[]) => {
        guard(`the ingress of Service ${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`);
        return options.writer.writeIngress(svc, ingress);
      },
      patchAnnotations: (svc: Service, patch: Readonly<Record<string, string | null>>) => {
        guard(`the annotations of Service ${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`);
        return options.writer.patchAnnotations(svc, patch);
      },
    };
    this.poolStatus = new PoolStatusReconciler({
      state: this.state,
      namespace,
      writer: {
        writePoolStatus: (ns: string, pool: string, counts: PoolCounts) => {
          guard(`the status of IPAddressPool ${ns}/${pool}`);
          return options.poolStatus.writePoolStatus(ns, pool, counts);
        },
      },
      enqueue: (pool) => queues.poolStatus(pool),
      logger,
      ...(metrics ? { metrics } : {}),
    });
    this.configState = new ConfigStateReconciler({
      namespace,
      writer: {
        writeConfigState: (ns: string, report: ConfigurationStateReport) => {
          guard(`ConfigurationState ${ns}/controller`);
          return options.configState.writeConfigState(ns, report);
        },
      },
      enqueue: () => queues.configState(),
    });
    this.services = new ServiceReconciler({
      state: this.state,
      serial,
      lbClass: options.lbClass,
      services: options.services,
      writer,
      recorder: {
        event: (obj, type, reason, message) => {
          if (isLeading()) options.recorder.event(obj, type, reason, message);
        },
      },
      logger,
      enqueue: (key) => queues.service(key),
      countsChanged: () => this.poolStatus.countsChanged(),
      ...(metrics ? { metrics } : {}),
    });
    this.pools = new PoolReconciler({
      state: this.state,
      serial,
      configResources: options.configResources,
      build: options.build,
      services: this.services,
      reportConfigState: (errors) => this.configState.report(errors),
      logger,
      ...(metrics ? { metrics } : {}),
    });
  }

  get allocator(): Allocator {
    return this.state.allocator;
  }

  /** True once the allocator holds every existing assignment and Services are being served. */
  isSynced(): boolean {
    return this.state.synced;
  }
}
