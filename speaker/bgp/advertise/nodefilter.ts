// upstream's speaker drops the BGPPeers and BGPAdvertisements whose nodeSelectors do not select this node
// before it parses the config (internal/k8s/controllers/config_controller.go filterBGPPeersByNode,
// filterBGPAdvertisementsByNode), so a peer or advertisement meant for other nodes, even one the native
// speaker would refuse, never invalidates this node's configuration. Pure: raw objects in, raw objects out.
import { z } from 'zod';
import { LabelSelector } from '../../../api/meta';
import { parseSelector, selectorMatches } from '../../../config/selector';
import type { Labels } from '../../../config/types';

const WithNodeSelectors = z.looseObject({
  spec: z.looseObject({ nodeSelectors: z.array(LabelSelector).nullish() }).optional(),
});

/**
 * Whether the object's spec.nodeSelectors select a node with these labels (none: every node). An object whose
 * selectors do not parse is kept, so the config parser reports it with its field.
 */
export function selectsNode(raw: unknown, labels: Labels): boolean {
  const parsed = WithNodeSelectors.safeParse(raw);
  if (!parsed.success) return true;
  const selectors = parsed.data.spec?.nodeSelectors ?? [];
  if (selectors.length === 0) return true;
  for (const s of selectors) {
    const selector = parseSelector(s);
    if (!selector.ok || selectorMatches(selector.selector, labels)) return true;
  }
  return false;
}

/** The objects that apply to this node; all of them while this node's labels are not known yet. */
export function forNode<T>(objects: readonly T[], labels: Labels | undefined): T[] {
  return labels === undefined ? [...objects] : objects.filter((o) => selectsNode(o, labels));
}
