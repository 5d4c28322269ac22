// Where a resource lives in the REST API. We name resources explicitly (group, version, plural) instead of
// asking discovery as client-node's KubernetesObjectApi does: one request fewer per call, and a typo is a
// test failure rather than a runtime "Unrecognized API version and kind".

import type { ResourceRef } from '../api/resourceref';

export type { ResourceRef };

export class ResourcePathError extends Error {
  override readonly name = 'ResourcePathError';
}

export function apiVersionOf(ref: ResourceRef): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

function groupVersionPath(ref: ResourceRef): string {
  return ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
}

/**
 * The collection URL. For a namespaced resource, no namespace means every namespace (list and watch only).
 */
export function collectionPath(ref: ResourceRef, namespace?: string): string {
  if (!ref.namespaced && namespace !== undefined) {
    throw new ResourcePathError(`${ref.plural} is cluster-scoped but namespace "${namespace}" was given`);
  }
  const ns = namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(ref)}${ns}/${ref.plural}`;
}

/** One object's URL, optionally a subresource of it such as "status". */
export function objectPath(ref: ResourceRef, name: string, namespace?: string, subresource?: string): string {
  if (name === '') throw new ResourcePathError(`${ref.plural}: object name is empty`);
  if (ref.namespaced && (namespace === undefined || namespace === '')) {
    throw new ResourcePathError(`${ref.plural}/${name}: namespaced resource needs a namespace`);
  }
  const base = collectionPath(ref, ref.namespaced ? namespace : undefined);
  const sub = subresource !== undefined ? `/${subresource}` : '';
  return `${base}/${encodeURIComponent(name)}${sub}`;
}

const core = (plural: string, kind: string, namespaced: boolean): ResourceRef => ({
  group: '',
  version: 'v1',
  plural,
  kind,
  namespaced,
});

/** Built-in resources the deployables use. MetalLB's own CRDs are described in api/. */
export const RESOURCES = {
  services: core('services', 'Service', true),
  nodes: core('nodes', 'Node', false),
  namespaces: core('namespaces', 'Namespace', false),
  secrets: core('secrets', 'Secret', true),
  configMaps: core('configmaps', 'ConfigMap', true),
  events: core('events', 'Event', true),
  pods: core('pods', 'Pod', true),
  endpointSlices: {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
  },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
} as const satisfies Record<string, ResourceRef>;
