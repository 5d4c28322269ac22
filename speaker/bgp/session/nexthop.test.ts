// The other family's next hop for a dual-stack session: from the interface holding the local address.
import type { NetworkInterfaceInfo } from 'node:os';
import { otherFamilyNextHop } from './nexthop';

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
