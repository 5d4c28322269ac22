// The speaker's I/O shell: informers feed one keyed work queue; the Layer 2 reconciler converges each
// Service; config, Node and membership changes recompute only the Services they can move. Every part is
// passed in or built from kube/ interfaces (RestClient, informerFactory), so tests run it against a real API
// server with their own announcer and membership.
import type { Logger } from 'winston';
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
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { ElectionNode } from '../election/types';
import type { L2Announcer } from '../reconcile/announcements';
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
import type { SpeakerMetrics } from './metrics';
import { ConfigStateWriter, RestL2StatusWriter, serviceEvents } from './writers';

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
  hasSynced(): boolean;
  /** Re-reads the announcer's health and writes the ConfigurationState if it changed. */
  reportState(): void;
  stop(): Promise<void>;
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
  const statuses = make(METALLB.serviceL2Statuses, decodeOwnedObject, {
    namespace,
    labelSelector: `${LABEL_NODE}=${node}`,
  });
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
  const configInformers = [pools, l2Ads, namespaces, ...(legacy ? [legacy] : [])];
  const all: Informer<KubeObject>[] = [
    services,
    slices,
    nodes,
    statuses,
    configState,
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
  const layer2 = new Layer2Reconciler({
    myNode: node,
    namespace,
    lbClass: options.lbClass,
    ignoreExcludeLB: options.ignoreExcludeLB,
    sources: {
      service: (key) => services.get(key),
      slices: (key) => [...(slicesByService.get(key)?.values() ?? [])],
      nodes: () => electionNodes,
      serviceKeys: () => services.keys(),
      hasStatus: (name) => statuses.get(`${namespace}/${name}`) !== undefined,
    },
    membership: membershipView,
    announcer: options.announcer,
    interfaceNames: options.interfaceNames,
    statusWriter: new RestL2StatusWriter(rest),
    events: serviceEvents(recorder),
    metrics: metrics.layer2,
    logger,
    enqueue: (key) => queue.add(key),
    owner: () => owner,
  });

  // The last configuration outcome, for the ConfigurationState: undefined before the first build.
  let configErrors: readonly string[] | undefined;
  const stateWriter = new ConfigStateWriter(rest, namespace, node);
  const rebuildConfig = (): void => {
    const result = buildConfig(
      {
        ipAddressPools: pools.list(),
        l2Advertisements: l2Ads.list(),
        addressPools: legacy?.list() ?? [],
        namespaces: namespaces.list(),
        nodes: nodes.list(),
      },
      { bgpType: 'native' },
    );
    if (result.ok) {
      configErrors = [];
      void layer2.setConfig(result.config);
    } else {
      // Keep serving the last good configuration, as upstream does on a config that does not parse.
      configErrors = result.errors.map((e) => e.message);
      logger.error('configuration is invalid, keeping the last good one', { errors: configErrors });
    }
    queue.add(STATE_KEY);
  };

  const runner = new ReconcileRunner({
    name: 'layer2',
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
        return layer2.reconcile(key);
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
  // Our own ServiceL2Status objects: a stale one (from before a restart) wakes its Service, which deletes it.
  const statusService = (o: KubeObject): void => {
    const ns = o.metadata?.labels?.[LABEL_SERVICE_NAMESPACE];
    const name = o.metadata?.labels?.[LABEL_SERVICE_NAME];
    if (ns !== undefined && name !== undefined) queue.add(`${ns}/${name}`);
  };
  statuses.addHandlers({ onAdd: statusService, onDelete: statusService });
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
    logger.info('speaker serving Layer 2', { node, namespace, lbClass: options.lbClass });
  });
  synced.catch((err: unknown) => logger.error('caches never synced', { error: describeError(err) }));

  return {
    layer2,
    hasSynced: () => running,
    reportState: () => queue.add(STATE_KEY),
    async stop() {
      unsubscribe?.();
      await runner.stop();
      all.forEach((i) => i.stop());
      await recorder.flush();
    },
  };
}
