// From one BGPPeer of the config to what a PeerSession needs on this node: the OPEN's settings (fsm/open.ts
// SessionConfig) and the dial options (session/tcp.ts). Pure. Upstream: speaker/bgp_controller.go syncPeers
// (NewSession arguments) and internal/bgp/native/native.go (router ID fallback, 90 s default hold time).
import { crc32 } from 'node:zlib';
import { formatIP, parseIP } from '../../addr/ip';
import type { Peer } from '../../config/types';
import { IPV4_UNICAST, IPV6_UNICAST, type SessionConfig } from './fsm/open';
import type { DialOptions } from './session/tcp';

/** Upstream native's hold time when the BGPPeer sets none. */
export const DEFAULT_HOLD_TIME = 90;
/** Upstream native's dial deadline; BGPPeer connectTime overrides it. */
export const DEFAULT_CONNECT_TIME = 10;
/**
 * The restart time offered with graceful restart (RFC 4724 3): FRR's default, which upstream's FRR mode keeps
 * (design/gracefulrestart-bgp.md): how long the peer keeps our routes as stale while the speaker restarts.
 */
export const GRACEFUL_RESTART_TIME = 120;
/** RFC 5082-style multihop: the far end must see our packets, however many routers lie between. */
export const MULTIHOP_TTL = 255;

export interface SessionSpec {
  readonly config: SessionConfig;
  readonly dial: DialOptions;
  /** The metrics' `peer` label: upstream's `addr:port` (net.JoinHostPort). */
  readonly label: string;
  /** config.routerId is only the fallback; the OPEN takes the connection's (session.ts, VRF peers). */
  readonly routerIdFromConnection: boolean;
}

export type SessionSpecResult =
  { readonly ok: true; readonly spec: SessionSpec } | { readonly ok: false; readonly reason: string };

/** upstream's last resort: the little-endian bytes of crc32(IEEE, node name) as a dotted quad. */
export function routerIdFromNodeName(node: string): string {
  const sum = crc32(node) >>> 0;
  return [sum & 0xff, (sum >>> 8) & 0xff, (sum >>> 16) & 0xff, sum >>> 24].join('.');
}

/** A BGPPeer routerID or IPv4 sourceAddress fixes the identifier before the dial. */
function hasFixedRouterId(peer: Peer): boolean {
  return peer.routerID?.family === 4 || peer.sourceAddress?.family === 4;
}

/**
 * The router ID: the BGPPeer's routerID, else an IPv4 sourceAddress, else this node's IPv4 address (its
 * status.hostIP), else derived from the node name. Upstream takes the connection's local IPv4 address, known
 * only after the dial; the OPEN's identifier is fixed before it here, and sourceAddress or the node's address
 * is that same address in the usual single-interface case. Not for a peer in a VRF: the node's address sits
 * in the default table, so such a session takes the identifier from its connection (routerIdFromConnection)
 * and this is only the fallback, from the node name.
 */
export function routerIdFor(peer: Peer, node: { name: string; address?: string }): string {
  if (peer.routerID !== undefined && peer.routerID.family === 4) return formatIP(peer.routerID);
  if (peer.sourceAddress !== undefined && peer.sourceAddress.family === 4)
    return formatIP(peer.sourceAddress);
  const own = node.address !== undefined && peer.vrf === '' ? parseIP(node.address) : undefined;
  if (own !== undefined && own.family === 4) return formatIP(own);
  return routerIdFromNodeName(node.name);
}

export function sessionSpecFor(peer: Peer, node: { name: string; address?: string }): SessionSpecResult {
  if (peer.address === undefined)
    return { ok: false, reason: 'BGPPeer has no peerAddress (interface peering is FRR only)' };
  const peerAddress = formatIP(peer.address);
  const holdTime = peer.holdTime ?? DEFAULT_HOLD_TIME;
  const config: SessionConfig = {
    localAs: peer.myASN,
    peerAs: peer.dynamicASN ?? peer.peerASN,
    routerId: routerIdFor(peer, node),
    holdTime,
    ...(peer.keepaliveTime !== undefined ? { keepaliveTime: peer.keepaliveTime } : {}),
    connectRetryTime: peer.connectTime ?? DEFAULT_CONNECT_TIME,
    // The transport's family, as FRR mode without dualStackAddressFamily: an IPv6 pool goes to IPv6 peers and
    // every next hop is the session's own local address. With it, both families on one session (FRR mode
    // activates both on the neighbor; RFC 4760 multiprotocol capabilities for each), the transport's first;
    // the other family's next hop is this node's address of that family (session/nexthop.ts).
    families: peer.dualStackAddressFamily
      ? peer.address.family === 4
        ? [IPV4_UNICAST, IPV6_UNICAST]
        : [IPV6_UNICAST, IPV4_UNICAST]
      : [peer.address.family === 4 ? IPV4_UNICAST : IPV6_UNICAST],
    // Upstream's FRR mode: `neighbor X graceful-restart` with `bgp graceful-restart preserve-fw-state`, so the
    // F bit is set for every family: the node's data plane (kube-proxy, the CNI) keeps forwarding while the
    // speaker process is down. The N bit is offered too (RFC 8538 2); it takes effect only where the router
    // enables it as well, and then every deliberate Cease goes out as a Hard Reset (fsm/fsm.ts), so only a
    // restart or a fault keeps the routes stale.
    ...(peer.enableGracefulRestart
      ? {
          gracefulRestart: { restartTime: GRACEFUL_RESTART_TIME, forwarding: true, notification: true },
        }
      : {}),
  };
  const dial: DialOptions = {
    peerAddress,
    peerPort: peer.port,
    ...(peer.sourceAddress !== undefined ? { sourceAddress: formatIP(peer.sourceAddress) } : {}),
    ...(peer.password !== '' ? { password: peer.password } : {}),
    ...(peer.ebgpMultiHop ? { ttl: MULTIHOP_TTL } : {}),
    ...(peer.vrf !== '' ? { vrf: peer.vrf } : {}),
  };
  const label = peer.address.family === 6 ? `[${peerAddress}]:${peer.port}` : `${peerAddress}:${peer.port}`;
  const routerIdFromConnection = peer.vrf !== '' && !hasFixedRouterId(peer);
  return { ok: true, spec: { config, dial, label, routerIdFromConnection } };
}
