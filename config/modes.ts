// Restrictions that depend on which BGP implementation runs the sessions (MetalLB's METALLB_BGP_TYPE, the
// MetalLB resource's bgpBackend). The parser rules hold for every mode; these come on top.
import { objectRef } from '../api/meta';
import { BGP_BACKENDS } from '../api/metallb';
import { ErrorSink, ObjectIdentity } from './errors';
import { ParsedResources } from './resources';
import { anySelectorMatches } from './selector';
import { Config, Peer } from './types';

export type BGPType = (typeof BGP_BACKENDS)[number];

/**
 * Native mode: ironlb's own speaker (speaker/bgp/). Its sessions do what upstream's native speaker does plus
 * IPv6 advertisement (MP_REACH over an IPv6 session), large communities, keepaliveTime, connectTime,
 * dynamicASN, BFD (speaker/bfd/, without echo mode), enableGracefulRestart (RFC 4724), dualStackAddressFamily
 * (both families on one session; speaker/bgp/README.md) and vrf (the session's socket bound to the Linux VRF
 * device, speaker/l2/sys/bindtodevice.ts);
 * what it cannot do yet is refused with a clear error rather than silently ignored.
 */
export function validateNative(parsed: ParsedResources, sink: ErrorSink): void {
  for (const { id, object } of parsed.bgpPeers) {
    const report = sink.for(id);
    const s = object.spec;
    const unsupported = (field: string, why: string) =>
      report(`spec.${field}`, `not supported by the native BGP speaker: ${why}`);
    if (s.disableMP)
      unsupported('disableMP', 'multiprotocol capabilities are always sent (deprecated upstream)');
    if ((s.interface ?? '') !== '') unsupported('interface', 'unnumbered peering needs a peerAddress');
    if (s.localASN !== undefined) unsupported('localASN', 'the session speaks as myASN');
  }
  // speaker/bfd/ runs Asynchronous mode only (RFC 5880 6.1); the Echo function is not implemented.
  for (const { id, object } of parsed.bfdProfiles)
    if (object.spec?.echoMode === true)
      sink.for(id)(
        'spec.echoMode',
        'not supported by the native BGP speaker: BFD echo mode is not implemented',
      );
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
