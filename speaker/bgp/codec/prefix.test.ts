import fc from 'fast-check';
import { ErrorCode, UpdateMessageSubcode } from './codes';
import { decodePrefixes, encodePrefixes, parsePrefix, prefixesEncodingLength } from './prefix';
import { arbPrefix, hex, unhex } from './testutil';

describe('NLRI prefixes (RFC 4271 4.3, RFC 4760 5)', () => {
  it('parses text, masking host bits', () => {
    expect(parsePrefix('203.0.113.77/24')).toEqual({ family: 4, address: '203.0.113.0', length: 24 });
    expect(parsePrefix('2001:db8:1:2::7/48')).toEqual({ family: 6, address: '2001:db8:1::', length: 48 });
    expect(parsePrefix('203.0.113.0')).toBeUndefined();
  });

  it('writes the length in bits, then the fewest octets that hold it', () => {
    const prefixes = [
      '0.0.0.0/0',
      '203.0.113.0/25',
      '198.51.100.7/32',
      '2001:db8::/32',
      '2001:db8::1/128',
    ].map((p) => {
      const prefix = parsePrefix(p);
      if (prefix === undefined) throw new Error(p);
      return prefix;
    });
    const buf = Buffer.alloc(prefixesEncodingLength(prefixes));
    encodePrefixes(prefixes, buf, 0);
    expect(hex(buf)).toBe(
      '00' + '19cb007100' + '20c6336407' + '2020010db8' + '8020010db8000000000000000000000001',
    );
    expect(decodePrefixes(4, buf, 0, 11)).toEqual({ ok: true, bytes: 11, value: prefixes.slice(0, 3) });
  });

  it.each([
    ['a length over 32', '21 cb007100 00', 4],
    ['a length over 128', '81' + '00'.repeat(17), 6],
    ['octets missing', '18 cb00', 4],
  ])('refuses %s as Invalid Network Field', (_name, bytes, family) => {
    const buf = unhex(bytes);
    expect(decodePrefixes(family as 4 | 6, buf, 0, buf.length)).toMatchObject({
      ok: false,
      error: {
        notification: {
          code: ErrorCode.UpdateMessageError,
          subcode: UpdateMessageSubcode.InvalidNetworkField,
        },
      },
    });
  });

  it.each([4, 6] as const)('round-trips any IPv%i prefix list', (family) => {
    fc.assert(
      fc.property(fc.array(arbPrefix(family), { maxLength: 20 }), (prefixes) => {
        const buf = Buffer.alloc(prefixesEncodingLength(prefixes));
        encodePrefixes(prefixes, buf, 0);
        expect(decodePrefixes(family, buf, 0, buf.length)).toEqual({
          ok: true,
          bytes: buf.length,
          value: prefixes,
        });
      }),
      { seed: 4760, numRuns: 500 },
    );
  });
});
