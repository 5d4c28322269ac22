import fc from 'fast-check';
import { ipv6MulticastMac, isSolicitedNodeGroup, readMac, solicitedNodeGroup, writeMac } from './address';
import { arbIPv6, arbMac } from './testutil';

describe('L2 addresses', () => {
  it.each([
    ['2001:db8:1::200', 'ff02::1:ff00:200'],
    ['2001:db8::abcd:1234:5678', 'ff02::1:ff34:5678'],
    ['fe80::ff:fe00:a', 'ff02::1:ff00:a'],
  ])('derives the solicited-node group of %s (RFC 4291 §2.7.1)', (ip, group) => {
    expect(solicitedNodeGroup(ip)).toBe(group);
    expect(isSolicitedNodeGroup(group)).toBe(true);
  });

  it('does not take all-nodes or a unicast address for a solicited-node group', () => {
    expect(isSolicitedNodeGroup('ff02::1')).toBe(false);
    expect(isSolicitedNodeGroup('2001:db8::1:ff00:200')).toBe(false);
  });

  it('every solicited-node group is recognised as one', () => {
    fc.assert(fc.property(arbIPv6, (ip) => expect(isSolicitedNodeGroup(solicitedNodeGroup(ip))).toBe(true)));
  });

  it('maps IPv6 multicast to 33:33 plus the low 32 bits (RFC 2464 §7)', () => {
    expect(ipv6MulticastMac('ff02::1')).toBe('33:33:00:00:00:01');
    expect(ipv6MulticastMac('ff02::1:ff00:200')).toBe('33:33:ff:00:02:00');
  });

  it('refuses to encode something that is not a MAC', () => {
    expect(() => writeMac('02:00:00:00:00', new Uint8Array(6), 0)).toThrow(TypeError);
  });

  it('round-trips MACs', () => {
    fc.assert(
      fc.property(arbMac, (mac) => {
        const b = new Uint8Array(6);
        writeMac(mac, b, 0);
        expect(readMac(b, 0)).toBe(mac);
      }),
    );
  });
});
