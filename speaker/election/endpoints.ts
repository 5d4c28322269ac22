// Which endpoints count as able to serve, mirroring upstream internal/k8s/epslices EndpointCanServe and
// speaker/layer2_controller.go nodesWithEndpoint.
import type { EndpointConditions, EndpointSlice } from './types';

/**
 * Ready unset or true serves; otherwise serving true serves (a terminating endpoint that still serves keeps
 * its node eligible, which is what lets connections drain). Terminating on its own is not consulted.
 */
export function endpointCanServe(conditions: EndpointConditions): boolean {
  if (conditions.ready === undefined || conditions.ready) return true;
  return conditions.serving === true;
}

export function hasServingEndpoint(slices: readonly EndpointSlice[]): boolean {
  return slices.some((s) => s.endpoints.some((e) => endpointCanServe(e.conditions)));
}

/** Nodes that host at least one endpoint able to serve; endpoints without a nodeName are skipped. */
export function nodesWithServingEndpoint(slices: readonly EndpointSlice[]): Set<string> {
  const out = new Set<string>();
  for (const slice of slices) {
    for (const e of slice.endpoints) {
      if (e.nodeName !== undefined && endpointCanServe(e.conditions)) out.add(e.nodeName);
    }
  }
  return out;
}
