// The objects the speaker reports itself through, rendered as plain data: ServiceL2Status for each Service
// it announces (upstream internal/k8s/controllers/layer2_status_controller.go) and its ConfigurationState
// `speaker-<node>` (configuration_state_controller.go). Upstream creates ServiceL2Status with
// generateName `l2-` and finds it again by labels; ironlb derives the name from node and Service instead, so
// server-side apply is idempotent and a restart can never leave a duplicate behind.
import { createHash } from 'node:crypto';
import type { Interfaces } from './decide';

export const LABEL_NODE = 'metallb.io/node';
export const LABEL_SERVICE_NAME = 'metallb.io/service-name';
export const LABEL_SERVICE_NAMESPACE = 'metallb.io/service-namespace';

/** This speaker's Pod: the owner of what it writes, so the objects go when the Pod does. */
export interface PodOwner {
  readonly name: string;
  readonly uid: string;
}

export interface L2StatusInput {
  readonly namespace: string;
  readonly node: string;
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly interfaces: Interfaces;
  readonly owner: PodOwner | undefined;
}

const statusDigest = (node: string, serviceNamespace: string, serviceName: string): string =>
  createHash('sha256').update(`${node}\0${serviceNamespace}\0${serviceName}`).digest('hex').slice(0, 16);

export function l2StatusName(node: string, serviceNamespace: string, serviceName: string): string {
  return `l2-${statusDigest(node, serviceNamespace, serviceName)}`;
}

/** ServiceBGPStatus: upstream's generateName prefix `bgp-`, the name derived as for ServiceL2Status. */
export function bgpStatusName(node: string, serviceNamespace: string, serviceName: string): string {
  return `bgp-${statusDigest(node, serviceNamespace, serviceName)}`;
}

function ownerReferences(owner: PodOwner | undefined) {
  return owner === undefined
    ? {}
    : { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: owner.name, uid: owner.uid }] };
}

/** What every per-Service status object of a node carries: where it lives, our labels, our Pod as owner. */
type StatusIdentity = Pick<
  L2StatusInput,
  'namespace' | 'node' | 'serviceName' | 'serviceNamespace' | 'owner'
>;

function statusMetadata(name: string, input: StatusIdentity) {
  return {
    name,
    namespace: input.namespace,
    labels: {
      [LABEL_NODE]: input.node,
      [LABEL_SERVICE_NAME]: input.serviceName,
      [LABEL_SERVICE_NAMESPACE]: input.serviceNamespace,
    },
    ...ownerReferences(input.owner),
  };
}

const statusIdentity = (input: StatusIdentity) => ({
  node: input.node,
  serviceName: input.serviceName,
  serviceNamespace: input.serviceNamespace,
});

export function renderL2Status(input: L2StatusInput) {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceL2Status',
    metadata: statusMetadata(l2StatusName(input.node, input.serviceNamespace, input.serviceName), input),
    status: {
      ...statusIdentity(input),
      // Upstream sets interfaces only when the announcement is restricted to some of them.
      ...(input.interfaces === 'all' ? {} : { interfaces: input.interfaces.map((name) => ({ name })) }),
    },
  };
}

export interface BGPStatusInput extends StatusIdentity {
  /** The BGPPeers the Service is configured to be advertised to from this node, sorted. */
  readonly peers: readonly string[];
}

/** upstream internal/k8s/controllers/bgp_status_controller.go: one object per node and Service, same labels. */
export function renderBGPStatus(input: BGPStatusInput) {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceBGPStatus',
    metadata: statusMetadata(bgpStatusName(input.node, input.serviceNamespace, input.serviceName), input),
    status: {
      ...statusIdentity(input),
      peers: [...input.peers],
    },
  };
}

export const CONFIG_CONDITION = 'configReconcilerValid';
/** ironlb's own condition: whether the Layer 2 announcer could open its sockets. */
export const ANNOUNCER_CONDITION = 'layer2AnnouncerReady';

export interface SpeakerStateReport {
  /** Configuration errors; empty when the config is valid; undefined before the first build. */
  readonly configErrors: readonly string[] | undefined;
  /** Why the announcer cannot answer (no CAP_NET_RAW, no usable interface); undefined when it can. */
  readonly announcerProblem: string | undefined;
}

export function configStateName(node: string): string {
  return `speaker-${node}`;
}

/**
 * The ConfigurationState object and its status. `result` reflects the configuration only, as upstream's:
 * Unknown before the first build, Invalid on configuration errors. An announcer problem is a condition with
 * reason InfraError (defined upstream for this, never used there) and part of errorSummary.
 */
export function renderConfigState(
  namespace: string,
  node: string,
  report: SpeakerStateReport,
  owner: PodOwner | undefined,
  transitionTimes: { config: string; announcer: string },
) {
  const conditions: Record<string, unknown>[] = [];
  if (report.configErrors !== undefined) {
    const valid = report.configErrors.length === 0;
    conditions.push({
      type: CONFIG_CONDITION,
      status: valid ? 'True' : 'False',
      reason: valid ? 'Reconciled' : 'ConfigurationError',
      message: report.configErrors.join('\n'),
      lastTransitionTime: transitionTimes.config,
    });
  }
  conditions.push({
    type: ANNOUNCER_CONDITION,
    status: report.announcerProblem === undefined ? 'True' : 'False',
    reason: report.announcerProblem === undefined ? 'Reconciled' : 'InfraError',
    message: report.announcerProblem ?? '',
    lastTransitionTime: transitionTimes.announcer,
  });
  const summary = [
    ...(report.configErrors ?? []),
    ...(report.announcerProblem ? [report.announcerProblem] : []),
  ];
  return {
    metadata: {
      name: configStateName(node),
      namespace,
      labels: { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': node },
      ...ownerReferences(owner),
    },
    status: {
      result:
        report.configErrors === undefined ? 'Unknown' : report.configErrors.length > 0 ? 'Invalid' : 'Valid',
      errorSummary: summary.join('\n'),
      conditions,
    },
  };
}
