import { assertTestCidr, assertTestIp, isTestCidr, nthAddress, parseStrictCidr } from './cidr';

describe('cidr', () => {
  test('first service address of v4 and v6 ranges', () => {
    expect(nthAddress('198.51.100.0/24', 1)).toBe('198.51.100.1');
    expect(nthAddress('2001:db8:1::/112', 1)).toBe('2001:db8:1::1');
    expect(nthAddress('203.0.113.128/25', 127)).toBe('203.0.113.255');
    expect(() => nthAddress('203.0.113.128/25', 128)).toThrow();
  });

  test('only documentation ranges are accepted', () => {
    for (const ok of [
      '192.0.2.0/24',
      '198.51.100.0/25',
      '203.0.113.7/32',
      '2001:db8::/32',
      '2001:db8:ffff::/48',
    ]) {
      expect(isTestCidr(ok)).toBe(true);
    }
    for (const bad of [
      '10.0.0.0/24',
      '198.51.0.0/16',
      '0.0.0.0/0',
      '2001:db9::/32',
      '2001::/16',
      '127.0.0.0/8',
    ]) {
      expect(isTestCidr(bad)).toBe(false);
      expect(() => assertTestCidr(bad)).toThrow(/refusing/);
    }
    expect(() => assertTestIp('192.0.2.254')).not.toThrow();
    expect(() => assertTestIp('192.168.1.1')).toThrow(/refusing/);
  });

  test('rejects malformed input', () => {
    for (const bad of ['198.51.100.1/24', '198.51.100.0', '198.51.100.0/33', 'x/24', '2001:db8::/129']) {
      expect(() => parseStrictCidr(bad)).toThrow();
    }
  });
});
