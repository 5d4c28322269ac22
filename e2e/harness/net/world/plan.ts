// The address and topology plan of one network world, as plain data. world.ts turns it into namespaces;
// keeping the plan pure means every address is checked against the documentation ranges (and for clashes)
// before a single `ip` command runs, and the plan is unit-tested without root.
//
//   lan segment (bridge ns "lan")   192.0.2.0/24    2001:db8:1::/64
//     router .1 / ::1, mgmt .2 / ::2, node<i> .(10+i) / ::(10+i), client .100 / ::100
//     extra BGP peers on the lan (option `peers`) .3-.9 / ::3-::9
//   far segment (bridge ns "far", only with multihop)   203.0.113.0/26   2001:db8:2::/64
//     router .1 / ::1 (its second leg), farrouter .2 / ::2, extra far peers .3-.9 / ::3-::9
//   lan2 segment (bridge ns "lan2", only with secondaryLan)   203.0.113.64/26   2001:db8:3::/64
//     a second NIC (eth1) for every node and the client, for L2 interface-selector tests:
//     node<i> .(64+10+i) / ::(10+i), client .126 / ::62
//   suggested pools (on no interface): L2 192.0.2.192/27 + 2001:db8:1::ff00/120 (on the lan, so ARP/NDP
//   answers are what makes them reachable); BGP 203.0.113.128/25 + 2001:db8:100::/120 (reachable only
//   through routes the router learns).
//
// `mgmt` is the management namespace: the control plane runs there (controlplane/placement.ts,
// worldPlacement), so speakers in the nodes dial the apiserver at 192.0.2.2 over the lan, and the apiserver
// calls webhooks at pod (= node) addresses the same way. It is not a Kubernetes node.
//
// No host gets a default route: with no path out, nothing sent inside the world can leave the documentation
// ranges even by mistake.
import { assertTestCidr, assertTestIp, nthAddress, parseStrictCidr } from '../../cidr';
import { nodeRole, nsName } from './names';

export type SegmentName = 'lan' | 'far' | 'lan2';
export type HostKind = 'node' | 'client' | 'router' | 'farrouter' | 'management' | 'peer';

export interface SegmentPlan {
  name: SegmentName;
  /** Namespace that holds only the bridge `br0` and one port per attached host. */
  bridgeNs: string;
  v4: string;
  v6: string;
}

export interface InterfacePlan {
  /** Name inside the host namespace. */
  ifname: string;
  segment: SegmentName;
  /** Name of the veth peer inside the segment's bridge namespace (the host's role). */
  bridgePort: string;
  v4: string;
  v6: string;
  v4Prefix: number;
  v6Prefix: number;
}

export interface RoutePlan {
  dst: string;
  via: string;
}

export interface HostPlan {
  role: string;
  kind: HostKind;
  ns: string;
  interfaces: InterfacePlan[];
  routes: RoutePlan[];
  /** IP forwarding on (routers only). */
  forwarding: boolean;
}

export interface WorldPlan {
  runId: string;
  segments: SegmentPlan[];
  hosts: HostPlan[];
  pools: { l2: string[]; bgp: string[] };
}

export interface PlanOptions {
  /** Number of node namespaces (default 3, at most 50). */
  nodes?: number;
  /** Add the far segment with a second router behind the first (default false). */
  multihop?: boolean;
  /**
   * Add the management namespace `mgmt` (192.0.2.2, 2001:db8:1::2) on the lan for the control plane's world
   * placement (default false as not every world needs a control plane).
   */
  management?: boolean;
  /** Give every node and the client a second NIC (eth1) on a second L2 segment, lan2 (default false). */
  secondaryLan?: boolean;
  /**
   * Extra namespaces for external BGP peers (MetalLB's e2e runs ibgp-single-hop, ebgp-single-hop,
   * ibgp-multi-hop and ebgp-multi-hop as separate containers), at most 7 per segment. `far` needs multihop.
   */
  peers?: PeerSpec[];
}

export interface PeerSpec {
  role: string;
  segment: 'lan' | 'far';
}

export const LAN = { v4: '192.0.2.0/24', v6: '2001:db8:1::/64' } as const;
export const FAR = { v4: '203.0.113.0/26', v6: '2001:db8:2::/64' } as const;
export const LAN2 = { v4: '203.0.113.64/26', v6: '2001:db8:3::/64' } as const;
const SEGMENTS = { lan: LAN, far: FAR, lan2: LAN2 } as const;
const BUILTIN_ROLES = new Set(['router', 'mgmt', 'client', 'farrouter', 'lan', 'far', 'lan2']);
const MAX_PEERS_PER_SEGMENT = 7;
export const L2_POOLS = ['192.0.2.192/27', '2001:db8:1::ff00/120'] as const;
export const BGP_POOLS = ['203.0.113.128/25', '2001:db8:100::/120'] as const;

const MAX_NODES = 50;

// Host number n is written with the same digits in both families (node1 = 192.0.2.11 = 2001:db8:1::11), so a
// reader can pair addresses at a glance. n is read as hex for IPv6, which is what the text shows.
function hostPair(seg: { v4: string; v6: string }, n: number): { v4: string; v6: string } {
  return { v4: nthAddress(seg.v4, n), v6: nthAddress(seg.v6, parseInt(String(n), 16)) };
}

function iface(ifname: string, segment: SegmentName, bridgePort: string, n: number): InterfacePlan {
  const seg = SEGMENTS[segment];
  const { v4, v6 } = hostPair(seg, n);
  return {
    ifname,
    segment,
    bridgePort,
    v4,
    v6,
    v4Prefix: parseStrictCidr(seg.v4).prefix,
    v6Prefix: parseStrictCidr(seg.v6).prefix,
  };
}

export function planWorld(runId: string, opts: PlanOptions = {}): WorldPlan {
  const nodeCount = opts.nodes ?? 3;
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > MAX_NODES) {
    throw new Error(`netplan: nodes must be an integer in 1..${MAX_NODES}, got ${nodeCount}`);
  }
  const multihop = opts.multihop ?? false;
  const secondaryLan = opts.secondaryLan ?? false;
  const segments: SegmentPlan[] = [{ name: 'lan', bridgeNs: nsName(runId, 'lan'), ...LAN }];
  if (multihop) segments.push({ name: 'far', bridgeNs: nsName(runId, 'far'), ...FAR });
  if (secondaryLan) segments.push({ name: 'lan2', bridgeNs: nsName(runId, 'lan2'), ...LAN2 });

  const routerLan = hostPair(LAN, 1);
  const routerFar = hostPair(FAR, 1);
  const host = (
    role: string,
    kind: HostKind,
    interfaces: InterfacePlan[],
    routes: RoutePlan[],
  ): HostPlan => ({
    role,
    kind,
    ns: nsName(runId, role),
    interfaces,
    routes,
    forwarding: kind === 'router' || kind === 'farrouter',
  });
  const viaRouter = (dst: { v4: string; v6: string }, gw: { v4: string; v6: string }): RoutePlan[] => [
    { dst: dst.v4, via: gw.v4 },
    { dst: dst.v6, via: gw.v6 },
  ];
  const bgpPools = { v4: BGP_POOLS[0], v6: BGP_POOLS[1] };

  const hosts: HostPlan[] = [
    host(
      'router',
      'router',
      multihop
        ? [iface('eth0', 'lan', 'router', 1), iface('eth1', 'far', 'router', 1)]
        : [iface('eth0', 'lan', 'router', 1)],
      [],
    ),
  ];
  if (opts.management ?? false) hosts.push(host('mgmt', 'management', [iface('eth0', 'lan', 'mgmt', 2)], []));
  for (let i = 1; i <= nodeCount; i++) {
    const role = nodeRole(i);
    const nics = [
      iface('eth0', 'lan', role, 10 + i),
      ...(secondaryLan ? [iface('eth1', 'lan2', role, 10 + i)] : []),
    ];
    hosts.push(host(role, 'node', nics, multihop ? viaRouter(FAR, routerLan) : []));
  }
  // The client reaches BGP-announced addresses the way a user would: through the router that learned them.
  const clientNics = [
    iface('eth0', 'lan', 'client', 100),
    ...(secondaryLan ? [iface('eth1', 'lan2', 'client', 62)] : []),
  ];
  hosts.push(host('client', 'client', clientNics, viaRouter(bgpPools, routerLan)));
  if (multihop) {
    hosts.push(
      host('farrouter', 'farrouter', [iface('eth0', 'far', 'farrouter', 2)], viaRouter(LAN, routerFar)),
    );
  }
  const peerCount = { lan: 0, far: 0 };
  for (const p of opts.peers ?? []) {
    if (BUILTIN_ROLES.has(p.role) || /^node\d+$/.test(p.role) || hosts.some((h) => h.role === p.role)) {
      throw new Error(`netplan: peer role ${p.role} is taken`);
    }
    if (p.segment === 'far' && !multihop)
      throw new Error(`netplan: peer ${p.role} is on the far segment, which needs multihop: true`);
    peerCount[p.segment] += 1;
    if (peerCount[p.segment] > MAX_PEERS_PER_SEGMENT) {
      throw new Error(`netplan: at most ${MAX_PEERS_PER_SEGMENT} peers fit on the ${p.segment} segment`);
    }
    const n = 2 + peerCount[p.segment];
    const routes =
      p.segment === 'lan' ? (multihop ? viaRouter(FAR, routerLan) : []) : viaRouter(LAN, routerFar);
    hosts.push(host(p.role, 'peer', [iface('eth0', p.segment, p.role, n)], routes));
  }

  const plan: WorldPlan = { runId, segments, hosts, pools: { l2: [...L2_POOLS], bgp: [...BGP_POOLS] } };
  checkPlan(plan);
  return plan;
}

/** Every address and route inside the documentation ranges, and no address used twice. Throws otherwise. */
export function checkPlan(plan: WorldPlan): void {
  for (const s of plan.segments) {
    assertTestCidr(s.v4);
    assertTestCidr(s.v6);
  }
  for (const p of [...plan.pools.l2, ...plan.pools.bgp]) assertTestCidr(p);
  const seen = new Map<string, string>();
  for (const h of plan.hosts) {
    for (const i of h.interfaces) {
      for (const ip of [i.v4, i.v6]) {
        assertTestIp(ip);
        const owner = seen.get(ip);
        if (owner !== undefined)
          throw new Error(`netplan: ${ip} is planned for both ${owner} and ${h.role}/${i.ifname}`);
        seen.set(ip, `${h.role}/${i.ifname}`);
      }
    }
    for (const r of h.routes) {
      assertTestCidr(r.dst);
      assertTestIp(r.via);
    }
  }
}

export function hostsOfKind(plan: WorldPlan, kind: HostKind): HostPlan[] {
  return plan.hosts.filter((h) => h.kind === kind);
}
