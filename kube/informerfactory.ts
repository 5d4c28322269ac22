// Informers for any resource, sharing one RestWatch (the connection's keep-alive pool) and the clock and
// logger of the process: what each deployable composes its caches from.
import type { Logger } from './log';
import { z } from 'zod';
import type { Clock } from './clock';
import { isNotFound } from './errors';
import { Informer } from './informer';
import { RestListWatch, type Decoder } from './listwatch';
import type { KubeObject } from './object';
import { type ResourceRef } from './resource';
import type { KubeConfigLike, RestClient } from './rest';
import { RestWatch } from './watch';

export interface InformerScope {
  /** Only this namespace; all namespaces when absent (or for cluster-scoped kinds). */
  readonly namespace?: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
}

export type InformerFactory = <T extends KubeObject>(
  resource: ResourceRef,
  decode: Decoder<T>,
  scope?: InformerScope,
) => Informer<T>;

export function informerFactory(opts: {
  /** The connection the watches use: a ClusterAccess (kube/credentials), or client-node's KubeConfig in tests. */
  kubeConfig: KubeConfigLike;
  rest: RestClient;
  clock: Clock;
  logger: Logger;
}): InformerFactory {
  const watch = new RestWatch(opts.kubeConfig);
  return <T extends KubeObject>(resource: ResourceRef, decode: Decoder<T>, scope: InformerScope = {}) =>
    new Informer<T>({
      source: new RestListWatch<T>({
        rest: opts.rest,
        watch,
        resource,
        decode,
        logger: opts.logger,
        ...(scope.namespace !== undefined ? { namespace: scope.namespace } : {}),
        ...(scope.fieldSelector !== undefined ? { fieldSelector: scope.fieldSelector } : {}),
        ...(scope.labelSelector !== undefined ? { labelSelector: scope.labelSelector } : {}),
      }),
      clock: opts.clock,
      logger: opts.logger,
    });
}

const APIResourceList = z.looseObject({ resources: z.array(z.looseObject({ name: z.string() })).nullish() });

/**
 * Whether the API server serves `resource` (discovery of its group/version). An informer for a kind whose
 * CRD is absent would retry forever and never sync, so optional kinds are asked about first.
 */
export async function isServed(rest: RestClient, resource: ResourceRef): Promise<boolean> {
  const path =
    resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  try {
    const list = APIResourceList.parse(await rest.request({ method: 'GET', path }));
    return (list.resources ?? []).some((r) => r.name === resource.plural);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
