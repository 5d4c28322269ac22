// The one way tests (and the demo) read what ironlb wrote on a Service: its ingress addresses in the order
// written, and the pool the controller says they came from.
import { objectPath, RESOURCES } from '../kube/resource';
import type { RestClient } from '../kube/rest';
import { ServiceSchema, ingressIPs } from '../api/service';
import { ALLOCATED_FROM_POOL } from '../api/serviceannotations';

export interface ServiceAddresses {
  /** status.loadBalancer.ingress[].ip, in order. */
  readonly ips: string[];
  /** metallb.io/ip-allocated-from-pool, undefined when not set. */
  readonly pool: string | undefined;
}

export async function readService(
  api: RestClient,
  namespace: string,
  name: string,
): Promise<ServiceAddresses> {
  const raw = await api.request({ method: 'GET', path: objectPath(RESOURCES.services, name, namespace) });
  const svc = ServiceSchema.parse(raw);
  return { ips: ingressIPs(svc), pool: svc.metadata.annotations?.[ALLOCATED_FROM_POOL] };
}
