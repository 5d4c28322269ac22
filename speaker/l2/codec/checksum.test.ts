import { icmpv6Checksum, internetChecksum } from './checksum';
import { unhex } from './testutil';

describe('Internet checksum (RFC 1071)', () => {
  it('matches the worked example of RFC 1071 §3', () => {
    // 0001 f203 f4f5 f6f7 sums to ddf2 (with the carry folded in); the checksum is its complement.
    expect(internetChecksum(unhex('0001f203f4f5f6f7'))).toBe(0xffff - 0xddf2);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(internetChecksum(unhex('0102 03'))).toBe(internetChecksum(unhex('0102 0300')));
  });
});

describe('ICMPv6 checksum (RFC 4443 §2.3)', () => {
  // The ICMPv6 part of a solicitation ndisc6 sent from fe80::ff:fe00:b to ff02::1:ff00:200, as captured.
  const NS = unhex('8700484e00000000 20010db8000100000000000000000200 0101 02000000000b');

  it('verifies a captured message to zero', () => {
    expect(icmpv6Checksum('fe80::ff:fe00:b', 'ff02::1:ff00:200', NS)).toBe(0);
  });

  it('reproduces the captured checksum with the field zeroed', () => {
    const zeroed = NS.slice();
    zeroed[2] = 0;
    zeroed[3] = 0;
    expect(icmpv6Checksum('fe80::ff:fe00:b', 'ff02::1:ff00:200', zeroed)).toBe(0x484e);
  });

  it('depends on the pseudo-header addresses', () => {
    expect(icmpv6Checksum('fe80::ff:fe00:c', 'ff02::1:ff00:200', NS)).not.toBe(0);
  });
});
