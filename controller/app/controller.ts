// The controller's I/O shell: informers feed a single-worker queue, the IPAM reconciler converges each key,
// and only the Lease holder runs the queue. Metrics and probes are served throughout; a candidate that is
// not the leader keeps its caches warm so it can take over at once.
import type { Logger } from 'winston';
import { buildConfig } from '../../config/build';
import type { BGPType } from '../../config/modes';
import { Clock, systemClock } from '../../kube/clock';
import { describeError } from '../../kube/errors';
import { EventRecorder, RestEventSink } from '../../kube/eventrecorder';
import { HealthServer } from '../../kube/health';
import { LeaderElector } from '../../kube/leaderelection';
import { RestLeaseClient } from '../../kube/leaseclient';
import { createRegistry, reconcileMetrics } from '../../kube/metrics';
import { objectKey } from '../../kube/object';
import { ReconcileRunner } from '../../kube/reconciler';
import { objectPath, RESOURCES } from '../../kube/resource';
import { KubeRestClient, type KubeConfigLike } from '../../kube/rest';
import { z } from 'zod';
import { WorkQueue } from '../../kube/workqueue';
import { CONFIG_KEY, IpamReconciler } from '../reconciler/ipam';
import { controllerMetrics } from '../reconciler/metrics';
import { RestServiceWriter } from '../reconciler/serviceapi';
import { PodOwner, RestStatusWriters } from '../reconciler/statuswriters';
import { isConfigChange } from './configchange';
import { createInformers, servesAddressPools } from './informers';
import { startSecureMetrics } from '../../kube/securemetrics';

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
  readonly secureMetrics?: { readonly certDir?: string };
  /** Serves /healthz and /readyz; 0 picks a free port, undefined serves none. */
  readonly healthPort?: number;
  readonly listenHost?: string;
  /** Called when leadership is lost: the process should exit, as controller-runtime does. */
  readonly onLostLeadership?: () => void;
  readonly clock?: Clock;
}

export interface RunningController {
  readonly ipam: IpamReconciler;
  readonly metricsPort: number | undefined;
  readonly healthPort: number | undefined;
  isLeader(): boolean;
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
  const queue = new WorkQueue({ clock });
  const recorder = new EventRecorder({
    sink: new RestEventSink(rest),
    clock,
    logger,
    source: { component: 'metallb-controller' },
  });
  const statusWriters = new RestStatusWriters(rest);
  const ipam = new IpamReconciler({
    namespace,
    lbClass: options.lbClass,
    services: informers.services,
    configResources: informers.configResources,
    build: (resources) =>
      buildConfig(resources, options.bgpType !== undefined ? { bgpType: options.bgpType } : {}),
    writer: new RestServiceWriter(rest),
    recorder,
    logger,
    enqueue: (key) => queue.add(key),
    metrics,
    poolStatus: statusWriters,
    configState: statusWriters,
  });
  const runner = new ReconcileRunner({
    name: 'ipam',
    queue,
    reconciler: ipam,
    logger,
    observer: reconcileMetrics(registry),
  });

  informers.services.addHandlers({
    onAdd: (svc) => queue.add(objectKey(svc)),
    onUpdate: (_old, svc) => queue.add(objectKey(svc)),
    onDelete: (svc) => queue.add(objectKey(svc)),
  });
  for (const informer of informers.config) {
    informer.addHandlers({
      onAdd: () => queue.add(CONFIG_KEY),
      onUpdate: (oldObj, newObj) => {
        if (isConfigChange(oldObj, newObj)) queue.add(CONFIG_KEY);
      },
      onDelete: () => queue.add(CONFIG_KEY),
    });
  }
  informers.configState.addHandlers({ onDelete: () => ipam.resendConfigState() });
  informers.start();
  void ownerPod(rest, namespace, options.identity).then((owner) => owner && statusWriters.setOwner(owner));

  let running = false;
  const lead = async (): Promise<void> => {
    // A partial view of the pools would release addresses that are still valid: wait for every cache.
    await informers.waitForSync();
    if (running) return;
    running = true;
    queue.add(CONFIG_KEY);
    runner.start();
    logger.info('serving LoadBalancer services', { namespace, lbClass: options.lbClass });
  };

  let elector: LeaderElector | undefined;
  let election: Promise<void> | undefined;
  if (options.leaderElection === false) {
    void lead();
  } else {
    elector = new LeaderElector({
      client: new RestLeaseClient(rest, namespace, options.leaseName ?? 'metallb-controller'),
      clock,
      logger,
      identity: options.identity,
      ...(options.leaseDurationMs !== undefined ? { leaseDurationMs: options.leaseDurationMs } : {}),
      ...(options.renewDeadlineMs !== undefined ? { renewDeadlineMs: options.renewDeadlineMs } : {}),
      ...(options.retryPeriodMs !== undefined ? { retryPeriodMs: options.retryPeriodMs } : {}),
      callbacks: {
        onStartedLeading: () => lead(),
        onStoppedLeading: () => {
          logger.warn('leadership lost, no longer allocating');
          options.onLostLeadership?.();
        },
      },
    });
    election = elector.run();
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
      if (running && !ipam.isSynced()) throw new Error('allocator not rebuilt yet');
    });
    healthPort = await healthServer.listen(options.healthPort, host);
  }

  return {
    ipam,
    metricsPort,
    healthPort,
    isLeader: () => running,
    async stop() {
      elector?.stop();
      await election;
      await runner.stop();
      informers.stop();
      await recorder.flush();
      await metricsServer?.close();
      await healthServer?.close();
    },
  };
}
