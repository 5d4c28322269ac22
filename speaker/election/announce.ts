// Who announces a Service in Layer 2 mode: upstream speaker/layer2_controller.go ShouldAnnounce, as a pure
// function. The Service-independent part (which speakers are usable at all) is computed once per membership
// or Node change in an ElectionContext; each Service then costs one pass over the matching advertisements
// and one hash per candidate (memoised), so the caller can recompute only the Services an event touches.
import { annotationValue, ANNOTATION } from '../../controller/service/annotations';
import { anySelectorMatches } from '../../config/selector';
import { electL2Winner, ElectionHashes } from './candidates';
import { hasServingEndpoint, nodesWithServingEndpoint } from './endpoints';
import type {
  AnnounceDecision,
  ElectionAdvertisement,
  ElectionNode,
  ElectionService,
  EndpointSlice,
} from './types';

/** Nodes with this label (any value) never announce, unless ignoreExcludeLB (upstream --ignore-exclude-lb). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface ElectionInputs {
  readonly myNode: string;
  /** Known Node objects by name. */
  readonly nodes: ReadonlyMap<string, ElectionNode>;
  /**
   * Speakers membership reports alive, by node name. Undefined when membership is disabled: every known Node
   * then counts as having a live speaker, as upstream does.
   */
  readonly aliveSpeakers: ReadonlySet<string> | undefined;
  readonly ignoreExcludeLB: boolean;
}

export interface ElectionContext {
  readonly myNode: string;
  /** Live speakers on nodes that may announce at all (not NetworkUnavailable, not excluded). */
  readonly usableSpeakers: ReadonlySet<string>;
  readonly hashes: ElectionHashes;
}

export function isExcludedFromBalancers(node: ElectionNode): boolean {
  return Object.prototype.hasOwnProperty.call(node.labels, EXCLUDE_LB_LABEL);
}

/** NetworkUnavailable=True among a Node's status.conditions. */
export function isNetworkUnavailable(
  conditions: readonly { type: string; status: string }[] | undefined,
): boolean {
  return (conditions ?? []).some((c) => c.type === 'NetworkUnavailable' && c.status === 'True');
}

export function buildElectionContext(inputs: ElectionInputs, hashes = new ElectionHashes()): ElectionContext {
  const usable = new Set<string>();
  const speakers = inputs.aliveSpeakers ?? inputs.nodes.keys();
  for (const name of speakers) {
    const node = inputs.nodes.get(name);
    // A speaker whose Node object is not (yet) known cannot be checked for exclusion; upstream treats a
    // missing Node as neither unavailable nor excluded, and so do we.
    if (node?.networkUnavailable) continue;
    if (node && !inputs.ignoreExcludeLB && isExcludedFromBalancers(node)) continue;
    usable.add(name);
  }
  return { myNode: inputs.myNode, usableSpeakers: usable, hashes };
}

/** The pool's advertisements whose serviceSelectors match the Service (none means every Service). */
export function advertisementsForService<A extends ElectionAdvertisement>(
  ads: readonly A[],
  service: Pick<ElectionService, 'labels'>,
): A[] {
  return ads.filter(
    (ad) => ad.serviceSelectors.length === 0 || anySelectorMatches(ad.serviceSelectors, service.labels),
  );
}

export function isSharedIP(service: Pick<ElectionService, 'annotations'>): boolean {
  return annotationValue(service.annotations, ANNOTATION.allowSharedIP) !== '';
}

/**
 * The candidate nodes for a Service, unordered: usable speakers allowed by any matching advertisement (all of
 * them, not only those that include my node, so that every speaker computes the same set) and, for
 * externalTrafficPolicy Local, hosting a serving endpoint.
 */
export function l2Candidates(
  ctx: ElectionContext,
  service: ElectionService,
  slices: readonly EndpointSlice[],
  ads: readonly ElectionAdvertisement[],
): string[] {
  const local = service.externalTrafficPolicy === 'Local' ? nodesWithServingEndpoint(slices) : undefined;
  const out: string[] = [];
  for (const node of ctx.usableSpeakers) {
    if (local && !local.has(node)) continue;
    if (ads.some((ad) => ad.nodes.has(node))) out.push(node);
  }
  return out;
}

export function shouldAnnounce(
  ctx: ElectionContext,
  service: ElectionService,
  slices: readonly EndpointSlice[],
  poolAdvertisements: readonly ElectionAdvertisement[],
): AnnounceDecision {
  if (!hasServingEndpoint(slices)) return { announce: false, reason: 'notOwner' };
  const ads = advertisementsForService(poolAdvertisements, service);
  if (isSharedIP(service) && ads.some((ad) => ad.serviceSelectors.length > 0)) {
    return { announce: false, reason: 'sharedIPWithServiceSelector' };
  }
  const mine = ads.filter((ad) => ad.nodes.has(ctx.myNode));
  if (mine.length === 0) return { announce: false, reason: 'noMatchingAdvertisement' };
  const firstIP = service.ingressIPs[0];
  // Upstream indexes the first IP unconditionally; a Service with no address yet has nothing to announce.
  if (firstIP === undefined) return { announce: false, reason: 'notOwner' };
  const winner = electL2Winner(l2Candidates(ctx, service, slices, ads), firstIP, ads, ctx.hashes);
  if (winner === ctx.myNode) return { announce: true, advertisements: mine };
  return winner === undefined
    ? { announce: false, reason: 'notOwner' }
    : { announce: false, reason: 'notOwner', winner };
}
