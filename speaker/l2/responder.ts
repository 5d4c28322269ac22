// What to answer, decided from plain data: a decoded frame, the interface it arrived on and the addresses
// this node announces there. No sockets here (the Announcer sends what this returns).
//
// ARP follows upstream `internal/layer2/arp.go`: only requests, only frames sent to broadcast or to us, only
// for announced targets; the reply is unicast to the requester (RFC 826 "swap" of sender and target).
// NDP follows RFC 4861 §7.1.1 (validation) and §7.2.4 (sending a solicited advertisement), which differs
// from upstream `internal/layer2/ndp.go` in two places, both on purpose:
//  * a solicitation from the unspecified address (a DAD probe, RFC 4862 §5.4.3) is answered to all-nodes
//    without the Solicited flag, instead of being dropped for lacking a source link-layer option, so a host
//    about to configure an announced address learns it is taken;
//  * Override is set on solicited advertisements too (upstream clears it). The node answers for the address
//    as its owner, not as a proxy, and after a failover a neighbour that already holds the old node's MAC
//    only replaces it when Override is set (RFC 4861 §7.2.5).
// A third difference: advertisements are sourced from the target address itself, as Linux does
// (net/ipv6/ndisc.c), not from the interface's link-local as upstream does. §7.2.4 allows any address of
// the interface, and some resolvers (ndisc6 among them) only accept an answer that comes from the target.
import {
  ALL_NODES_IPV6,
  BROADCAST_MAC,
  type Mac,
  UNSPECIFIED_IPV6,
  ipv6MulticastMac,
  isMulticastIPv6,
  isSolicitedNodeGroup,
} from './codec/address';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6 } from './codec/ethernet';
import type { ArpFrame, Frame, NdpFrame } from './codec/frame';
import { linkLayerOption } from './codec/ndp';

/** RFC 4861 §6.1.2/§7.1.1: ND messages must arrive with hop limit 255, proving they were not forwarded. */
export const ND_HOP_LIMIT = 255;

export interface ResponderInterface {
  readonly name: string;
  readonly mac: Mac;
}

export type DropReason =
  | 'arp-reply'
  | 'arp-not-for-us'
  | 'own-frame'
  | 'not-announced'
  | 'ndp-advertisement'
  | 'ns-hop-limit'
  | 'ns-target-multicast'
  | 'ns-unspecified-source-not-solicited-node'
  | 'ns-unspecified-source-with-lla';

export type Decision =
  | { readonly kind: 'reply'; readonly ip: string; readonly frame: Frame }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly ip?: string };

/** `isAnnounced(ip)` answers whether this node announces `ip` on this interface. */
export function respond(
  frame: Frame,
  iface: ResponderInterface,
  isAnnounced: (ip: string) => boolean,
): Decision {
  return frame.protocol === 'arp'
    ? respondArp(frame, iface, isAnnounced)
    : respondNdp(frame, iface, isAnnounced);
}

function drop(reason: DropReason, ip?: string): Decision {
  return ip === undefined ? { kind: 'drop', reason } : { kind: 'drop', reason, ip };
}

function respondArp(
  frame: ArpFrame,
  iface: ResponderInterface,
  isAnnounced: (ip: string) => boolean,
): Decision {
  const request = frame.arp;
  if (request.operation !== 'request') return drop('arp-reply');
  const to = frame.ethernet.destination;
  if (to !== BROADCAST_MAC && to !== iface.mac) return drop('arp-not-for-us');
  if (request.senderMac === iface.mac || frame.ethernet.source === iface.mac) return drop('own-frame');
  if (!isAnnounced(request.targetIp)) return drop('not-announced', request.targetIp);
  return {
    kind: 'reply',
    ip: request.targetIp,
    frame: {
      ethernet: { destination: request.senderMac, source: iface.mac, etherType: ETHERTYPE_ARP },
      protocol: 'arp',
      arp: {
        operation: 'reply',
        senderMac: iface.mac,
        senderIp: request.targetIp,
        targetMac: request.senderMac,
        targetIp: request.senderIp,
      },
    },
  };
}

function respondNdp(
  frame: NdpFrame,
  iface: ResponderInterface,
  isAnnounced: (ip: string) => boolean,
): Decision {
  const ns = frame.ndp;
  if (ns.type !== 'neighbor-solicitation') return drop('ndp-advertisement');
  // RFC 4861 §7.1.1, the checks the codec cannot make because they need the IP header.
  if (frame.ipv6.hopLimit !== ND_HOP_LIMIT) return drop('ns-hop-limit', ns.target);
  if (isMulticastIPv6(ns.target)) return drop('ns-target-multicast');
  const sourceLla = linkLayerOption(ns, 'source-lla');
  const fromUnspecified = frame.ipv6.source === UNSPECIFIED_IPV6;
  if (fromUnspecified && !isSolicitedNodeGroup(frame.ipv6.destination)) {
    return drop('ns-unspecified-source-not-solicited-node', ns.target);
  }
  if (fromUnspecified && sourceLla !== undefined) return drop('ns-unspecified-source-with-lla', ns.target);
  if (frame.ethernet.source === iface.mac) return drop('own-frame');
  if (!isAnnounced(ns.target)) return drop('not-announced', ns.target);
  // §7.2.4: to the solicitation's source, at the MAC it gave (or the frame came from when a unicast NS
  // omitted the option); a DAD probe is answered to all-nodes with Solicited clear.
  const destination = fromUnspecified ? ALL_NODES_IPV6 : frame.ipv6.source;
  const destinationMac = fromUnspecified
    ? ipv6MulticastMac(ALL_NODES_IPV6)
    : (sourceLla ?? frame.ethernet.source);
  return {
    kind: 'reply',
    ip: ns.target,
    frame: {
      ethernet: { destination: destinationMac, source: iface.mac, etherType: ETHERTYPE_IPV6 },
      protocol: 'ndp',
      ipv6: { trafficClass: 0, flowLabel: 0, hopLimit: ND_HOP_LIMIT, source: ns.target, destination },
      ndp: {
        type: 'neighbor-advertisement',
        router: false,
        solicited: !fromUnspecified,
        override: true,
        target: ns.target,
        options: [{ kind: 'target-lla', mac: iface.mac }],
      },
    },
  };
}
