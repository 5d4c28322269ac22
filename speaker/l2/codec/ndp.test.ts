import fc from 'fast-check';
import { icmpv6Checksum } from './checksum';
import { decode, encode, encodingLength, linkLayerOption } from './ndp';
import { arbIPv6, arbNdp, hex, unhex } from './testutil';

const PSEUDO = { source: 'fe80::ff:fe00:b', destination: 'ff02::1:ff00:200' };
// The ICMPv6 part of `ndisc6 2001:db8:1::200 <if>` from 02:00:00:00:00:0b, captured with tcpdump.
const CAPTURED_NS = '8700484e 00000000 20010db8000100000000000000000200 01 01 02000000000b';

/** Recomputes the checksum so a test reaches the check after it. */
function reseal(bytes: Uint8Array): void {
  bytes[2] = 0;
  bytes[3] = 0;
  const sum = icmpv6Checksum(PSEUDO.source, PSEUDO.destination, bytes);
  bytes[2] = sum >> 8;
  bytes[3] = sum & 0xff;
}

describe('ICMPv6 Neighbor Solicitation / Advertisement (RFC 4861 §4.3, §4.4)', () => {
  it('decodes a captured solicitation with its source link-layer option', () => {
    expect(decode(unhex(CAPTURED_NS), 0, 32, PSEUDO)).toEqual({
      ok: true,
      bytes: 32,
      value: {
        type: 'neighbor-solicitation',
        target: '2001:db8:1::200',
        options: [{ kind: 'source-lla', mac: '02:00:00:00:00:0b' }],
      },
    });
  });

  it('encodes the captured solicitation byte for byte, checksum included', () => {
    const ns = {
      type: 'neighbor-solicitation' as const,
      target: '2001:db8:1::200',
      options: [{ kind: 'source-lla' as const, mac: '02:00:00:00:00:0b' }],
    };
    expect(hex(encode(ns, PSEUDO))).toBe(CAPTURED_NS.replace(/\s/g, ''));
  });

  it('puts R, S and O in the top three bits of the first reserved byte (§4.4)', () => {
    const na = {
      type: 'neighbor-advertisement' as const,
      router: false,
      solicited: true,
      override: true,
      target: '2001:db8:1::200',
      options: [{ kind: 'target-lla' as const, mac: '02:00:00:00:00:0a' }],
    };
    const bytes = encode(na, { source: 'fe80::ff:fe00:a', destination: 'fe80::ff:fe00:b' });
    expect(hex(bytes.subarray(0, 1))).toBe('88');
    expect(hex(bytes.subarray(4, 8))).toBe('60000000');
    expect(hex(bytes.subarray(24))).toBe('020102000000000a');
  });

  it.each([
    ['a bad checksum', (b: Uint8Array) => (b[3] = (b[3] ?? 0) ^ 1), 'ndp-checksum'],
    ['a non-zero code', (b: Uint8Array) => (b[1] = 1), 'ndp-code'],
    ['an option of length zero', (b: Uint8Array) => (b[25] = 0), 'ndp-option-zero-length'],
    ['an option running past the end', (b: Uint8Array) => (b[25] = 2), 'ndp-option-truncated'],
    ['an ICMPv6 echo request', (b: Uint8Array) => (b[0] = 128), 'ndp-not-neighbor-message'],
  ])('rejects %s', (_what, mangle, reason) => {
    const bytes = unhex(CAPTURED_NS);
    mangle(bytes);
    if (reason !== 'ndp-checksum') reseal(bytes);
    expect(decode(bytes, 0, bytes.length, PSEUDO)).toEqual({ ok: false, reason });
  });

  it('rejects a message shorter than 24 bytes (§7.1.1)', () => {
    expect(decode(unhex(CAPTURED_NS), 0, 20, PSEUDO)).toEqual({ ok: false, reason: 'ndp-truncated' });
  });

  it('finds the link-layer option by kind', () => {
    const r = decode(unhex(CAPTURED_NS), 0, 32, PSEUDO);
    if (!r.ok) throw new Error(r.reason);
    expect(linkLayerOption(r.value, 'source-lla')).toBe('02:00:00:00:00:0b');
    expect(linkLayerOption(r.value, 'target-lla')).toBeUndefined();
  });

  it('round-trips any message under any pseudo-header', () => {
    fc.assert(
      fc.property(arbNdp, arbIPv6, arbIPv6, (m, source, destination) => {
        const bytes = encode(m, { source, destination });
        expect(bytes.length).toBe(encodingLength(m));
        expect(decode(bytes, 0, bytes.length, { source, destination })).toEqual({
          ok: true,
          value: m,
          bytes: bytes.length,
        });
      }),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(90), (b, len) => {
        expect(typeof decode(b, 0, len, PSEUDO).ok).toBe('boolean');
      }),
    );
  });
});
