// What the webhooks validate against: the current objects, read from the API server on each review.
// Config objects change rarely and reviews are rare, so a fresh read beats a cache that might lag the
// write it is asked about.
import { z } from 'zod';
import type { ClusterResources } from '../../config/resources';
import { collectionPath, RESOURCES, ResourceRef } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import { METALLB } from '../reconciler/resources';

const ListSchema = z.looseObject({ items: z.array(z.unknown()).nullish() });

export function restSnapshot(rest: RestClient, namespace: string): () => Promise<ClusterResources> {
  const list = async (resource: ResourceRef, ns?: string): Promise<unknown[]> => {
    const raw = await rest.request({ method: 'GET', path: collectionPath(resource, ns) });
    const items = ListSchema.parse(raw).items ?? [];
    // List items carry no apiVersion; buildConfig tells BGPPeer versions apart by it.
    const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
    return items.map((item) => (typeof item === 'object' && item !== null ? { apiVersion, kind: resource.kind, ...item } : item));
  };
  return async () => {
    const [ipAddressPools, l2Advertisements, bgpAdvertisements, bgpPeers, communities, bfdProfiles, secrets, namespaces, nodes] =
      await Promise.all([
        list(METALLB.ipAddressPools, namespace),
        list(METALLB.l2Advertisements, namespace),
        list(METALLB.bgpAdvertisements, namespace),
        list(METALLB.bgpPeers, namespace),
        list(METALLB.communities, namespace),
        list(METALLB.bfdProfiles, namespace),
        list(RESOURCES.secrets, namespace),
        list(RESOURCES.namespaces),
        list(RESOURCES.nodes),
      ]);
    return { ipAddressPools, l2Advertisements, bgpAdvertisements, bgpPeers, communities, bfdProfiles, secrets, namespaces, nodes };
  };
}
