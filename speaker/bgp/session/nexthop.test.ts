// The other family's next hop for a dual-stack session: from the interface holding the local address, among
// a VRF's interfaces for a VRF session; and the router ID a VRF session takes from its connection.
import type { NetworkInterfaceInfo } from 'node:os';
import type { Link } from '../../l2/netlink';
import { interfacesInVrf, otherFamilyNextHop, routerIdFromConnection } from './nexthop';

const addr = (address: string, internal = false): NetworkInterfaceInfo =>
  address.includes(':')
    ? { address, family: 'IPv6', internal, netmask: 'ffff:ffff:ffff:ffff::', mac: '', cidr: null, scopeid: 0 }
    : { address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '', cidr: null };

const INTERFACES = {
  lo: [addr('127.0.0.1', true), addr('::1', true)],
  eth0: [addr('192.0.2.11'), addr('fe80::1'), addr('2001:db8:1::11'), addr('2001:db8:1::99')],
  eth1: [addr('198.51.100.11'), addr('2001:db8:2::11')],
};

describe('otherFamilyNextHop', () => {
  it("takes the interface's first global IPv6 address for an IPv4 session, skipping link-local", () => {
    expect(otherFamilyNextHop(INTERFACES, '192.0.2.11', 6)).toBe('2001:db8:1::11');
    expect(otherFamilyNextHop(INTERFACES, '198.51.100.11', 6)).toBe('2001:db8:2::11');
  });
  it("takes the interface's IPv4 address for an IPv6 session", () => {
    expect(otherFamilyNextHop(INTERFACES, '2001:db8:1::99', 4)).toBe('192.0.2.11');
  });
  it('reads an IPv4-mapped local address as IPv4', () => {
    expect(otherFamilyNextHop(INTERFACES, '::ffff:192.0.2.11', 6)).toBe('2001:db8:1::11');
  });
  it('has none when the interface has no address of that family, or no interface holds the address', () => {
    expect(
      otherFamilyNextHop({ eth0: [addr('192.0.2.11'), addr('fe80::1')] }, '192.0.2.11', 6),
    ).toBeUndefined();
    expect(otherFamilyNextHop(INTERFACES, '203.0.113.1', 6)).toBeUndefined();
  });
});

describe('interfacesInVrf', () => {
  const links: Link[] = [
    { index: 2, name: 'eth0', type: 1, flags: 1 },
    { index: 3, name: 'eth1', type: 1, flags: 1, master: 5 },
    { index: 4, name: 'br0', type: 1, flags: 1, kind: 'bridge' },
    { index: 5, name: 'red', type: 1, flags: 1, kind: 'vrf' },
    { index: 6, name: 'veth9', type: 1, flags: 1, master: 4 },
  ];

  it('keeps only the interfaces whose master is the VRF device', () => {
    expect(Object.keys(interfacesInVrf(INTERFACES, links, 'red'))).toEqual(['eth1']);
  });
  it('is the device alone when the name is a plain device, and none for no device at all', () => {
    expect(Object.keys(interfacesInVrf(INTERFACES, links, 'eth0'))).toEqual(['eth0']);
    expect(interfacesInVrf(INTERFACES, links, 'br0')).toEqual({});
    expect(interfacesInVrf(INTERFACES, links, 'blue')).toEqual({});
  });
});

describe('routerIdFromConnection', () => {
  it("is an IPv4 connection's local address (mapped or not)", () => {
    expect(routerIdFromConnection(INTERFACES, '198.51.100.11')).toBe('198.51.100.11');
    expect(routerIdFromConnection(INTERFACES, '::ffff:198.51.100.11')).toBe('198.51.100.11');
  });
  it("is the IPv4 address of an IPv6 connection's interface, else none", () => {
    expect(routerIdFromConnection(INTERFACES, '2001:db8:2::11')).toBe('198.51.100.11');
    expect(routerIdFromConnection(INTERFACES, '2001:db8:9::1')).toBeUndefined();
  });
});
