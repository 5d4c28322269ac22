// From every Service's advertisements to the routes each peer of this node should hold (upstream
// speaker/bgp_controller.go updateAds + internal/bgp/native Set): an advertisement goes to the peers its
// BGPAdvertisement names, or to all of them; the same prefix wanted twice for one peer is one route with the
// union of the communities and the first LOCAL_PREF. Pure: plain data in, plain data out.
import type { Community, Labels, Peer } from '../../../config/types';
import { anySelectorMatches } from '../../../config/selector';
import { compareText } from '../../../config/errors';
import { formatPrefix } from '../codec/prefix';
import type { LargeCommunity } from '../codec/attributes';
import type { Route } from '../session/session';
import type { ServiceAdvertisement } from './decide';

/** The BGPPeers whose nodeSelectors select this node (none: every node), in the config's name order. */
export function peersForNode(peers: Iterable<Peer>, nodeLabels: Labels): Peer[] {
  return [...peers].filter(
    (p) => p.nodeSelectors.length === 0 || anySelectorMatches(p.nodeSelectors, nodeLabels),
  );
}

export function goesToPeer(ad: Pick<ServiceAdvertisement, 'peers'>, peer: string): boolean {
  return ad.peers.length === 0 || ad.peers.includes(peer);
}

/**
 * The peers a Service is advertised to from this node, sorted: upstream PeersForService, the `peers` of the
 * ServiceBGPStatus (configured intent, not session state).
 */
export function peersForService(ads: readonly ServiceAdvertisement[], peers: readonly string[]): string[] {
  return peers.filter((p) => ads.some((ad) => goesToPeer(ad, p))).sort(compareText);
}

interface Draft {
  route: Route;
  standard: Set<number>;
  large: Map<string, LargeCommunity>;
}

const largeKey = (c: LargeCommunity): string => `${c.global}:${c.local1}:${c.local2}`;

function addCommunities(d: Draft, communities: readonly Community[]): void {
  for (const c of communities) {
    if (c.kind === 'standard') d.standard.add(c.value);
    else {
      const large = { global: c.globalAdministrator, local1: c.localData1, local2: c.localData2 };
      d.large.set(largeKey(large), large);
    }
  }
}

function finish(d: Draft): Route {
  const communities = [...d.standard].sort((a, b) => a - b);
  const large = [...d.large.values()].sort(
    (a, b) => a.global - b.global || a.local1 - b.local1 || a.local2 - b.local2,
  );
  return {
    ...d.route,
    ...(communities.length > 0 ? { communities } : {}),
    ...(large.length > 0 ? { largeCommunities: large } : {}),
  };
}

/**
 * The routes for one peer from the advertisements of every Service, visited in Service key order so that
 * "the first LOCAL_PREF" does not depend on map order. Routes come out sorted by prefix text.
 */
export function routesForPeer(
  adsByService: ReadonlyMap<string, readonly ServiceAdvertisement[]>,
  peer: string,
): Route[] {
  return routesFor(adsByService, (ad) => goesToPeer(ad, peer));
}

/**
 * routesForPeer for each of `peers`. Peers that no advertisement names get the same routes (those with an
 * empty peers list), so they are computed once and the peers share the one array and its Route objects:
 * with 10,000 Services and 3 peers that is a third of the work and of the Route objects the sessions hold.
 */
export function routesForPeers(
  adsByService: ReadonlyMap<string, readonly ServiceAdvertisement[]>,
  peers: readonly string[],
): Map<string, Route[]> {
  const named = new Set<string>();
  for (const ads of adsByService.values()) for (const ad of ads) for (const p of ad.peers) named.add(p);
  const out = new Map<string, Route[]>();
  let unnamed: Route[] | undefined;
  for (const peer of peers) {
    if (named.has(peer)) out.set(peer, routesForPeer(adsByService, peer));
    else out.set(peer, (unnamed ??= routesFor(adsByService, (ad) => ad.peers.length === 0)));
  }
  return out;
}

// Service keys (namespace/name, DNS labels) and prefix texts are ASCII, where UTF-16 order is code-point
// order (compareText's), so the engine's own sort orders them without a comparator call per pair.
function routesFor(
  adsByService: ReadonlyMap<string, readonly ServiceAdvertisement[]>,
  wanted: (ad: ServiceAdvertisement) => boolean,
): Route[] {
  const drafts = new Map<string, Draft>();
  const keys = [...adsByService.keys()].sort();
  for (const key of keys) {
    for (const ad of adsByService.get(key) ?? []) {
      if (!wanted(ad)) continue;
      const k = formatPrefix(ad.prefix);
      let d = drafts.get(k);
      if (d === undefined) {
        d = {
          route: { prefix: ad.prefix, ...(ad.localPref !== 0 ? { localPref: ad.localPref } : {}) },
          standard: new Set(),
          large: new Map(),
        };
        drafts.set(k, d);
      }
      addCommunities(d, ad.communities);
    }
  }
  return [...drafts.keys()].sort().flatMap((k) => {
    const d = drafts.get(k);
    return d === undefined ? [] : [finish(d)];
  });
}
