import fc from 'fast-check';
import { decode, encode, encodingLength, type Ipv6Header } from './ipv6';
import { arbIPv6, hex, unhex } from './testutil';

// The IPv6 header of a captured ndisc6 solicitation: flow label 0x15270, payload 32, next header 58, hop limit 255.
const CAPTURED = '60015270 0020 3a ff fe80000000000000000000fffe00000b ff0200000000000000000001ff000200';

describe('IPv6 header (RFC 8200 §3)', () => {
  it('decodes a captured header', () => {
    expect(decode(unhex(CAPTURED))).toEqual({
      ok: true,
      bytes: 40,
      value: {
        trafficClass: 0,
        flowLabel: 0x15270,
        payloadLength: 32,
        nextHeader: 58,
        hopLimit: 255,
        source: 'fe80::ff:fe00:b',
        destination: 'ff02::1:ff00:200',
      },
    });
  });

  it('re-encodes the captured header byte for byte', () => {
    const r = decode(unhex(CAPTURED));
    if (!r.ok) throw new Error(r.reason);
    expect(hex(encode(r.value))).toBe(CAPTURED.replace(/\s/g, ''));
  });

  it('rejects a version other than 6 and a short header', () => {
    expect(decode(unhex('4' + CAPTURED.replace(/\s/g, '').slice(1)))).toEqual({
      ok: false,
      reason: 'ipv6-version',
    });
    expect(decode(unhex(CAPTURED).subarray(0, 39))).toEqual({ ok: false, reason: 'ipv6-truncated' });
  });

  it('round-trips any header', () => {
    const arb: fc.Arbitrary<Ipv6Header> = fc.record({
      trafficClass: fc.integer({ min: 0, max: 255 }),
      flowLabel: fc.integer({ min: 0, max: 0xfffff }),
      payloadLength: fc.integer({ min: 0, max: 0xffff }),
      nextHeader: fc.integer({ min: 0, max: 255 }),
      hopLimit: fc.integer({ min: 0, max: 255 }),
      source: arbIPv6,
      destination: arbIPv6,
    });
    fc.assert(
      fc.property(arb, (h) => {
        const bytes = encode(h);
        expect(bytes.length).toBe(encodingLength(h));
        expect(decode(bytes)).toEqual({ ok: true, value: h, bytes: 40 });
      }),
    );
  });
});
