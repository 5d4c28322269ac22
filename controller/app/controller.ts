// The controller's I/O shell: informers feed one queue per IPAM reconciler (pools, Services, pool status,
// ConfigurationState), and only the Lease holder runs them. Each leadership term gets fresh queues and a
// fresh allocator, rebuilt from the cluster; losing the Lease ends the term at once (its queues shut down,
// its writes refused) and the controller campaigns again. Metrics and probes are served throughout; a
// candidate that is not the leader keeps its caches warm so it can take over at once.
import type { Logger } from '../../kube/log';
import { buildConfig } from '../../config/build';
import type { BGPType } from '../../config/modes';
import { Clock, systemClock } from '../../kube/clock';
import { describeError } from '../../kube/errors';
import { EventRecorder, RestEventSink } from '../../kube/eventrecorder';
import { HealthServer } from '../../kube/health';
import { LeaderElector } from '../../kube/leaderelection';
import { RestLeaseClient } from '../../kube/leaseclient';
import { createRegistry, reconcileMetrics } from '../../kube/metrics';
import { registerEventLoopMetrics } from '../../kube/prometheus/eventloop';
import { objectKey } from '../../kube/object';
import { ReconcileRunner, Reconciler } from '../../kube/reconciler';
import { objectPath, RESOURCES } from '../../kube/resource';
import { KubeRestClient, type KubeConfigLike } from '../../kube/rest';
import { z } from 'zod';
import { WorkQueue } from '../../kube/workqueue';
import { Ipam } from '../reconciler/ipam';
import { CONFIG_STATE_KEY } from '../reconciler/configstate';
import { POOLS_KEY } from '../reconciler/pools';
import { controllerMetrics } from '../reconciler/metrics';
import { RestServiceWriter } from '../reconciler/serviceapi';
import { PodOwner, RestStatusWriters } from '../reconciler/statuswriters';
import { isConfigChange } from './configchange';
import { createInformers, servesAddressPools } from './informers';
import { startSecureMetrics } from '../../kube/securemetrics';
import type { TlsServerSettings } from '../../kube/tls/settings';

export interface ControllerOptions {
  /** The API server connection: a ClusterAccess (kube/credentials), or client-node's KubeConfig in tests. */
  readonly kubeConfig: KubeConfigLike;
  readonly namespace: string;
  /** --lb-class. */
  readonly lbClass: string;
  /** This candidate's identity in the Lease: the pod name. */
  readonly identity: string;
  readonly logger: Logger;
  readonly bgpType?: BGPType;
  /** Default true; false runs the queue at once (a single replica, or tests). */
  readonly leaderElection?: boolean;
  readonly leaseName?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Serves /metrics; 0 picks a free port, undefined serves none. */
  readonly metricsPort?: number;
  /** Serve metrics over HTTPS behind TokenReview/SubjectAccessReview (upstream's secure serving). */
  readonly secureMetrics?: { readonly certDir?: string; readonly tls?: TlsServerSettings };
  /** Serves /healthz and /readyz; 0 picks a free port, undefined serves none. */
  readonly healthPort?: number;
  readonly listenHost?: string;
  /**
   * Called when leadership is lost, after allocation has stopped. main.ts exits, as controller-runtime
   * does; without it the controller campaigns again and, elected, rebuilds its state from the cluster.
   */
  readonly onLostLeadership?: () => void;
  readonly clock?: Clock;
}

export interface RunningController {
  readonly metricsPort: number | undefined;
  readonly healthPort: number | undefined;
  /** True while this controller holds the Lease and runs the reconcilers. */
  isLeader(): boolean;
  /** True once this term's allocator holds every existing assignment; false when not leading. */
  isSynced(): boolean;
  stop(): Promise<void>;
}

/** The Pod this controller runs in, if the identity names one (not when run outside the cluster). */
async function ownerPod(
  rest: KubeRestClient,
  namespace: string,
  name: string,
): Promise<PodOwner | undefined> {
  try {
    const pod = z
      .looseObject({ metadata: z.looseObject({ uid: z.string() }) })
      .parse(await rest.request({ method: 'GET', path: objectPath(RESOURCES.pods, name, namespace) }));
    return { name, uid: pod.metadata.uid };
  } catch {
    return undefined;
  }
}

export async function startController(options: ControllerOptions): Promise<RunningController> {
  const { logger, namespace } = options;
  const clock = options.clock ?? systemClock();
  const rest = new KubeRestClient(options.kubeConfig, { userAgent: 'ironlb-controller' });
  const registry = createRegistry();
  // nodejs_eventloop_lag_* and nodejs_gc_duration_seconds, as prom-client gave this process (the speaker has none).
  registerEventLoopMetrics(registry);
  const metrics = controllerMetrics(registry);
  const withAddressPools = await servesAddressPools(rest).catch((err: unknown) => {
    logger.warn('could not tell whether AddressPools are served, not watching them', {
      error: describeError(err),
    });
    return false;
  });
  const informers = createInformers({
    kubeConfig: options.kubeConfig,
    rest,
    namespace,
    clock,
    logger,
    withAddressPools,
  });
  const recorder = new EventRecorder({
    sink: new RestEventSink(rest),
    clock,
    logger,
    source: { component: 'metallb-controller' },
  });
  const statusWriters = new RestStatusWriters(rest);
  const serviceWriter = new RestServiceWriter(rest);
  const reconcileObserver = reconcileMetrics(registry);

  /** One leadership term: its own queues, runners and allocator. */
  class Term {
    leading = true;
    readonly queues = {
      service: new WorkQueue({ clock }),
      pools: new WorkQueue({ clock }),
      poolStatus: new WorkQueue({ clock }),
      configState: new WorkQueue({ clock }),
    };
    readonly ipam = new Ipam({
      namespace,
      lbClass: options.lbClass,
      services: informers.services,
      configResources: informers.configResources,
      build: (resources) =>
        buildConfig(resources, options.bgpType !== undefined ? { bgpType: options.bgpType } : {}),
      writer: serviceWriter,
      poolStatus: statusWriters,
      configState: statusWriters,
      recorder,
      logger,
      metrics,
      isLeading: () => this.leading,
      queues: {
        service: (key) => this.queues.service.add(key),
        pools: () => this.queues.pools.add(POOLS_KEY),
        poolStatus: (pool) => this.queues.poolStatus.add(pool),
        configState: () => this.queues.configState.add(CONFIG_STATE_KEY),
      },
    });
    private readonly runners = [
      this.runner('pools', this.queues.pools, this.ipam.pools),
      this.runner('service', this.queues.service, this.ipam.services),
      this.runner('poolstatus', this.queues.poolStatus, this.ipam.poolStatus),
      this.runner('configurationstate', this.queues.configState, this.ipam.configState),
    ];

    start(): void {
      this.queues.pools.add(POOLS_KEY);
      for (const r of this.runners) r.start();
    }

    /** Ends the term: nothing more is written, whatever is queued or in flight. */
    async end(): Promise<void> {
      this.leading = false;
      await Promise.all(this.runners.map((r) => r.stop()));
    }

    private runner(name: string, queue: WorkQueue, reconciler: Reconciler): ReconcileRunner {
      // Keys still queued when the term ends drain without doing anything.
      const whileLeading: Reconciler = {
        reconcile: (key) => (this.leading ? reconciler.reconcile(key) : Promise.resolve()),
      };
      return new ReconcileRunner({
        name,
        queue,
        reconciler: whileLeading,
        logger,
        observer: reconcileObserver,
      });
    }
  }
  let term: Term | undefined;

  informers.services.addHandlers({
    onAdd: (svc) => term?.queues.service.add(objectKey(svc)),
    onUpdate: (_old, svc) => term?.queues.service.add(objectKey(svc)),
    onDelete: (svc) => term?.queues.service.add(objectKey(svc)),
  });
  for (const informer of informers.config) {
    informer.addHandlers({
      onAdd: () => term?.queues.pools.add(POOLS_KEY),
      onUpdate: (oldObj, newObj) => {
        if (isConfigChange(oldObj, newObj)) term?.queues.pools.add(POOLS_KEY);
      },
      onDelete: () => term?.queues.pools.add(POOLS_KEY),
    });
  }
  informers.configState.addHandlers({ onDelete: () => term?.ipam.configState.resend() });
  informers.start();
  void ownerPod(rest, namespace, options.identity).then((owner) => owner && statusWriters.setOwner(owner));

  let ending: Promise<void> = Promise.resolve();
  const lead = async (signal: AbortSignal): Promise<void> => {
    // A partial view of the pools would release addresses that are still valid: wait for every cache.
    await informers.waitForSync();
    // The previous term must be gone before this one writes.
    await ending;
    if (signal.aborted || term) return;
    term = new Term();
    term.start();
    logger.info('serving LoadBalancer services', { namespace, lbClass: options.lbClass });
  };
  const stepDown = (): void => {
    const ended = term;
    term = undefined;
    if (ended) ending = ended.end();
  };

  let stopped = false;
  let elector: LeaderElector | undefined;
  let election: Promise<void> | undefined;
  if (options.leaderElection === false) {
    void lead(new AbortController().signal);
  } else {
    // One elector per campaign (kube/leaderelection); a new campaign after each lost term.
    const campaign = (): LeaderElector =>
      new LeaderElector({
        client: new RestLeaseClient(rest, namespace, options.leaseName ?? 'metallb-controller'),
        clock,
        logger,
        identity: options.identity,
        ...(options.leaseDurationMs !== undefined ? { leaseDurationMs: options.leaseDurationMs } : {}),
        ...(options.renewDeadlineMs !== undefined ? { renewDeadlineMs: options.renewDeadlineMs } : {}),
        ...(options.retryPeriodMs !== undefined ? { retryPeriodMs: options.retryPeriodMs } : {}),
        callbacks: {
          onStartedLeading: (signal) => {
            signal.addEventListener('abort', stepDown, { once: true });
            return lead(signal);
          },
          onStoppedLeading: () => {
            stepDown();
            if (stopped) return;
            logger.warn('leadership lost, no longer allocating');
            options.onLostLeadership?.();
          },
        },
      });
    elector = campaign();
    const first = elector;
    election = (async () => {
      for (let current = first; ; current = campaign()) {
        elector = current;
        await current.run();
        if (stopped) return;
      }
    })();
  }

  const host = options.listenHost ?? '0.0.0.0';
  let metricsServer: { close(): Promise<void> } | undefined;
  let metricsPort: number | undefined;
  if (options.metricsPort !== undefined && options.secureMetrics !== undefined) {
    const secure = await startSecureMetrics({
      registry,
      rest,
      logger,
      port: options.metricsPort,
      host,
      ...(options.secureMetrics.certDir !== undefined ? { certDir: options.secureMetrics.certDir } : {}),
      ...(options.secureMetrics.tls !== undefined ? { tls: options.secureMetrics.tls } : {}),
    });
    metricsServer = secure;
    metricsPort = secure.port;
  } else if (options.metricsPort !== undefined) {
    const plain = new HealthServer({ logger, metrics: registry, probes: false });
    metricsPort = await plain.listen(options.metricsPort, host);
    metricsServer = plain;
  }
  let healthServer: HealthServer | undefined;
  let healthPort: number | undefined;
  if (options.healthPort !== undefined) {
    healthServer = new HealthServer({ logger });
    healthServer.addReadinessCheck('informers-synced', () => {
      if (!informers.hasSynced()) throw new Error('caches not synced');
    });
    healthServer.addReadinessCheck('allocator-synced', () => {
      if (term && !term.ipam.isSynced()) throw new Error('allocator not rebuilt yet');
    });
    healthPort = await healthServer.listen(options.healthPort, host);
  }

  return {
    metricsPort,
    healthPort,
    isLeader: () => term !== undefined,
    isSynced: () => term?.ipam.isSynced() ?? false,
    async stop() {
      stopped = true;
      elector?.stop();
      await election;
      stepDown();
      await ending;
      informers.stop();
      await recorder.flush();
      await metricsServer?.close();
      await healthServer?.close();
    },
  };
}
