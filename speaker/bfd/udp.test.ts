import { VrfDeviceMissingError } from '../l2/sys/bindtodevice';
import { canonicalIP, decodeSockaddr, encodeSockaddr, minTtlFilter, routeSourceInVrf } from './udp';

test('sockaddr_in and sockaddr_in6 layouts round-trip with the port in network order', () => {
  const v4 = encodeSockaddr('192.0.2.7', 3784);
  expect(v4.toString('hex')).toBe('02000ec8c0000207' + '0000000000000000');
  expect(decodeSockaddr(v4)).toEqual({ ip: '192.0.2.7', port: 3784 });
  const v6 = encodeSockaddr('2001:db8::7', 4784);
  expect(v6.length).toBe(28);
  expect(v6.readUInt16LE(0)).toBe(10);
  expect(decodeSockaddr(v6)).toEqual({ ip: '2001:db8::7', port: 4784 });
});

test('addresses are compared in canonical form', () => {
  expect(canonicalIP('2001:DB8:0:0::1')).toBe('2001:db8::1');
});

test('the minimum-TTL filter loads the TTL (IPv4 octet 8) or Hop Limit (IPv6 octet 7) from the network header', () => {
  const v4 = minTtlFilter(4, 255);
  expect(v4[0]).toEqual({ code: 0x30, jt: 0, jf: 0, k: 0xfff00008 });
  expect(v4[1]).toEqual({ code: 0x35, jt: 0, jf: 1, k: 255 });
  expect(v4[3]).toEqual({ code: 0x06, jt: 0, jf: 0, k: 0 });
  expect(minTtlFilter(6, 254)[0]?.k).toBe(0xfff00007);
  expect(minTtlFilter(6, 254)[1]?.k).toBe(254);
});

test("inside a VRF the source is the kernel's route through that device; a missing device is typed", () => {
  // lo stands in for a VRF device: a socket bound to it reaches 127.0.0.1 from 127.0.0.1.
  expect(routeSourceInVrf('127.0.0.1', 'lo')).toBe('127.0.0.1');
  expect(() => routeSourceInVrf('192.0.2.1', 'ilb-novrf')).toThrow(VrfDeviceMissingError);
});
