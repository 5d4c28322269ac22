// What a connection learns from the node's interfaces: read only when needed, never an exception.
import type { NetworkInterfaceInfo } from 'node:os';
import { IPV4_UNICAST, IPV6_UNICAST } from '../fsm/open';
import { connectionAddresses } from './connectionaddresses';

const info = (address: string): NetworkInterfaceInfo =>
  address.includes(':')
    ? { address, family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 }
    : { address, family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null };
const interfaces = () => ({ eth1: [info('203.0.113.75'), info('2001:db8:3::11')] });
const links = () => [
  { index: 3, name: 'eth1', type: 1, flags: 1, master: 4 },
  { index: 4, name: 'red', type: 1, flags: 1, kind: 'vrf' },
];

test('a single-family default-table session reads no interface at all', () => {
  const read = jest.fn(interfaces);
  expect(
    connectionAddresses(
      { families: [IPV4_UNICAST], routerIdFromConnection: false, interfaces: read },
      '192.0.2.11',
    ),
  ).toEqual({});
  expect(read).not.toHaveBeenCalled();
});

test('a dual-stack VRF session gets the next hop and the identifier from one read', () => {
  const read = jest.fn(interfaces);
  const readLinks = jest.fn(links);
  expect(
    connectionAddresses(
      {
        families: [IPV6_UNICAST, IPV4_UNICAST],
        routerIdFromConnection: true,
        vrf: 'red',
        interfaces: read,
        links: readLinks,
      },
      '2001:db8:3::11',
    ),
  ).toEqual({ otherNextHop: '203.0.113.75', routerId: '203.0.113.75' });
  expect(read).toHaveBeenCalledTimes(1);
  expect(readLinks).toHaveBeenCalledTimes(1);
});

test('a failing netlink read finds nothing rather than throwing', () => {
  const failing = () => {
    throw new Error('netlink dump (type 18) timed out');
  };
  expect(
    connectionAddresses(
      { families: [IPV6_UNICAST], routerIdFromConnection: true, vrf: 'red', interfaces, links: failing },
      '2001:db8:3::11',
    ),
  ).toEqual({});
});
