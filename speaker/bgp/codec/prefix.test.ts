import fc from 'fast-check';
import { ErrorCode, UpdateMessageSubcode } from './codes';
import { formatIP, parseIP } from '../../../addr/ip';
import { addressBytes, decodePrefixes, encodePrefixes, parsePrefix, prefixesEncodingLength } from './prefix';
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

  describe('addressBytes', () => {
    /** What the general parser makes of the text, as octets. */
    const viaParser = (family: 4 | 6, text: string): string | undefined => {
      const ip = parseIP(text);
      return ip?.family === family ? ip.value.toString(16).padStart(family === 4 ? 8 : 32, '0') : undefined;
    };
    const arbV6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

    it("gives the general parser's octets for every canonical IPv6 text (RFC 5952)", () => {
      fc.assert(
        fc.property(arbV6, (value) => {
          const text = formatIP({ family: 6, value });
          expect(addressBytes(6, text).toString('hex')).toBe(viaParser(6, text));
        }),
      );
    });

    it('reads uncompressed, upper-case and zero-padded groups as the general parser does', () => {
      fc.assert(
        fc.property(arbV6, fc.boolean(), (value, upper) => {
          const groups = value.toString(16).padStart(32, '0').match(/.{4}/g) ?? [];
          const text = groups.join(':');
          const written = upper ? text.toUpperCase() : text;
          expect(addressBytes(6, written).toString('hex')).toBe(viaParser(6, text));
        }),
      );
    });

    it('reads dotted quads, and an IPv4 tail in IPv6 text (RFC 4291 2.2)', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value) => {
          const text = formatIP({ family: 4, value });
          expect(addressBytes(4, text).toString('hex')).toBe(viaParser(4, text));
        }),
      );
      expect(addressBytes(6, '::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
      expect(addressBytes(6, '2001:db8::').toString('hex')).toBe('20010db8000000000000000000000000');
      expect(addressBytes(6, '::').toString('hex')).toBe('0'.repeat(32));
    });

    it('throws on text that is no address of the family', () => {
      for (const bad of ['', '2001:db8::1', '192.0.2', '192.0.2.256', '1.2.3.4.5', 'x.1.2.3'])
        expect(() => addressBytes(4, bad)).toThrow(TypeError);
      for (const bad of [
        '',
        '192.0.2.1',
        '2001:db8:::1',
        '1::2::3',
        '1:2:3:4:5:6:7:8:9',
        '12345::',
        ':1::',
        'fe80::1%eth0',
        '1:2:3:4:5:6:7::8',
      ])
        expect(() => addressBytes(6, bad)).toThrow(TypeError);
    });
  });
});
