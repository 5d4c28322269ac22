// The few facts about any Kubernetes object that generic plumbing needs: its key, its resourceVersion, a
// reference to it. Domain types (Service, IPAddressPool) are richer and live in api/; they satisfy
// KubeObject structurally, and so do client-node's generated models.
import { z } from 'zod';

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/**
 * The minimum an object from the API must have for the cache to hold it: a name. Everything else is kept
 * as sent (loose), so decoding never drops fields a later version of the API adds.
 */
export const kubeObjectSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
});

/** client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

export interface NamespacedName {
  readonly namespace?: string;
  readonly name: string;
}

/** The inverse of objectKey. */
export function splitKey(key: string): NamespacedName {
  const slash = key.indexOf('/');
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function resourceVersionOf(obj: KubeObject): string | undefined {
  return obj.metadata?.resourceVersion;
}

/** core/v1 ObjectReference: what Events point at. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export function referenceTo(obj: KubeObject): ObjectReference {
  const ref: ObjectReference = {};
  if (obj.apiVersion !== undefined) ref.apiVersion = obj.apiVersion;
  if (obj.kind !== undefined) ref.kind = obj.kind;
  const m = obj.metadata;
  if (m?.namespace !== undefined) ref.namespace = m.namespace;
  if (m?.name !== undefined) ref.name = m.name;
  if (m?.uid !== undefined) ref.uid = m.uid;
  if (m?.resourceVersion !== undefined) ref.resourceVersion = m.resourceVersion;
  return ref;
}
