// The next hop this node offers for a prefix of the family its session's transport does not carry (a
// dual-stack session, RFC 4760 3; for IPv6 over IPv4, RFC 2545 3 wants a global IPv6 address): the first
// address of that family on the interface that holds the session's local address, the way FRR picks a next
// hop from the interface zebra reports, and upstream's native speaker its router ID for an IPv6 session
// ("the first IPv4 address on the same interface"). Pure: the interface list is passed in
// (os.networkInterfaces() in the speaker, which runs in the node's network namespace).
//
// A session in a VRF looks only at the interfaces enslaved to that VRF device (`interfacesInVrf`): a VRF may
// reuse an address the default table also has, and its next hops must be reachable through its own links.
import type { NetworkInterfaceInfo } from 'node:os';
import type { Link } from '../../l2/netlink';

export type Interfaces = Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>;

/** Usable as a next hop a router elsewhere on the segment can reach: not loopback, link-local or mapped. */
function isGlobal(a: NetworkInterfaceInfo): boolean {
  if (a.internal) return false;
  if (a.family === 'IPv4') return !a.address.startsWith('169.254.');
  const lower = a.address.toLowerCase();
  return !/^fe[89ab]/.test(lower) && !lower.startsWith('::ffff:') && lower !== '::1';
}

export function otherFamilyNextHop(
  interfaces: Interfaces,
  localAddress: string,
  family: 4 | 6,
): string | undefined {
  const wanted = family === 4 ? 'IPv4' : 'IPv6';
  const local = localAddress.toLowerCase().replace(/^::ffff:/, '');
  for (const addresses of Object.values(interfaces)) {
    if (addresses === undefined) continue;
    if (!addresses.some((a) => a.address.toLowerCase() === local)) continue;
    return addresses.find((a) => a.family === wanted && isGlobal(a))?.address;
  }
  return undefined;
}

/**
 * The interfaces enslaved to the VRF device `vrf` (IFLA_MASTER naming a device whose IFLA_INFO_KIND is
 * "vrf"). When the name is a plain device instead, that device alone: SO_BINDTODEVICE confines the session
 * to it just the same. None when the namespace has no device of that name.
 */
export function interfacesInVrf(interfaces: Interfaces, links: readonly Link[], vrf: string): Interfaces {
  const device = links.find((l) => l.name === vrf);
  if (device === undefined) return {};
  const members =
    device.kind === 'vrf'
      ? new Set(links.filter((l) => l.master === device.index).map((l) => l.name))
      : new Set([device.name]);
  return Object.fromEntries(Object.entries(interfaces).filter(([name]) => members.has(name)));
}

/**
 * The router ID taken from the connection, as upstream's native speaker does when the BGPPeer sets none
 * (internal/bgp/native/native.go): the local address of an IPv4 session, else the first IPv4 address on the
 * interface that holds the local IPv6 address; undefined when there is none.
 */
export function routerIdFromConnection(interfaces: Interfaces, localAddress: string): string | undefined {
  const local = localAddress.toLowerCase().replace(/^::ffff:/, '');
  if (!local.includes(':')) return local;
  return otherFamilyNextHop(interfaces, local, 4);
}
