// What the speaker caches of each watched kind: only the fields its decisions read. The informers decode
// straight into these small shapes, so 1,000 Services with their EndpointSlices cost a few hundred bytes
// each rather than the full objects (managedFields, addresses, ports, ...).
import { z } from 'zod';
import { isNetworkUnavailable } from '../election/announce';
import type { Decoder } from '../../kube/listwatch';

const Meta = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const RawService = z.looseObject({
  metadata: Meta,
  spec: z
    .looseObject({
      type: z.string().optional(),
      loadBalancerClass: z.string().nullish(),
      externalTrafficPolicy: z.string().optional(),
    })
    .optional(),
  status: z
    .looseObject({
      loadBalancer: z
        .looseObject({ ingress: z.array(z.looseObject({ ip: z.string().optional() })).nullish() })
        .optional(),
    })
    .optional(),
});

/** A Service as the speaker keeps it. `metadata` stays KubeObject-shaped for the informer and events. */
export interface SpeakerService {
  readonly apiVersion: 'v1';
  readonly kind: 'Service';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly type: string;
  readonly loadBalancerClass: string;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** status.loadBalancer.ingress[].ip in order; hostname-only entries are skipped. */
  readonly ingressIPs: readonly string[];
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

export const decodeService: Decoder<SpeakerService> = (raw) => {
  const s = RawService.parse(raw);
  const ips: string[] = [];
  for (const e of s.status?.loadBalancer?.ingress ?? []) if (e.ip) ips.push(e.ip);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.metadata.name,
      namespace: s.metadata.namespace ?? '',
      ...(s.metadata.uid !== undefined ? { uid: s.metadata.uid } : {}),
      ...(s.metadata.resourceVersion !== undefined ? { resourceVersion: s.metadata.resourceVersion } : {}),
      labels: s.metadata.labels ?? EMPTY,
      annotations: s.metadata.annotations ?? EMPTY,
    },
    type: s.spec?.type ?? 'ClusterIP',
    loadBalancerClass: s.spec?.loadBalancerClass ?? '',
    externalTrafficPolicy: s.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    ingressIPs: ips,
  };
};

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const RawSlice = z.looseObject({
  metadata: Meta,
  endpoints: z
    .array(
      z.looseObject({
        nodeName: z.string().nullish(),
        conditions: z
          .looseObject({
            ready: z.boolean().nullish(),
            serving: z.boolean().nullish(),
            terminating: z.boolean().nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
});

export interface SpeakerEndpoint {
  readonly nodeName?: string;
  readonly conditions: {
    readonly ready?: boolean;
    readonly serving?: boolean;
    readonly terminating?: boolean;
  };
}

export interface SpeakerSlice {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly resourceVersion?: string };
  /** The Service key (namespace/name) from the kubernetes.io/service-name label; '' when unlabelled. */
  readonly service: string;
  readonly endpoints: readonly SpeakerEndpoint[];
}

const defined = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

export const decodeSlice: Decoder<SpeakerSlice> = (raw) => {
  const s = RawSlice.parse(raw);
  const namespace = s.metadata.namespace ?? '';
  const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
  return {
    metadata: {
      name: s.metadata.name,
      namespace,
      ...(s.metadata.resourceVersion !== undefined ? { resourceVersion: s.metadata.resourceVersion } : {}),
    },
    service: svc ? `${namespace}/${svc}` : '',
    endpoints: (s.endpoints ?? []).map((e) => {
      const c = e.conditions ?? {};
      return {
        ...(defined(e.nodeName) ? { nodeName: e.nodeName } : {}),
        conditions: sharedConditions(c.ready, c.serving, c.terminating),
      };
    }),
  };
};

// Endpoint conditions take one of 27 values; every endpoint of every slice shares the frozen one.
const CONDITIONS = new Map<string, SpeakerEndpoint['conditions']>();
function sharedConditions(
  ready: boolean | null | undefined,
  serving: boolean | null | undefined,
  terminating: boolean | null | undefined,
): SpeakerEndpoint['conditions'] {
  const key = `${String(ready)}/${String(serving)}/${String(terminating)}`;
  let c = CONDITIONS.get(key);
  if (c === undefined) {
    c = Object.freeze({
      ...(defined(ready) ? { ready } : {}),
      ...(defined(serving) ? { serving } : {}),
      ...(defined(terminating) ? { terminating } : {}),
    });
    CONDITIONS.set(key, c);
  }
  return c;
}

/** An object the speaker only needs to know exists (its own statuses): metadata without managedFields. */
export interface OwnedObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly resourceVersion?: string;
    readonly labels: Readonly<Record<string, string>>;
  };
}

const RawOwned = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: Meta,
});

export const decodeOwnedObject: Decoder<OwnedObject> = (raw) => {
  const o = RawOwned.parse(raw);
  return {
    ...(o.apiVersion !== undefined ? { apiVersion: o.apiVersion } : {}),
    ...(o.kind !== undefined ? { kind: o.kind } : {}),
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? '',
      ...(o.metadata.resourceVersion !== undefined ? { resourceVersion: o.metadata.resourceVersion } : {}),
      labels: o.metadata.labels ?? EMPTY,
    },
  };
};

const RawNode = z.looseObject({
  metadata: Meta,
  spec: z.looseObject({ unschedulable: z.boolean().nullish() }).optional(),
  status: z
    .looseObject({
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).nullish(),
    })
    .optional(),
});

/**
 * A Node: its labels (node selectors, the exclude label), whether its network is unavailable, and whether it
 * is cordoned (spec.unschedulable, set by kubectl cordon and drain; read when the speaker stops).
 */
export interface SpeakerNode {
  readonly metadata: {
    readonly name: string;
    readonly resourceVersion?: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly networkUnavailable: boolean;
  readonly unschedulable: boolean;
}

export const decodeNode: Decoder<SpeakerNode> = (raw) => {
  const n = RawNode.parse(raw);
  return {
    metadata: {
      name: n.metadata.name,
      ...(n.metadata.resourceVersion !== undefined ? { resourceVersion: n.metadata.resourceVersion } : {}),
      labels: n.metadata.labels ?? EMPTY,
    },
    networkUnavailable: isNetworkUnavailable(n.status?.conditions ?? undefined),
    unschedulable: n.spec?.unschedulable === true,
  };
};

const RawPod = z.looseObject({
  metadata: Meta,
  spec: z.looseObject({ nodeName: z.string().optional() }).optional(),
  status: z.looseObject({ podIP: z.string().optional(), phase: z.string().optional() }).optional(),
});

/** A speaker Pod as a membership candidate: the node it runs on and its (host network) IP. */
export interface SpeakerPod {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly resourceVersion?: string };
  readonly nodeName: string;
  readonly podIP: string;
}

export const decodePod: Decoder<SpeakerPod> = (raw) => {
  const p = RawPod.parse(raw);
  return {
    metadata: {
      name: p.metadata.name,
      namespace: p.metadata.namespace ?? '',
      ...(p.metadata.resourceVersion !== undefined ? { resourceVersion: p.metadata.resourceVersion } : {}),
    },
    nodeName: p.spec?.nodeName ?? '',
    podIP: p.status?.podIP ?? '',
  };
};
