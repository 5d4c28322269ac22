// Server-side apply: send the fields we own, under our field manager, and let the API server merge. No read
// before write and no resourceVersion: SSA resolves concurrent writers per field, so reconcilers stay
// level-triggered and idempotent. `force` takes over fields another manager set (controllers own their
// outputs; a user's hand edit is reverted, as with MetalLB's Update calls).
import { KubeObject, kubeObjectSchema } from './object';
import { ResourceRef, apiVersionOf, objectPath } from './resource';
import { CONTENT_TYPE, RestClient } from './rest';

export interface ApplyOptions {
  /** Names the owner of the applied fields, e.g. "metallb-controller". */
  readonly fieldManager: string;
  /** Take over conflicting fields owned by other managers. Default true. */
  readonly force?: boolean;
  /** Validate and return the result without persisting. */
  readonly dryRun?: boolean;
}

export class ApplyError extends Error {
  override readonly name = 'ApplyError';
}

/** The object's path, after checking it names the resource it is applied to. */
function applyTarget(resource: ResourceRef, obj: KubeObject): { path: string; body: KubeObject } {
  const apiVersion = apiVersionOf(resource);
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    throw new ApplyError(
      `apply to ${resource.plural}: apiVersion is ${obj.apiVersion}, expected ${apiVersion}`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== resource.kind) {
    throw new ApplyError(`apply to ${resource.plural}: kind is ${obj.kind}, expected ${resource.kind}`);
  }
  const name = obj.metadata?.name;
  if (name === undefined || name === '')
    throw new ApplyError(`apply to ${resource.plural}: metadata.name is required`);
  const namespace = obj.metadata?.namespace;
  if (resource.namespaced && (namespace === undefined || namespace === '')) {
    throw new ApplyError(`apply to ${resource.plural}/${name}: metadata.namespace is required`);
  }
  // SSA needs apiVersion and kind in the body; fill them in so callers can pass just what they own.
  return { path: objectPath(resource, name, namespace), body: { ...obj, apiVersion, kind: resource.kind } };
}

async function send(
  rest: RestClient,
  path: string,
  body: KubeObject,
  options: ApplyOptions,
): Promise<KubeObject> {
  if (options.fieldManager === '') throw new ApplyError('server-side apply needs a fieldManager');
  const raw = await rest.request({
    method: 'PATCH',
    path,
    body,
    contentType: CONTENT_TYPE.apply,
    query: {
      fieldManager: options.fieldManager,
      force: options.force ?? true,
      dryRun: options.dryRun === true ? 'All' : undefined,
    },
  });
  return kubeObjectSchema.parse(raw);
}

/**
 * Applies `obj` (only the fields this manager owns) and returns the object as stored. Creates it if it
 * does not exist. The result is loosely typed: parse it with the resource's schema.
 */
export async function applyObject<T extends KubeObject>(
  rest: RestClient,
  resource: ResourceRef,
  obj: T,
  options: ApplyOptions,
): Promise<KubeObject> {
  const { path, body } = applyTarget(resource, obj);
  return send(rest, path, body, options);
}

/**
 * Applies the status subresource: `obj` carries metadata (name, namespace) and `status`; anything else in
 * it is ignored by the server. The resource must have the status subresource enabled (all MetalLB CRDs do).
 */
export async function applyStatus<T extends KubeObject>(
  rest: RestClient,
  resource: ResourceRef,
  obj: T,
  options: ApplyOptions,
): Promise<KubeObject> {
  const { path, body } = applyTarget(resource, obj);
  return send(rest, `${path}/status`, body, options);
}
