// The two writes the controller makes to a Service: status.loadBalancer.ingress through the status
// subresource, and the ip-allocated-from-pool annotation through a merge patch of the object. Merge
// patches carry no resourceVersion: the controller owns these fields, and the reconcile is level-triggered,
// so a later change to the Service simply triggers another pass.
import { objectPath, RESOURCES } from '../../kube/resource';
import { CONTENT_TYPE, RestClient } from '../../kube/rest';
import { Service } from '../../api/service';

export interface ServiceWriter {
  /** Replaces status.loadBalancer.ingress; an empty list clears status.loadBalancer. */
  writeIngress(svc: Service, ingress: readonly { readonly ip: string }[]): Promise<void>;
  /** Sets (string) or removes (null) annotations. */
  patchAnnotations(svc: Service, patch: Readonly<Record<string, string | null>>): Promise<void>;
}

export class RestServiceWriter implements ServiceWriter {
  constructor(private readonly rest: RestClient) {}

  async writeIngress(svc: Service, ingress: readonly { readonly ip: string }[]): Promise<void> {
    const { namespace, name } = nameOf(svc);
    // A merge patch replaces lists whole; null removes the field.
    const loadBalancer = ingress.length > 0 ? { ingress } : { ingress: null };
    await this.rest.request({
      method: 'PATCH',
      path: objectPath(RESOURCES.services, name, namespace, 'status'),
      body: { status: { loadBalancer } },
      contentType: CONTENT_TYPE.mergePatch,
    });
  }

  async patchAnnotations(svc: Service, patch: Readonly<Record<string, string | null>>): Promise<void> {
    const { namespace, name } = nameOf(svc);
    await this.rest.request({
      method: 'PATCH',
      path: objectPath(RESOURCES.services, name, namespace),
      body: { metadata: { annotations: patch } },
      contentType: CONTENT_TYPE.mergePatch,
    });
  }
}

function nameOf(svc: Service): { namespace: string; name: string } {
  return { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '' };
}
