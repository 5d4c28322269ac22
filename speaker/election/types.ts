// The plain data the Layer 2 election reads. The speaker's informers hold Kubernetes objects; the wiring
// projects them into these shapes once per change, so the election never sees a client or a raw object.
import type { L2Advertisement, Labels } from '../../config/types';

/** The fields of a Service that decide who announces it. */
export interface ElectionService {
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** status.loadBalancer.ingress[].ip in order; the first one feeds the election hash. */
  readonly ingressIPs: readonly string[];
}

/** discovery.k8s.io/v1 EndpointConditions; absent means unknown, as in the API. */
export interface EndpointConditions {
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

export interface Endpoint {
  readonly nodeName?: string;
  readonly conditions: EndpointConditions;
}

export interface EndpointSlice {
  readonly endpoints: readonly Endpoint[];
}

/** A Node as the election needs it. */
export interface ElectionNode {
  readonly labels: Labels;
  /** The NetworkUnavailable condition is True. */
  readonly networkUnavailable: boolean;
}

/** What the election reads from an L2Advertisement of the config (config/types.ts). */
export type ElectionAdvertisement = Pick<
  L2Advertisement,
  'name' | 'nodes' | 'serviceSelectors' | 'preferredNodes'
>;

/** Why this speaker does not announce a Service; the strings are upstream's (speaker/layer2_controller.go). */
export type NotAnnouncingReason = 'notOwner' | 'noMatchingAdvertisement' | 'sharedIPWithServiceSelector';

export type AnnounceDecision =
  | {
      readonly announce: true;
      /** The advertisements that matched the Service and include this node (for interface selection). */
      readonly advertisements: readonly ElectionAdvertisement[];
    }
  | {
      readonly announce: false;
      readonly reason: NotAnnouncingReason;
      /** The elected node when there is one and it is not this node. */
      readonly winner?: string;
    };
