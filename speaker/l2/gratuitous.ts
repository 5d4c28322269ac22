// Unsolicited announcements sent when this node takes an address over, so neighbours repoint their caches
// at once instead of when their entries expire.
import { ALL_NODES_IPV6, BROADCAST_MAC, type Mac, ipv6MulticastMac } from './codec/address';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6 } from './codec/ethernet';
import type { ArpFrame, NdpFrame } from './codec/frame';
import { ND_HOP_LIMIT } from './responder';

/**
 * Gratuitous ARP in both forms, as upstream `internal/layer2/arp.go` sends them: a broadcast request and a
 * broadcast reply, each with sender IP = target IP = `ip` and sender MAC = `mac`. Some hosts update their
 * caches only from one of the two. RFC 5227 §3 (ARP Announcement) would leave the target MAC zero; upstream
 * puts the broadcast address there and so do we, since receivers ignore it.
 */
export function gratuitousArp(ip: string, mac: Mac): [ArpFrame, ArpFrame] {
  const build = (operation: 'request' | 'reply'): ArpFrame => ({
    ethernet: { destination: BROADCAST_MAC, source: mac, etherType: ETHERTYPE_ARP },
    protocol: 'arp',
    arp: { operation, senderMac: mac, senderIp: ip, targetMac: BROADCAST_MAC, targetIp: ip },
  });
  return [build('request'), build('reply')];
}

/**
 * An unsolicited Neighbor Advertisement (RFC 4861 §7.2.6) to all-nodes ff02::1: Solicited clear, Override
 * set so receivers replace a cached MAC, and a target link-layer option carrying `mac`. Sourced from the
 * address itself, like the solicited answers (see responder.ts).
 */
export function unsolicitedNeighborAdvertisement(ip: string, mac: Mac): NdpFrame {
  return {
    ethernet: { destination: ipv6MulticastMac(ALL_NODES_IPV6), source: mac, etherType: ETHERTYPE_IPV6 },
    protocol: 'ndp',
    ipv6: {
      trafficClass: 0,
      flowLabel: 0,
      hopLimit: ND_HOP_LIMIT,
      source: ip,
      destination: ALL_NODES_IPV6,
    },
    ndp: {
      type: 'neighbor-advertisement',
      router: false,
      solicited: false,
      override: true,
      target: ip,
      options: [{ kind: 'target-lla', mac }],
    },
  };
}
