// The operator's writes: operands by server-side apply under one field manager with force (upstream's
// ForceOwnership: a hand edit of a field the operator renders is put back), reads and deletes by name, and the
// MetalLB resource's conditions through its status subresource.
import type { Condition } from '../../api/meta';
import { applyObject, applyStatus } from '../../kube/apply';
import { isNotFound } from '../../kube/errors';
import { objectPath } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import { z } from 'zod';
import type { RenderedObject } from '../../render/object';
import { FIELD_MANAGER, METALLB_API_VERSION, type ObjectId } from '../render/operands';
import { CRD_RESOURCE, METALLB, resourceFor } from './resources';

export interface OperandClient {
  /** The object as stored after the apply, status included. */
  apply(obj: RenderedObject): Promise<unknown>;
  /** Undefined when it does not exist (or its kind is not served). */
  get(id: ObjectId): Promise<unknown>;
  /** Deletes in the background (the garbage collector removes dependents); absent is fine. */
  delete(id: ObjectId): Promise<void>;
  /**
   * Adds these annotations to a CustomResourceDefinition someone else installed (never creates it); false
   * when the CRD does not exist.
   */
  annotateCrd(name: string, annotations: Readonly<Record<string, string>>): Promise<boolean>;
}

export interface MetalLBStatusWriter {
  writeConditions(namespace: string, name: string, conditions: readonly Condition[]): Promise<void>;
}

const StoredObject = z.looseObject({
  metadata: z.looseObject({ annotations: z.record(z.string(), z.string()).optional() }),
});

const path = (id: ObjectId): string => {
  const resource = resourceFor(id.apiVersion, id.kind);
  return objectPath(resource, id.name, resource.namespaced ? id.namespace : undefined);
};

export class RestOperandClient implements OperandClient, MetalLBStatusWriter {
  constructor(private readonly rest: RestClient) {}

  apply(obj: RenderedObject): Promise<unknown> {
    return applyObject(this.rest, resourceFor(obj.apiVersion, obj.kind), obj, {
      fieldManager: FIELD_MANAGER,
      force: true,
    });
  }

  async get(id: ObjectId): Promise<unknown> {
    try {
      return await this.rest.request({ method: 'GET', path: path(id) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(id: ObjectId): Promise<void> {
    try {
      await this.rest.request({
        method: 'DELETE',
        path: path(id),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async annotateCrd(name: string, annotations: Readonly<Record<string, string>>): Promise<boolean> {
    // Read, then update with the read resourceVersion (a concurrent writer makes it a 409 the runner retries).
    // Not a patch: OLM's good-practices validator counts `patch` (and `create`) on CRDs as an operator that
    // manages CRDs; `update` of one CRD by name, as the controller holds for its caBundle, it does not.
    let crd: unknown;
    try {
      crd = await this.rest.request({ method: 'GET', path: objectPath(CRD_RESOURCE, name) });
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    const parsed = StoredObject.parse(crd);
    const current = parsed.metadata.annotations ?? {};
    if (Object.entries(annotations).every(([k, v]) => current[k] === v)) return true;
    await this.rest.request({
      method: 'PUT',
      path: objectPath(CRD_RESOURCE, name),
      body: { ...parsed, metadata: { ...parsed.metadata, annotations: { ...current, ...annotations } } },
    });
    return true;
  }

  async writeConditions(namespace: string, name: string, conditions: readonly Condition[]): Promise<void> {
    await applyStatus(
      this.rest,
      METALLB.metallbs,
      {
        apiVersion: METALLB_API_VERSION,
        kind: 'MetalLB',
        metadata: { name, namespace },
        status: { conditions },
      },
      { fieldManager: FIELD_MANAGER, force: true },
    );
  }
}
