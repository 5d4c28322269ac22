// Everything the operator applies for its MetalLB resource, as plain objects: render/'s operand parts from the
// spec (fromspec.ts), each namespaced object owned by the resource so that deleting it lets the garbage
// collector remove them (upstream's SetControllerReference in metallb-operator controllers/metallb_controller.go),
// and the objects other settings would render and this one does not, which the reconciler deletes (switching
// frr -> native removes frr-startup; upstream deletes frr-k8s objects the same way).
import type { MetalLBSpec } from '../../api/metallb';
import { renderOperands } from '../../render/install';
import type { RenderedObject } from '../../render/object';
import {
  MONITORING_MODES,
  RENDERED_BGP_BACKENDS,
  type InstallOptions,
  type Platform,
} from '../../render/options';
import type { OperatorEnvironment } from '../env';
import { installOptionsFromSpec, type Unsupported } from './fromspec';

export const METALLB_API_VERSION = 'metallb.io/v1beta1';
/** Upstream's field manager, so tools that look for the MetalLB operator's fields find ours. */
export const FIELD_MANAGER = 'metallb-operator';
/**
 * On every object the operator applies. Cluster-scoped objects cannot be owned by a namespaced MetalLB (the
 * garbage collector refuses such references), so this label is how the operator finds them to remove them.
 */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'ironlb-operator' } as const;

export interface MetalLBOwner {
  readonly name: string;
  readonly uid: string;
}

/** Names an object the reconciler may delete. */
export interface ObjectId {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface Operands {
  readonly kind: 'operands';
  readonly options: InstallOptions;
  /** In apply order. */
  readonly objects: readonly RenderedObject[];
  /** Rendered under other settings but not these: deleted if they exist and are ours. */
  readonly stale: readonly ObjectId[];
}

export function idOf(o: RenderedObject): ObjectId {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
  };
}

const idKey = (id: ObjectId): string => `${id.apiVersion}/${id.kind}/${id.namespace ?? ''}/${id.name}`;

export function ownerReference(owner: MetalLBOwner): Record<string, unknown> {
  return {
    apiVersion: METALLB_API_VERSION,
    kind: 'MetalLB',
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function owned(o: RenderedObject, owner: MetalLBOwner): RenderedObject {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      labels: { ...o.metadata.labels, ...MANAGED_BY },
      ...(o.metadata.namespace !== undefined ? { ownerReferences: [ownerReference(owner)] } : {}),
    },
  };
}

/**
 * Every object some bgpBackend, monitoring and network policy setting renders, for these other options
 * (DISABLE_NETWORK_POLICIES=true on a restart removes the policy an earlier run applied).
 */
function everyVariant(options: InstallOptions): RenderedObject[] {
  return RENDERED_BGP_BACKENDS.flatMap((bgpBackend) =>
    MONITORING_MODES.flatMap((monitoring) =>
      [true, false].flatMap((networkPolicies) =>
        renderOperands({ ...options, bgpBackend, monitoring, networkPolicies }),
      ),
    ),
  );
}

export function renderForMetalLB(
  spec: MetalLBSpec,
  owner: MetalLBOwner,
  env: OperatorEnvironment,
  platform: Platform = 'kubernetes',
): Operands | Unsupported {
  const result = installOptionsFromSpec(spec, env, platform);
  if (result.kind === 'unsupported') return result;
  const objects = renderOperands(result.options).map((o) => owned(o, owner));
  const rendered = new Set(objects.map((o) => idKey(idOf(o))));
  const stale = new Map<string, ObjectId>();
  for (const o of everyVariant(result.options)) {
    const id = idOf(o);
    if (!rendered.has(idKey(id))) stale.set(idKey(id), id);
  }
  return { kind: 'operands', options: result.options, objects, stale: [...stale.values()] };
}
