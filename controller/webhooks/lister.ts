// What the webhooks validate against: the current objects, read from the API server on each review, and
// only the kinds that review needs. Config objects change rarely and reviews are rare, so a fresh read
// beats a cache that might lag the write it is asked about.
import { z } from 'zod';
import type { ClusterResources } from '../../config/resources';
import { isTooManyRequests } from '../../kube/errors';
import { collectionPath, RESOURCES, ResourceRef } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import { CONFIG_KINDS, UnknownKindError, resourceRef } from '../../api/resources';
import type { ResourceKey } from './validate';

const ListSchema = z.looseObject({ items: z.array(z.unknown()).nullish() });

interface Source {
  readonly resource: ResourceRef;
  readonly namespaced: boolean;
}

/** Where each kind lives; `namespaced` kinds are read from the MetalLB namespace only. */
function sourceOf(key: ResourceKey): Source {
  switch (key) {
    case 'secrets':
      return { resource: RESOURCES.secrets, namespaced: true };
    case 'namespaces':
      return { resource: RESOURCES.namespaces, namespaced: false };
    case 'nodes':
      return { resource: RESOURCES.nodes, namespaced: false };
    default: {
      const def = CONFIG_KINDS.find((k) => k.configList === key);
      if (!def) throw new UnknownKindError(`no metallb.io kind lists its objects under ${key}`);
      return { resource: resourceRef(def), namespaced: true };
    }
  }
}

const RETRIES = 3;
const RETRY_DELAY_MS = 200;

export function restSnapshot(
  rest: RestClient,
  namespace: string,
): (kinds: readonly ResourceKey[]) => Promise<ClusterResources> {
  const list = async ({ resource, namespaced }: Source): Promise<unknown[]> => {
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
    const entries = await Promise.all(kinds.map(async (k) => [k, await list(sourceOf(k))] as const));
    return Object.fromEntries(entries);
  };
}
