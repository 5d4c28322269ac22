// The operator's I/O shell: an informer of MetalLB resources in its own namespace (upstream restricts its
// cache the same way: metallb-operator main.go), informers of the controller Deployment and the speaker
// DaemonSet so that their rollout progress re-runs the reconcile (upstream polls every 5 s instead), one keyed
// queue, and only the holder of the Lease `metallb.io.metallboperator` reconciles. On OpenShift an informer of
// apiservers.config.openshift.io/cluster keeps the operands' TLS settings current (tlswatch.ts). Probes and
// metrics are served throughout.
import type { Logger } from '../../kube/log';
import { describeError } from '../../kube/errors';
import { type Clock, systemClock } from '../../kube/clock';
import { HealthServer } from '../../kube/health';
import { EventRecorder, RestEventSink } from '../../kube/eventrecorder';
import { informerFactory, isServed } from '../../kube/informerfactory';
import { LeaderElector } from '../../kube/leaderelection';
import { RestLeaseClient } from '../../kube/leaseclient';
import { decodeKubeObject } from '../../kube/listwatch';
import { createRegistry, reconcileMetrics } from '../../kube/metrics';
import { registerEventLoopMetrics } from '../../kube/prometheus/eventloop';
import { objectKey } from '../../kube/object';
import { ReconcileRunner } from '../../kube/reconciler';
import { KubeRestClient, type KubeConfigLike } from '../../kube/rest';
import { WorkQueue } from '../../kube/workqueue';
import type { OperatorEnvironment } from '../env';
import type { ValidationEnvironment } from '../validate';
import { RestLegacyClient } from '../legacy/client';
import { AddressPoolReconciler } from '../legacy/reconciler';
import { MetalLBWebhookServer, type ServingCertificate } from '../webhook/server';
import type { Platform, TlsOptions } from '../../render/options';
import { RestOperandClient } from './operandclient';
import { detectPlatform } from './platform';
import { APISERVERS, CLUSTER_APISERVER_SELECTOR, ClusterTlsSettings, serverSettingsFor } from './tlswatch';
import { METALLB_NAME, MetalLBReconciler } from './reconciler';
import { DAEMONSETS, DEPLOYMENTS, METALLB } from './resources';

/** Upstream's leader election ID (metallb-operator main.go). */
export const LEASE_NAME = 'metallb.io.metallboperator';

export interface OperatorOptions {
  readonly kubeConfig: KubeConfigLike;
  readonly env: OperatorEnvironment;
  readonly validation?: ValidationEnvironment;
  readonly logger: Logger;
  /** This candidate's identity in the Lease: the pod name. */
  readonly identity: string;
  /** Upstream's --enable-leader-election; off, the queue runs at once. */
  readonly leaderElection: boolean;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** /healthz and /readyz; 0 picks a free port, undefined serves none. */
  readonly healthPort?: number;
  /** /metrics; 0 picks a free port, undefined serves none. */
  readonly metricsPort?: number;
  /** Where the probes listen (default every address). */
  readonly listenHost?: string;
  /** Where metrics listen (default listenHost). */
  readonly metricsHost?: string;
  /** Serves the MetalLB validating webhook on this port (0 picks a free one) with this certificate. */
  readonly webhook?: { readonly port: number; readonly cert: ServingCertificate };
  /** The platform to render for; undefined asks API discovery (platform.ts). */
  readonly platform?: Platform;
  /** Called when the Lease is lost; main.ts exits, as controller-runtime does. */
  readonly onLostLeadership?: () => void;
  readonly clock?: Clock;
}

export interface RunningOperator {
  readonly platform: Platform;
  readonly healthPort: number | undefined;
  readonly metricsPort: number | undefined;
  readonly webhookPort: number | undefined;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { logger } = options;
  const clock = options.clock ?? systemClock();
  const rest = new KubeRestClient(options.kubeConfig, { userAgent: 'ironlb-operator' });
  const make = informerFactory({ kubeConfig: options.kubeConfig, rest, clock, logger });
  const platform = options.platform ?? (await detectPlatform(rest));
  logger.info('platform', { platform });
  const env = options.env;
  // On OpenShift the cluster's TLS profile wins over TLS_* (tlsprofile.ts), as upstream's operator has it,
  // where the APIServer config is served at all.
  const apiServers =
    platform === 'openshift' && (await isServed(rest, APISERVERS))
      ? make(APISERVERS, decodeKubeObject, { fieldSelector: CLUSTER_APISERVER_SELECTOR })
      : undefined;
  if (platform === 'openshift' && apiServers === undefined)
    logger.info('no apiservers.config.openshift.io served; TLS settings from the environment');
  const metallbs = make(METALLB.metallbs, decodeKubeObject, { namespace: env.namespace });
  const workloads = [DEPLOYMENTS, DAEMONSETS].map((resource) =>
    make(resource, decodeKubeObject, { namespace: env.namespace, labelSelector: 'app=metallb' }),
  );
  // The legacy AddressPools and what their status depends on, when the AddressPool CRD is installed.
  const legacy = (await isServed(rest, METALLB.addressPools))
    ? {
        addressPools: make(METALLB.addressPools, decodeKubeObject, { namespace: env.namespace }),
        around: {
          ipAddressPools: make(METALLB.ipAddressPools, decodeKubeObject, { namespace: env.namespace }),
          l2Advertisements: make(METALLB.l2Advertisements, decodeKubeObject, { namespace: env.namespace }),
          bgpAdvertisements: make(METALLB.bgpAdvertisements, decodeKubeObject, { namespace: env.namespace }),
          communities: make(METALLB.communities, decodeKubeObject, { namespace: env.namespace }),
          configurationStates: make(METALLB.configurationStates, decodeKubeObject, {
            namespace: env.namespace,
          }),
        },
      }
    : undefined;
  const informers = [
    metallbs,
    ...workloads,
    ...(legacy !== undefined ? [legacy.addressPools, ...Object.values(legacy.around)] : []),
    ...(apiServers !== undefined ? [apiServers] : []),
  ];
  const registry = createRegistry();
  // nodejs_eventloop_lag_* and nodejs_gc_duration_seconds, as prom-client gave this process (the speaker has none).
  registerEventLoopMetrics(registry);
  // Once per process: the registry refuses a second registration of the same metric (a later leadership term).
  const observer = reconcileMetrics(registry);
  const client = new RestOperandClient(rest);
  const singletonKey = `${env.namespace}/${METALLB_NAME}`;
  let queue: WorkQueue | undefined;
  let webhookServer: MetalLBWebhookServer | undefined;
  const useWebhookTls = (tls: TlsOptions | undefined): void => {
    if (webhookServer === undefined) return;
    try {
      webhookServer.useTls(serverSettingsFor(tls));
    } catch (err) {
      logger.error("TLS settings not applied to the operator's webhook server", {
        error: describeError(err),
      });
    }
  };
  // A change of the settings re-renders the operands (the singleton's reconcile reads them afresh) and
  // applies them to the operator's own webhook server.
  const tlsSettings = new ClusterTlsSettings({
    environment: env.tls,
    logger,
    onChange: (tls) => {
      queue?.add(singletonKey);
      useWebhookTls(tls);
    },
  });
  apiServers?.addHandlers({
    onAdd: (a) => tlsSettings.observe(a),
    onUpdate: (_old, a) => tlsSettings.observe(a),
    onDelete: () => tlsSettings.observe(undefined),
  });
  const reconciler = new MetalLBReconciler({
    env,
    tlsSettings,
    platform,
    ...(options.validation !== undefined ? { validation: options.validation } : {}),
    metallbs,
    client,
    status: client,
    clock,
    logger,
  });

  const legacyReconciler =
    legacy === undefined
      ? undefined
      : new AddressPoolReconciler({
          namespace: env.namespace,
          addressPools: legacy.addressPools,
          ...legacy.around,
          client: new RestLegacyClient(rest),
          events: new EventRecorder({
            sink: new RestEventSink(rest),
            clock,
            logger,
            source: { component: 'metallb-operator' },
          }),
          clock,
          logger,
        });

  let runner: ReconcileRunner | undefined;
  let legacyQueue: WorkQueue | undefined;
  let legacyRunner: ReconcileRunner | undefined;
  metallbs.addHandlers({
    onAdd: (m) => queue?.add(objectKey(m)),
    onUpdate: (_old, m) => queue?.add(objectKey(m)),
    onDelete: (m) => queue?.add(objectKey(m)),
  });
  for (const informer of workloads) {
    informer.addHandlers({
      onAdd: () => queue?.add(singletonKey),
      onUpdate: () => queue?.add(singletonKey),
      // A deleted operand is applied again.
      onDelete: () => queue?.add(singletonKey),
    });
  }
  if (legacy !== undefined) {
    const everyPool = () => {
      for (const p of legacy.addressPools.list()) legacyQueue?.add(objectKey(p));
    };
    // Every pool, not just the one that changed: another AddressPool may overlap it, an IPAddressPool take its
    // name, the controller reject the configuration.
    legacy.addressPools.addHandlers({ onAdd: everyPool, onUpdate: everyPool, onDelete: everyPool });
    for (const informer of Object.values(legacy.around))
      informer.addHandlers({ onAdd: everyPool, onUpdate: everyPool, onDelete: everyPool });
  }
  for (const informer of informers) informer.start();

  const lead = async (signal?: AbortSignal): Promise<void> => {
    await Promise.all(informers.map((i) => i.waitForSync()));
    if (signal?.aborted || runner) return;
    queue = new WorkQueue({ clock });
    runner = new ReconcileRunner({
      name: 'metallb',
      queue,
      reconciler,
      logger,
      observer,
    });
    runner.start();
    // Level triggered: the singleton (present or deleted) and every other MetalLB, whatever happened before.
    queue.add(singletonKey);
    for (const m of metallbs.list()) queue.add(objectKey(m));
    if (legacy !== undefined && legacyReconciler !== undefined) {
      legacyQueue = new WorkQueue({ clock });
      legacyRunner = new ReconcileRunner({
        name: 'addresspool',
        queue: legacyQueue,
        reconciler: legacyReconciler,
        logger,
        observer,
      });
      legacyRunner.start();
      for (const p of legacy.addressPools.list()) legacyQueue.add(objectKey(p));
    }
    logger.info('reconciling MetalLB resources', { namespace: env.namespace });
  };
  const stepDown = async (): Promise<void> => {
    const ended = [runner, legacyRunner];
    runner = undefined;
    queue = undefined;
    legacyRunner = undefined;
    legacyQueue = undefined;
    await Promise.all(ended.map((r) => r?.stop()));
  };

  let stopped = false;
  let elector: LeaderElector | undefined;
  let election: Promise<void> | undefined;
  if (!options.leaderElection) {
    void lead();
  } else {
    elector = new LeaderElector({
      client: new RestLeaseClient(rest, env.namespace, LEASE_NAME),
      clock,
      logger,
      identity: options.identity,
      ...(options.leaseDurationMs !== undefined ? { leaseDurationMs: options.leaseDurationMs } : {}),
      ...(options.renewDeadlineMs !== undefined ? { renewDeadlineMs: options.renewDeadlineMs } : {}),
      ...(options.retryPeriodMs !== undefined ? { retryPeriodMs: options.retryPeriodMs } : {}),
      callbacks: {
        onStartedLeading: (signal) => {
          signal.addEventListener('abort', () => void stepDown(), { once: true });
          return lead(signal);
        },
        onStoppedLeading: () => {
          void stepDown();
          if (stopped) return;
          logger.warn('leadership lost, no longer reconciling');
          options.onLostLeadership?.();
        },
      },
    });
    election = elector.run();
  }

  const host = options.listenHost ?? '0.0.0.0';
  let healthServer: HealthServer | undefined;
  let healthPort: number | undefined;
  if (options.healthPort !== undefined) {
    healthServer = new HealthServer({ logger });
    healthServer.addReadinessCheck('informers-synced', () => {
      if (!informers.every((i) => i.hasSynced())) throw new Error('caches not synced');
    });
    healthPort = await healthServer.listen(options.healthPort, host);
  }
  let metricsServer: HealthServer | undefined;
  let metricsPort: number | undefined;
  if (options.metricsPort !== undefined) {
    metricsServer = new HealthServer({ logger, metrics: registry, probes: false });
    metricsPort = await metricsServer.listen(options.metricsPort, options.metricsHost ?? host);
  }

  // Served by every replica, leader or not: admission does not write anything. With the TLS settings in
  // force: on OpenShift once the cluster's profile has been read, so it never serves weaker ones first.
  let webhookPort: number | undefined;
  if (options.webhook !== undefined) {
    await apiServers?.waitForSync();
    const server = new MetalLBWebhookServer(logger, options.validation);
    webhookPort = await server.listen(
      options.webhook.port,
      host,
      options.webhook.cert,
      serverSettingsFor(tlsSettings.current()),
    );
    webhookServer = server;
  }

  return {
    platform,
    healthPort,
    metricsPort,
    webhookPort,
    isLeader: () => runner !== undefined,
    async stop() {
      stopped = true;
      elector?.stop();
      await election;
      await stepDown();
      for (const informer of informers) informer.stop();
      await healthServer?.close();
      await metricsServer?.close();
      await webhookServer?.close();
    },
  };
}
