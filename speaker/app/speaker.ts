// The speaker's I/O shell: informers feed one keyed work queue; the Layer 2 and BGP reconcilers converge each
// Service; config, Node and membership changes recompute only the Services they can move (BGP: config and
// this node's own changes recompute every Service, since each can move all of its advertisements). Every part is
// passed in or built from kube/ interfaces (RestClient, informerFactory), so tests run it against a real API
// server with their own announcer and membership.
import type { Logger } from '../../kube/log';
import { METALLB } from '../../api/resources';
import { buildConfig } from '../../config/build';
import type { Clock } from '../../kube/clock';
import { describeError } from '../../kube/errors';
import { EventRecorder, RestEventSink } from '../../kube/eventrecorder';
import type { Informer } from '../../kube/informer';
import { isServed, type InformerFactory } from '../../kube/informerfactory';
import { decodeKubeObject } from '../../kube/listwatch';
import { reconcileMetrics } from '../../kube/metrics';
import { objectKey, type KubeObject } from '../../kube/object';
import { ReconcileRunner } from '../../kube/reconciler';
import { objectPath, RESOURCES } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import { WorkQueue } from '../../kube/workqueue';
import type { Registry } from '../../kube/prometheus/registry';
import { z } from 'zod';
import type { ElectionNode } from '../election/types';
import { forNode } from '../bgp/advertise/nodefilter';
import type { BGPSessionManager, SessionFactory } from '../bgp/manager';
import { stopKindFor, type StopKind } from '../bgp/stopkind';
import { BGP_EXTRAS_CONFIGMAP, decodeBgpExtras, nativeExtrasError } from '../frr/extras';
import { frrBackend, type FrrBackendOptions } from './frrbackend';
import type { L2Announcer } from '../reconcile/announcements';
import { BGPReconciler } from '../reconcile/bgp';
import { Layer2Reconciler, type Layer2Membership } from '../reconcile/layer2';
import {
  decodeNode,
  decodeOwnedObject,
  decodePod,
  decodeService,
  decodeSlice,
  type SpeakerNode,
  type SpeakerPod,
  type SpeakerSlice,
} from '../reconcile/objects';
import {
  configStateName,
  LABEL_NODE,
  LABEL_SERVICE_NAME,
  LABEL_SERVICE_NAMESPACE,
  type PodOwner,
} from '../reconcile/status';
import { bfdMetrics } from './bfdmetrics';
import { LazyBgpSessions } from './bgpsessions';
import { bgpAnnounceMetrics, bgpMetrics, type BGPMetrics } from './bgpmetrics';
import type { SpeakerMetrics } from './metrics';
import {
  bgpServiceEvents,
  ConfigStateWriter,
  RestBGPStatusWriter,
  RestL2StatusWriter,
  serviceEvents,
} from './writers';

/** Membership as the speaker drives it (speaker/membership/membership.ts Membership fits). */
export interface SpeakerMembership {
  /**
   * Joins: announces this speaker to `speakers` and holds down. Called once the speaker Pods are listed, never
   * before: a member that joins knowing no one becomes active alone after the hold-down and, since active
   * members do not announce themselves to candidates they learn later, would stay alone, answering for every
   * address beside the others.
   */
  start(speakers: readonly { name: string; address: string; port?: number }[]): Promise<void>;
  aliveSpeakers(): ReadonlySet<string>;
  isIsolated(): boolean;
  /** The callback's promise holds membership's acknowledgements until the change is applied. */
  onChange(cb: () => void | Promise<void>): () => void;
  setCandidates(speakers: readonly { name: string; address: string; port?: number }[]): void;
  metrics?(): import('../membership/membership').MembershipMetrics;
}

/** What the BGP reconciler drives: native sessions (app/bgpsessions.ts) or FRR's config (frr/sessions.ts). */
export interface BGPBackend extends Pick<BGPSessionManager, 'sync' | 'setRoutes' | 'peers'> {
  stop(): Promise<void>;
  shutdown(kind: StopKind, waitMs: number): Promise<void>;
}

export interface SpeakerOptions {
  readonly rest: RestClient;
  readonly informers: InformerFactory;
  readonly registry: Registry;
  /** The speaker's metrics on `registry`, made once by the caller: the announcer feeds the same set. */
  readonly metrics: SpeakerMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly node: string;
  readonly namespace: string;
  readonly podName: string;
  readonly lbClass: string;
  readonly ignoreExcludeLB: boolean;
  /** This node's address (status.hostIP, METALLB_HOST): the BGP router ID when a BGPPeer sets none. */
  readonly nodeAddress?: string;
  /** BGP metrics on `registry`; made here when not given. */
  readonly bgpMetrics?: BGPMetrics;
  /** How BGP sessions are made: PeerSession over TCP unless a test passes its own connector. */
  readonly bgpSessions?: SessionFactory;
  /** Set: FRR mode, the sidecar runs BGP and BFD; unset: native mode. */
  readonly frr?: FrrBackendOptions;
  readonly announcer: L2Announcer;
  /** The announcer's usable interfaces now; undefined when it could not start. */
  readonly interfaceNames: () => ReadonlySet<string> | undefined;
  /** Why the announcer cannot answer, read each time the state is reported. */
  readonly announcerProblem: () => string | undefined;
  /** Undefined: membership disabled, every Node counts as a live speaker (upstream). */
  readonly membership?: {
    readonly list: SpeakerMembership;
    readonly namespace: string;
    readonly labels: string;
    readonly port: number;
  };
}

export interface RunningSpeaker {
  readonly layer2: Layer2Reconciler;
  readonly bgp: BGPReconciler;
  readonly bgpSessions: BGPBackend;
  hasSynced(): boolean;
  /** Re-reads the announcer's health and writes the ConfigurationState if it changed. */
  reportState(): void;
  /**
   * Stops everything. Without `shutdown` every BGP session closes with a Cease at once; with it (the process
   * is told to stop) the Node's state picks a restart or a drain (bgp/stopkind.ts) and the sessions close as
   * BGPSessionManager.shutdown says, a graceful shutdown waiting `gracefulShutdownMs`.
   */
  stop(shutdown?: SpeakerShutdown): Promise<void>;
}

export interface SpeakerShutdown {
  readonly gracefulShutdownMs: number;
}

const CONFIG_KEY = '\0config';
const STATE_KEY = '\0state';

const configView = (o: KubeObject & { spec?: unknown }): string =>
  JSON.stringify([o.metadata?.labels ?? {}, o.spec ?? null]);

async function podOwner(rest: RestClient, namespace: string, name: string): Promise<PodOwner | undefined> {
  if (name === '') return undefined;
  try {
    const pod = z
      .looseObject({ metadata: z.looseObject({ uid: z.string() }) })
      .parse(await rest.request({ method: 'GET', path: objectPath(RESOURCES.pods, name, namespace) }));
    return { name, uid: pod.metadata.uid };
  } catch {
    return undefined;
  }
}

export async function startSpeaker(options: SpeakerOptions): Promise<RunningSpeaker> {
  const startedAt = options.clock.now();
  const { rest, logger, namespace, node } = options;
  const make = options.informers;
  const withAddressPools = await isServed(rest, METALLB.addressPools).catch(() => false);

  const services = make(RESOURCES.services, decodeService);
  const slices = make(RESOURCES.endpointSlices, decodeSlice);
  const nodes = make(RESOURCES.nodes, decodeNode);
  const pools = make(METALLB.ipAddressPools, decodeKubeObject, { namespace });
  const l2Ads = make(METALLB.l2Advertisements, decodeKubeObject, { namespace });
  const namespaces = make(RESOURCES.namespaces, decodeKubeObject);
  const legacy = withAddressPools ? make(METALLB.addressPools, decodeKubeObject, { namespace }) : undefined;
  const bgpPeers = make(METALLB.bgpPeers, decodeKubeObject, { namespace });
  const bgpAds = make(METALLB.bgpAdvertisements, decodeKubeObject, { namespace });
  const communities = make(METALLB.communities, decodeKubeObject, { namespace });
  const bfdProfiles = make(METALLB.bfdProfiles, decodeKubeObject, { namespace });
  // BGPPeer passwordSecret: only basic-auth Secrets can hold one (config/peers.ts), so only those are cached.
  const secrets = make(RESOURCES.secrets, decodeKubeObject, {
    namespace,
    fieldSelector: 'type=kubernetes.io/basic-auth',
  });
  const statuses = make(METALLB.serviceL2Statuses, decodeOwnedObject, {
    namespace,
    labelSelector: `${LABEL_NODE}=${node}`,
  });
  // Upstream watches the bgpextras ConfigMap in both modes: FRR appends it, native refuses it.
  const bgpExtras = make(RESOURCES.configMaps, decodeBgpExtras, {
    namespace,
    fieldSelector: `metadata.name=${BGP_EXTRAS_CONFIGMAP}`,
  });
  const withBGPStatus = await isServed(rest, METALLB.serviceBGPStatuses).catch(() => false);
  const bgpStatuses = withBGPStatus
    ? make(METALLB.serviceBGPStatuses, decodeOwnedObject, {
        namespace,
        labelSelector: `${LABEL_NODE}=${node}`,
      })
    : undefined;
  const configState = make(METALLB.configurationStates, decodeOwnedObject, {
    namespace,
    fieldSelector: `metadata.name=${configStateName(node)}`,
  });
  const pods: Informer<SpeakerPod> | undefined = options.membership
    ? make(RESOURCES.pods, decodePod, {
        namespace: options.membership.namespace,
        labelSelector: options.membership.labels,
      })
    : undefined;
  const configInformers = [
    pools,
    l2Ads,
    namespaces,
    bgpPeers,
    bgpAds,
    communities,
    bfdProfiles,
    secrets,
    ...(legacy ? [legacy] : []),
  ];
  const all: Informer<KubeObject>[] = [
    services,
    slices,
    nodes,
    statuses,
    ...(bgpStatuses ? [bgpStatuses] : []),
    configState,
    bgpExtras,
    ...configInformers,
    ...(pods ? [pods] : []),
  ];

  // Slices by Service key, kept from the informer's events: the election reads a Service's slices per call.
  const slicesByService = new Map<string, Map<string, SpeakerSlice>>();
  const indexSlice = (s: SpeakerSlice, present: boolean): void => {
    if (s.service === '') return;
    let m = slicesByService.get(s.service);
    if (present) {
      if (m === undefined) slicesByService.set(s.service, (m = new Map()));
      m.set(s.metadata.name, s);
    } else if (m !== undefined) {
      m.delete(s.metadata.name);
      if (m.size === 0) slicesByService.delete(s.service);
    }
  };
  let electionNodes = new Map<string, ElectionNode>();
  const refreshNodes = (): void => {
    electionNodes = new Map(
      nodes
        .list()
        .map((n) => [
          n.metadata.name,
          { labels: n.metadata.labels, networkUnavailable: n.networkUnavailable },
        ]),
    );
  };

  const queue = new WorkQueue({ clock: options.clock });
  const recorder = new EventRecorder({
    sink: new RestEventSink(rest),
    clock: options.clock,
    logger,
    source: { component: 'metallb-speaker', host: node },
  });
  const metrics = options.metrics;
  let owner: PodOwner | undefined = await podOwner(rest, namespace, options.podName);
  const membershipView: Layer2Membership = options.membership
    ? {
        aliveSpeakers: () => options.membership?.list.aliveSpeakers(),
        isIsolated: () => options.membership?.list.isIsolated() ?? false,
      }
    : { aliveSpeakers: () => undefined, isIsolated: () => false };
  // What both protocols' reconcilers are given alike.
  const common = {
    myNode: node,
    namespace,
    lbClass: options.lbClass,
    ignoreExcludeLB: options.ignoreExcludeLB,
    logger,
    enqueue: (key: string) => queue.add(key),
    owner: () => owner,
  };
  const serviceSources = {
    service: (key: string) => services.get(key),
    slices: (key: string) => [...(slicesByService.get(key)?.values() ?? [])],
    serviceKeys: () => services.keys(),
  };
  const layer2 = new Layer2Reconciler({
    ...common,
    sources: {
      ...serviceSources,
      nodes: () => electionNodes,
      hasStatus: (name) => statuses.get(`${namespace}/${name}`) !== undefined,
    },
    membership: membershipView,
    announcer: options.announcer,
    interfaceNames: options.interfaceNames,
    statusWriter: new RestL2StatusWriter(rest),
    events: serviceEvents(recorder),
    metrics: metrics.layer2,
  });

  const frr = options.frr;
  // FRR mode: the sidecar runs the sessions, so only the announced series is this process's (app/frrmetrics.ts).
  const nativeMetrics = frr ? undefined : (options.bgpMetrics ?? bgpMetrics(options.registry, node));
  const announceMetrics = nativeMetrics?.announce ?? bgpAnnounceMetrics(options.registry, node);
  const frrParts = frr && frrBackend(frr, { clock: options.clock, logger, registry: options.registry });
  const frrSessions = frrParts?.sessions;
  const bgpSessions: BGPBackend =
    frrSessions ??
    new LazyBgpSessions({
      bgp: {
        node,
        ...(options.nodeAddress !== undefined && options.nodeAddress !== ''
          ? { nodeAddress: options.nodeAddress }
          : {}),
        logger,
        ...(nativeMetrics ? { observer: nativeMetrics.sessions } : {}),
        ...(options.bgpSessions ? { factory: options.bgpSessions } : {}),
      },
      // BFD (speaker/bfd/): the sessions follow the same peers as BGP, and a BFD Down drops that BGP session.
      bfd: { logger, observer: bfdMetrics(options.registry) },
      startedAt,
      now: () => options.clock.now(),
    });
  const bgp = new BGPReconciler({
    ...common,
    sources: {
      ...serviceSources,
      node: () => electionNodes.get(node),
      hasStatus: (name) => bgpStatuses?.get(`${namespace}/${name}`) !== undefined,
    },
    sessions: bgpSessions,
    ...(bgpStatuses ? { statusWriter: new RestBGPStatusWriter(rest) } : {}),
    events: bgpServiceEvents(recorder),
    metrics: announceMetrics,
  });

  // The last configuration outcome, for the ConfigurationState: undefined before the first build.
  let configErrors: readonly string[] | undefined;
  const stateWriter = new ConfigStateWriter(rest, namespace, node);
  const rebuildConfig = (): void => {
    const myLabels = electionNodes.get(node)?.labels;
    const result = buildConfig(
      {
        ipAddressPools: pools.list(),
        l2Advertisements: l2Ads.list(),
        // As upstream: what does not select this node is dropped before parsing, so it cannot invalidate it.
        bgpAdvertisements: forNode(bgpAds.list(), myLabels),
        bgpPeers: forNode(bgpPeers.list(), myLabels),
        communities: communities.list(),
        bfdProfiles: bfdProfiles.list(),
        secrets: secrets.list(),
        addressPools: legacy?.list() ?? [],
        namespaces: namespaces.list(),
        nodes: nodes.list(),
      },
      { bgpType: frr ? 'frr' : 'native' },
    );
    const extras = bgpExtras.list()[0]?.extras ?? '';
    if (result.ok && !frr && extras.trim() !== '') {
      configErrors = [nativeExtrasError(namespace)];
      logger.error('configuration is invalid, keeping the last good one', { errors: configErrors });
    } else if (result.ok) {
      configErrors = [];
      frrSessions?.setExtras(extras);
      void layer2.setConfig(result.config);
      frrSessions?.setBfdProfiles([...result.config.bfdProfiles.values()]);
      bgp.setConfig(result.config);
    } else {
      // Keep serving the last good configuration, as upstream does on a config that does not parse.
      configErrors = result.errors.map((e) => e.message);
      logger.error('configuration is invalid, keeping the last good one', { errors: configErrors });
    }
    queue.add(STATE_KEY);
  };

  const runner = new ReconcileRunner({
    name: 'speaker',
    queue,
    logger,
    observer: reconcileMetrics(options.registry),
    reconciler: {
      reconcile: async (key) => {
        if (key === CONFIG_KEY) return rebuildConfig();
        if (key === STATE_KEY) {
          owner ??= await podOwner(rest, namespace, options.podName);
          return stateWriter.write({ configErrors, announcerProblem: options.announcerProblem() }, owner);
        }
        // Both protocols converge the Service; an error in one does not keep the other from running.
        const [l2, viaBGP] = await Promise.allSettled([layer2.reconcile(key), bgp.reconcile(key)]);
        if (l2.status === 'rejected') throw l2.reason;
        if (viaBGP.status === 'rejected') throw viaBGP.reason;
        return l2.value;
      },
    },
  });

  services.addHandlers({
    onAdd: (s) => queue.add(objectKey(s)),
    onUpdate: (_o, s) => queue.add(objectKey(s)),
    onDelete: (s) => queue.add(objectKey(s)),
  });
  slices.addHandlers({
    onAdd: (s) => {
      indexSlice(s, true);
      queue.add(s.service);
    },
    onUpdate: (o, s) => {
      indexSlice(o, false);
      indexSlice(s, true);
      if (o.service !== s.service && o.service !== '') queue.add(o.service);
      if (s.service !== '' && JSON.stringify(o.endpoints) !== JSON.stringify(s.endpoints))
        queue.add(s.service);
    },
    onDelete: (s) => {
      indexSlice(s, false);
      if (s.service !== '') queue.add(s.service);
    },
  });
  let running = false;
  const nodeChanged = (before: SpeakerNode | undefined, after: SpeakerNode | undefined): void => {
    const labels = (n: SpeakerNode | undefined) => JSON.stringify(n?.metadata.labels ?? null);
    const labelsChanged = labels(before) !== labels(after);
    if (!labelsChanged && before?.networkUnavailable === after?.networkUnavailable) return; // heartbeats
    refreshNodes();
    if (!running) return;
    // Labels feed the advertisements' node selectors (resolved when the config is built).
    if (labelsChanged) queue.add(CONFIG_KEY);
    void layer2.membershipChanged();
    // BGP has no election: only this node's own labels (peer nodeSelectors, exclusion) and network matter.
    if ((before ?? after)?.metadata.name === node) bgp.nodeChanged();
  };
  nodes.addHandlers({
    onAdd: (n) => nodeChanged(undefined, n),
    onUpdate: (o, n) => nodeChanged(o, n),
    onDelete: (n) => nodeChanged(n, undefined),
  });
  for (const informer of configInformers) {
    informer.addHandlers({
      onAdd: () => queue.add(CONFIG_KEY),
      onUpdate: (o, n) => {
        if (configView(o) !== configView(n)) queue.add(CONFIG_KEY);
      },
      onDelete: () => queue.add(CONFIG_KEY),
    });
  }
  bgpExtras.addHandlers({
    onAdd: () => queue.add(CONFIG_KEY),
    onUpdate: (o, n) => {
      if (o.extras !== n.extras) queue.add(CONFIG_KEY);
    },
    onDelete: () => queue.add(CONFIG_KEY),
  });
  // Our own ServiceL2Status objects: a stale one (from before a restart) wakes its Service, which deletes it.
  const statusService = (o: KubeObject): void => {
    const ns = o.metadata?.labels?.[LABEL_SERVICE_NAMESPACE];
    const name = o.metadata?.labels?.[LABEL_SERVICE_NAME];
    if (ns !== undefined && name !== undefined) queue.add(`${ns}/${name}`);
  };
  statuses.addHandlers({ onAdd: statusService, onDelete: statusService });
  bgpStatuses?.addHandlers({ onAdd: statusService, onDelete: statusService });
  configState.addHandlers({
    onDelete: () => {
      stateWriter.reset();
      queue.add(STATE_KEY);
    },
  });

  let unsubscribe: (() => void) | undefined;
  let joinMembership = (): Promise<void> => Promise.resolve();
  if (options.membership && pods) {
    const ml = options.membership;
    const speakerPods = () =>
      pods
        .list()
        .filter((p) => p.nodeName !== '' && p.podIP !== '')
        .map((p) => ({ name: p.nodeName, address: p.podIP, port: ml.port }));
    let joined = false;
    const candidates = (): void => {
      if (joined) ml.list.setCandidates(speakerPods());
    };
    pods.addHandlers({ onAdd: candidates, onUpdate: candidates, onDelete: candidates });
    joinMembership = async () => {
      joined = true;
      await ml.list.start(speakerPods());
    };
    // Membership acknowledges a change only once this settles, so the withdrawals it computes (first, and
    // spread over turns of the event loop when there are many) have happened before a newcomer answers.
    unsubscribe = ml.list.onChange(() => (running ? layer2.membershipChanged() : undefined));
    if (ml.list.metrics) {
      const read = ml.list.metrics.bind(ml.list);
      metrics.watchMembership(read);
    }
  }

  all.forEach((i) => i.start());
  // Decisions need every cache: a partial Node or slice list would elect the wrong node.
  const synced = Promise.all(all.map((i) => i.waitForSync())).then(async () => {
    await joinMembership();
    refreshNodes();
    running = true;
    rebuildConfig();
    void layer2.membershipChanged();
    runner.start();
    frrParts?.start();
    logger.info('speaker serving Layer 2 and BGP', {
      node,
      namespace,
      lbClass: options.lbClass,
      bgpType: frr ? 'frr' : 'native',
    });
  });
  synced.catch((err: unknown) => logger.error('caches never synced', { error: describeError(err) }));

  return {
    layer2,
    bgp,
    bgpSessions,
    hasSynced: () => running,
    reportState: () => queue.add(STATE_KEY),
    async stop(shutdown) {
      unsubscribe?.();
      frrParts?.stop();
      await runner.stop();
      bgp.stop();
      if (shutdown === undefined) await bgpSessions.stop();
      else {
        const me = nodes.get(node);
        const decision = stopKindFor(
          me && { labels: me.metadata.labels, unschedulable: me.unschedulable },
          options.ignoreExcludeLB,
        );
        logger.info('speaker stopping', { kind: decision.kind, reason: decision.reason });
        await bgpSessions.shutdown(decision.kind, shutdown.gracefulShutdownMs);
      }
      all.forEach((i) => i.stop());
      await recorder.flush();
    },
  };
}
