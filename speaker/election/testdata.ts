// Builders for election tests: advertisements, services and endpoint slices with upstream's defaults.
import type { LabelSelector } from '../../config/types';
import type { ElectionAdvertisement, ElectionNode, ElectionService, Endpoint, EndpointSlice } from './types';

export function ad(
  name: string,
  nodes: readonly string[],
  extra: { preferred?: Record<string, number>; serviceSelectors?: LabelSelector[] } = {},
): ElectionAdvertisement {
  return {
    name,
    nodes: new Set(nodes),
    serviceSelectors: extra.serviceSelectors ?? [],
    preferredNodes: new Map(Object.entries(extra.preferred ?? {})),
  };
}

export function matchLabels(labels: Record<string, string>): LabelSelector {
  return {
    requirements: Object.keys(labels)
      .sort()
      .map((key) => ({ key, operator: 'In' as const, values: [labels[key] ?? ''] })),
  };
}

export function svc(ip: string | string[], extra: Partial<ElectionService> = {}): ElectionService {
  return {
    labels: {},
    annotations: {},
    externalTrafficPolicy: 'Cluster',
    ingressIPs: Array.isArray(ip) ? ip : [ip],
    ...extra,
  };
}

export function ready(nodeName: string, conditions: Endpoint['conditions'] = { ready: true }): Endpoint {
  return { nodeName, conditions };
}

export function slices(...endpoints: Endpoint[][]): EndpointSlice[] {
  return endpoints.map((e) => ({ endpoints: e }));
}

export function nodes(names: readonly string[], overrides: Record<string, Partial<ElectionNode>> = {}) {
  return new Map<string, ElectionNode>(
    names.map((n) => [n, { labels: {}, networkUnavailable: false, ...overrides[n] }]),
  );
}
