// What a session learns from the node's interfaces once its connection is up: the next hop for the family
// its transport does not carry (a dual-stack session) and, for a VRF session without a configured router ID,
// the BGP identifier. Both come from the interfaces the session can use: a VRF session's are those enslaved
// to its VRF device (nexthop.ts interfacesInVrf), every other's all of the namespace's. The reads
// (os.networkInterfaces, an rtnetlink link dump) are passed in for tests.
import { networkInterfaces } from 'node:os';
import type { Link } from '../../l2/netlink';
import { readLinks } from '../../l2/sys/netlink-socket';
import { Afi } from '../codec/codes';
import type { AfiSafi } from '../codec/capabilities';
import { type Interfaces, interfacesInVrf, otherFamilyNextHop, routerIdFromConnection } from './nexthop';

export interface AddressSources {
  /** The families the session offers. */
  readonly families: readonly AfiSafi[];
  /** A configured IPv6 next hop for an IPv4 session, used instead of the interface's. */
  readonly nextHop6?: string | undefined;
  readonly vrf?: string | undefined;
  /** Take the BGP identifier from the connection. */
  readonly routerIdFromConnection: boolean;
  readonly interfaces?: (() => Interfaces) | undefined;
  readonly links?: (() => readonly Link[]) | undefined;
}

export interface ConnectionAddresses {
  /** Undefined: none of that family (an IPv4 prefix then stays pending on an IPv6 session). */
  readonly otherNextHop?: string;
  /** Undefined: the configured fallback stays in the OPEN. */
  readonly routerId?: string;
}

/** Never throws: an interface or netlink read that fails finds nothing. */
export function connectionAddresses(src: AddressSources, localAddress: string): ConnectionAddresses {
  const dualStack =
    src.families.some((f) => f.afi === Afi.IPv4) && src.families.some((f) => f.afi === Afi.IPv6);
  const v6Session = localAddress.includes(':') && !localAddress.startsWith('::ffff:');
  let usable: Interfaces | undefined;
  const interfaces = (): Interfaces => {
    if (usable !== undefined) return usable;
    try {
      const all = (src.interfaces ?? networkInterfaces)();
      usable = src.vrf === undefined ? all : interfacesInVrf(all, (src.links ?? readLinks)(), src.vrf);
    } catch {
      usable = {};
    }
    return usable;
  };
  let otherNextHop: string | undefined;
  if (dualStack)
    otherNextHop =
      !v6Session && src.nextHop6 !== undefined
        ? src.nextHop6
        : otherFamilyNextHop(interfaces(), localAddress, v6Session ? 4 : 6);
  const routerId = src.routerIdFromConnection
    ? routerIdFromConnection(interfaces(), localAddress)
    : undefined;
  return {
    ...(otherNextHop !== undefined ? { otherNextHop } : {}),
    ...(routerId !== undefined ? { routerId } : {}),
  };
}
