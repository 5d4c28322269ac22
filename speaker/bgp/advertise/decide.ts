// What this speaker advertises for one Service in BGP mode, as a pure function: upstream speaker/main.go
// SetBalancer (the protocol-independent checks, shared with Layer 2 in reconcile/decide.ts), then
// speaker/bgp_controller.go ShouldAnnounce (pool owner, matching advertisements, node health, endpoints) and
// SetBalancer (one advertisement per address and per matching BGPAdvertisement, prefix masked to the
// aggregation length). Unlike Layer 2 there is no election: every eligible node advertises.
import { prefixMask } from '../../../addr/cidr';
import { FAMILY_BITS, type IPAddress, formatIP, parseIP } from '../../../addr/ip';
import type { BGPAdvertisement, Community, Config, Pool } from '../../../config/types';
import { anySelectorMatches } from '../../../config/selector';
import { isExcludedFromBalancers } from '../../election/announce';
import { endpointCanServe } from '../../election/endpoints';
import type { ElectionNode } from '../../election/types';
import { checkService, type ServiceCheckFailure } from '../../reconcile/decide';
import type { SpeakerService, SpeakerSlice } from '../../reconcile/objects';
import type { Prefix } from '../codec/prefix';

/** Upstream's reasons (speaker/main.go, speaker/bgp_controller.go ShouldAnnounce). */
export type BGPWithdrawReason =
  | ServiceCheckFailure
  | 'notOwner'
  | 'noMatchingAdvertisement'
  | 'nodeNetworkUnavailable'
  | 'nodeLabeledExcludeBalancers'
  | 'noLocalEndpoints'
  | 'noEndpoints';

/** One route a Service asks for, before it is split over peers (upstream bgp.Advertisement). */
export interface ServiceAdvertisement {
  readonly prefix: Prefix;
  /** 0: unset. Sent to internal peers only (the session drops it for external ones). */
  readonly localPref: number;
  /** Sorted by text, standard and large together, as the config model keeps them. */
  readonly communities: readonly Community[];
  /** BGPPeer names this advertisement goes to; empty: every peer of this node. */
  readonly peers: readonly string[];
}

const sameCommunity = (a: Community, b: Community): boolean =>
  a.kind === 'standard'
    ? b.kind === 'standard' && a.value === b.value && a.text === b.text
    : b.kind === 'large' &&
      a.globalAdministrator === b.globalAdministrator &&
      a.localData1 === b.localData1 &&
      a.localData2 === b.localData2 &&
      a.text === b.text;

const sameList = <T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean =>
  a.length === b.length &&
  a.every((x, i) => {
    const y = b[i];
    return y !== undefined && same(x, y);
  });

/**
 * Whether two decisions' advertisements are the same, field by field: the reconciler asks on every
 * reconcile of every Service, and serialising both to JSON cost two strings per Service each time.
 */
export function sameAdvertisements(
  a: readonly ServiceAdvertisement[],
  b: readonly ServiceAdvertisement[],
): boolean {
  return sameList(
    a,
    b,
    (x, y) =>
      x.prefix.family === y.prefix.family &&
      x.prefix.address === y.prefix.address &&
      x.prefix.length === y.prefix.length &&
      x.localPref === y.localPref &&
      sameList(x.communities, y.communities, sameCommunity) &&
      sameList(x.peers, y.peers, (p, q) => p === q),
  );
}

export type BGPDecision =
  | {
      readonly announce: true;
      readonly pool: string;
      readonly ips: readonly string[];
      readonly advertisements: readonly ServiceAdvertisement[];
    }
  | { readonly announce: false; readonly reason: BGPWithdrawReason; readonly pool?: string };

export interface BGPDecideInputs {
  readonly service: SpeakerService | undefined;
  readonly slices: readonly SpeakerSlice[];
  readonly lbClass: string;
  readonly config: Config | undefined;
  readonly myNode: string;
  /** This node's Node object; undefined when it is not known yet (neither excluded nor unavailable). */
  readonly node: ElectionNode | undefined;
  readonly ignoreExcludeLB: boolean;
}

/**
 * The pool's BGP advertisements that include this node and match the Service's labels (upstream filters the
 * advertisements by node before parsing, then bgpAdsForService applies the serviceSelectors).
 */
export function advertisementsFor(pool: Pool, myNode: string, service: SpeakerService): BGPAdvertisement[] {
  return pool.bgpAdvertisements.filter(
    (ad) =>
      ad.nodes.has(myNode) &&
      (ad.serviceSelectors.length === 0 || anySelectorMatches(ad.serviceSelectors, service.metadata.labels)),
  );
}

/** Whether any endpoint (on `onNode` only, when given) can serve: upstream hasHealthyEndpoint. */
export function hasServingEndpoint(slices: readonly SpeakerSlice[], onNode?: string): boolean {
  return slices.some((s) =>
    s.endpoints.some(
      (e) => (onNode === undefined || e.nodeName === onNode) && endpointCanServe(e.conditions),
    ),
  );
}

/** The address masked to the advertisement's aggregation length for its family. */
export function aggregatedPrefix(
  ip: string | IPAddress,
  ad: Pick<BGPAdvertisement, 'aggregationLength' | 'aggregationLengthV6'>,
): Prefix | undefined {
  const parsed = typeof ip === 'string' ? parseIP(ip) : ip;
  if (parsed === undefined) return undefined;
  const length = parsed.family === 4 ? ad.aggregationLength : ad.aggregationLengthV6;
  if (length < 0 || length > FAMILY_BITS[parsed.family]) return undefined;
  const value = parsed.value & prefixMask(parsed.family, length);
  return { family: parsed.family, address: formatIP({ family: parsed.family, value }), length };
}

export function decideBGP(inputs: BGPDecideInputs): BGPDecision {
  const checked = checkService(inputs.service, inputs.lbClass, inputs.config);
  if (!checked.ok) return { announce: false, reason: checked.reason };
  const { service, ips, addresses, pool } = checked;
  const withdraw = (reason: BGPWithdrawReason): BGPDecision => ({ announce: false, reason, pool: pool.name });
  if (!pool.bgpAdvertisements.some((ad) => ad.nodes.has(inputs.myNode))) return withdraw('notOwner');
  const ads = advertisementsFor(pool, inputs.myNode, service);
  if (ads.length === 0) return withdraw('noMatchingAdvertisement');
  if (inputs.node?.networkUnavailable) return withdraw('nodeNetworkUnavailable');
  if (inputs.node !== undefined && !inputs.ignoreExcludeLB && isExcludedFromBalancers(inputs.node))
    return withdraw('nodeLabeledExcludeBalancers');
  if (service.externalTrafficPolicy === 'Local') {
    if (!hasServingEndpoint(inputs.slices, inputs.myNode)) return withdraw('noLocalEndpoints');
  } else if (!hasServingEndpoint(inputs.slices)) return withdraw('noEndpoints');

  const advertisements: ServiceAdvertisement[] = [];
  for (const address of addresses) {
    for (const ad of ads) {
      const prefix = aggregatedPrefix(address, ad);
      if (prefix === undefined) continue; // checkService parsed every address; lengths are validated by config
      advertisements.push({ prefix, localPref: ad.localPref, communities: ad.communities, peers: ad.peers });
    }
  }
  return { announce: true, pool: pool.name, ips, advertisements };
}
