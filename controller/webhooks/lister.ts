// What the webhooks validate against: the current objects, read from the API server on each review, and
// only the kinds that review needs. Config objects change rarely and reviews are rare, so a fresh read
// beats a cache that might lag the write it is asked about.
import { z } from 'zod';
import type { ClusterResources } from '../../config/resources';
import { isTooManyRequests } from '../../kube/errors';
import { collectionPath, RESOURCES, ResourceRef } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import { METALLB } from '../reconciler/resources';
import type { ResourceKey } from './validate';

const ListSchema = z.looseObject({ items: z.array(z.unknown()).nullish() });

/** Where each kind lives; `namespaced` kinds are read from the MetalLB namespace only. */
const SOURCES: Record<ResourceKey, { resource: ResourceRef; namespaced: boolean }> = {
  ipAddressPools: { resource: METALLB.ipAddressPools, namespaced: true },
  addressPools: { resource: METALLB.addressPools, namespaced: true },
  l2Advertisements: { resource: METALLB.l2Advertisements, namespaced: true },
  bgpAdvertisements: { resource: METALLB.bgpAdvertisements, namespaced: true },
  bgpPeers: { resource: METALLB.bgpPeers, namespaced: true },
  communities: { resource: METALLB.communities, namespaced: true },
  bfdProfiles: { resource: METALLB.bfdProfiles, namespaced: true },
  secrets: { resource: RESOURCES.secrets, namespaced: true },
  namespaces: { resource: RESOURCES.namespaces, namespaced: false },
  nodes: { resource: RESOURCES.nodes, namespaced: false },
};

const RETRIES = 3;
const RETRY_DELAY_MS = 200;

export function restSnapshot(
  rest: RestClient,
  namespace: string,
): (kinds: readonly ResourceKey[]) => Promise<ClusterResources> {
  const list = async ({
    resource,
    namespaced,
  }: {
    resource: ResourceRef;
    namespaced: boolean;
  }): Promise<unknown[]> => {
    const path = collectionPath(resource, namespaced ? namespace : undefined);
    for (let attempt = 0; ; attempt++) {
      try {
        const items = ListSchema.parse(await rest.request({ method: 'GET', path })).items ?? [];
        // List items carry no apiVersion; buildConfig tells BGPPeer versions apart by it.
        const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
        return items.map((item) =>
          typeof item === 'object' && item !== null ? { apiVersion, kind: resource.kind, ...item } : item,
        );
      } catch (err) {
        // 429: the API server is throttling or its storage for the kind is still initialising.
        if (!isTooManyRequests(err) || attempt >= RETRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (attempt + 1)));
      }
    }
  };
  return async (kinds) => {
    const entries = await Promise.all(kinds.map(async (k) => [k, await list(SOURCES[k])] as const));
    return Object.fromEntries(entries);
  };
}
