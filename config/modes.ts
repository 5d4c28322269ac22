// Restrictions that depend on which BGP implementation runs the sessions (MetalLB's METALLB_BGP_TYPE, the
// MetalLB resource's bgpBackend). The parser rules hold for every mode; these come on top.
import { objectRef } from '../api/meta';
import { BGP_BACKENDS } from '../api/metallb';
import { parseCommunity } from './community';
import { ErrorSink, ObjectIdentity } from './errors';
import { parsePoolAddress } from './pools';
import { ParsedResources } from './resources';
import { anySelectorMatches } from './selector';
import { Config, Peer } from './types';

export type BGPType = (typeof BGP_BACKENDS)[number];

/**
 * Native mode: ironlb's own speaker. Like upstream's native speaker it opens plain IPv4-unicast sessions with
 * standard communities, so everything only FRR can do is refused rather than silently ignored.
 */
export function validateNative(parsed: ParsedResources, config: Config, sink: ErrorSink): void {
  for (const { id, object } of parsed.bgpPeers) {
    const report = sink.for(id);
    const s = object.spec;
    const unsupported = (field: string) =>
      report(`spec.${field}`, `not supported in native BGP mode (FRR only)`);
    if ((s.bfdProfile ?? '') !== '') unsupported('bfdProfile');
    if (s.keepaliveTime !== undefined && !/^[-+]?0+(\.0*)?[a-zµμ]*$/.test(s.keepaliveTime))
      unsupported('keepaliveTime');
    if ((s.vrf ?? '') !== '') unsupported('vrf');
    if (s.connectTime !== undefined) unsupported('connectTime');
    if (s.enableGracefulRestart) unsupported('enableGracefulRestart');
    if (s.disableMP) unsupported('disableMP');
    if (s.dualStackAddressFamily) unsupported('dualStackAddressFamily');
    if (s.dynamicASN !== undefined) unsupported('dynamicASN');
    if ((s.interface ?? '') !== '') unsupported('interface');
    if (s.localASN !== undefined) unsupported('localASN');
  }
  for (const { id } of parsed.bfdProfiles)
    sink.for(id)('', 'BFD profiles are not supported in native BGP mode (FRR only)');
  for (const pool of config.pools.values()) {
    if (pool.bgpAdvertisements.length === 0) continue;
    if (pool.cidrsV6.length === 0) continue;
    const { id, addresses } = poolSource(parsed, pool.name);
    const index = addresses.findIndex((text) => {
      const entry = parsePoolAddress(text);
      return entry.ok && entry.cidrs[0]?.family === 6;
    });
    const by = JSON.stringify(pool.bgpAdvertisements[0]?.name ?? '');
    sink.for(id)(
      `spec.addresses[${Math.max(index, 0)}]`,
      `native BGP mode does not support IPv6, and BGPAdvertisement ${by} advertises this pool`,
      {
        value: addresses[index] ?? '',
      },
    );
  }
  for (const { id, object } of parsed.bgpAdvertisements) {
    (object.spec.communities ?? []).forEach((text, i) => {
      const parsedCommunity = parseCommunity(text);
      if (parsedCommunity.ok && parsedCommunity.community.kind === 'large') {
        sink.for(id)(`spec.communities[${i}]`, 'native BGP mode only supports standard communities (AA:NN)', {
          value: text,
        });
      }
    });
  }
  for (const { id, object } of parsed.communities) {
    (object.spec.communities ?? []).forEach((alias, i) => {
      const parsedCommunity = parseCommunity(alias.value ?? '');
      if (parsedCommunity.ok && parsedCommunity.community.kind === 'large') {
        sink.for(id)(
          `spec.communities[${i}].value`,
          'native BGP mode only supports standard communities (AA:NN)',
          { value: alias.value ?? '' },
        );
      }
    });
  }
}

function poolSource(
  parsed: ParsedResources,
  name: string,
): { id: ObjectIdentity; addresses: readonly string[] } {
  const pool =
    parsed.ipAddressPools.find((p) => p.id.name === name) ??
    parsed.addressPools.find((p) => p.id.name === name);
  return pool
    ? { id: pool.id, addresses: pool.object.spec.addresses }
    : { id: { kind: 'IPAddressPool', namespace: '', name }, addresses: [] };
}

/**
 * FRR modes: one FRR instance per node holds every session of that node, so peers that can meet on a node must
 * agree on the router ID and, per VRF, on the local ASN, and may not name the same neighbor twice.
 */
export function validateFRR(parsed: ParsedResources, config: Config, sink: ErrorSink): void {
  const nodes = parsed.nodes.map((n) => n.metadata.labels ?? {});
  const peers = [...config.peers.values()];
  const idOf = (peer: Peer): ObjectIdentity => ({
    kind: 'BGPPeer',
    namespace: peer.namespace,
    name: peer.name,
  });
  for (let j = 1; j < peers.length; j++) {
    const later = peers[j];
    if (!later) continue;
    for (let i = 0; i < j; i++) {
      const earlier = peers[i];
      if (!earlier || !shareNode(earlier, later, nodes)) continue;
      const report = sink.for(idOf(later));
      const other = objectRef('BGPPeer', idOf(earlier));
      if (routerIDText(earlier) !== routerIDText(later)) {
        report(
          'spec.routerID',
          `router ID differs from ${other} on a shared node: in FRR mode all router IDs must be equal`,
        );
      }
      if (neighborKey(earlier) === neighborKey(later)) {
        report(
          later.interface !== undefined ? 'spec.interface' : 'spec.peerAddress',
          `same neighbor as ${other} on a shared node: FRR mode doesn't support duplicate BGPPeers selecting the same node`,
        );
      }
      if (earlier.vrf === later.vrf && earlier.myASN !== later.myASN) {
        report(
          'spec.myASN',
          `myASN differs from ${other} in the same VRF on a shared node: in FRR mode all myASN must be equal for the same VRF`,
        );
      }
    }
  }
}

function routerIDText(peer: Peer): string {
  return peer.routerID ? peer.routerID.value.toString() : '';
}

function neighborKey(peer: Peer): string {
  return `${peer.address ? peer.address.value.toString() : (peer.interface ?? '')}-${peer.vrf}`;
}

/** With no nodes known, assume any two peers may meet (conservative, as upstream). */
function shareNode(a: Peer, b: Peer, nodes: readonly Readonly<Record<string, string>>[]): boolean {
  if (nodes.length === 0) return true;
  const selects = (peer: Peer, labels: Readonly<Record<string, string>>) =>
    peer.nodeSelectors.length === 0 || anySelectorMatches(peer.nodeSelectors, labels);
  return nodes.some((labels) => selects(a, labels) && selects(b, labels));
}
