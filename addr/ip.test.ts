import fc from 'fast-check';
import { IPv4, IPv6, Validator } from 'ip-num';
import { compareIP, formatIP, parseIP, parsePlain } from './ip';

/** What ip-num alone says, as parseIP answered before the direct reader existed. */
function viaIpNum(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (text.includes('%')) return undefined;
  if (Validator.isValidIPv4String(text)[0]) return { family: 4, value: IPv4.fromString(text).getValue() };
  if (text.includes(':') && Validator.isValidIPv6String(text)[0])
    return { family: 6, value: IPv6.fromString(text).getValue() };
  return undefined;
}

describe('parseIP', () => {
  it.each([
    ['192.0.2.1', 4, 3221225985n],
    ['2001:db8::1', 6, 0x20010db8000000000000000000000001n],
    ['2001:DB8::1', 6, 0x20010db8000000000000000000000001n],
    ['::', 6, 0n],
  ])('parses %s', (text, family, value) => {
    expect(parseIP(text)).toEqual({ family, value });
  });

  it.each(['', '1.2.3', '256.1.1.1', '192.0.02.1', ' 192.0.2.1', 'fe80::1%eth0', 'foo', '2001:db8::1::2'])(
    'rejects %j',
    (text) => {
      expect(parseIP(text)).toBeUndefined();
    },
  );

  it('answers the same, parsed or remembered, across more texts than the memo holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), { minLength: 1, maxLength: 40 }),
        (texts) => {
          const first = texts.map((t) => parseIP(t));
          expect(texts.map((t) => parseIP(t))).toEqual(first);
        },
      ),
      { numRuns: 300 },
    );
    for (let i = 0; i < 9000; i++) parseIP(`2001:db8::${i.toString(16)}`);
    expect(parseIP('2001:db8::1')).toEqual({ family: 6, value: 0x20010db8000000000000000000000001n });
    expect(parseIP('1.2.3')).toBeUndefined();
  });
});

describe('parsePlain', () => {
  it.each([
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
    '1::8',
    '::',
    '::1',
    '0.0.0.0',
    '255.255.255.255',
    'FFFF:ffff::',
  ])('reads %s as ip-num does', (text) => {
    expect(parsePlain(text)).toEqual(viaIpNum(text));
  });

  it.each(['1:2:3:4:5:6:7:8::', '1:2:3:4:5:6:7', '12345::', '1.2.3.04', '1.2.3.4.5', ':1::', '1.2.3.'])(
    'leaves %j to ip-num',
    (text) => {
      expect(parsePlain(text)).toBeUndefined();
    },
  );

  it('never disagrees with ip-num on what it reads, and reads every RFC 5952 and dotted-quad text', () => {
    const hexy = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 45 });
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), hexy, fc.string()), (text) => {
        const plain = parsePlain(text);
        if (plain !== undefined) expect(plain).toEqual(viaIpNum(text));
        expect(parseIP(text)).toEqual(viaIpNum(text));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        expect(parsePlain(formatIP({ family: 6, value }))).toEqual({ family: 6, value });
      }),
    );
  });
});

describe('formatIP', () => {
  it.each([
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal zero runs is compressed
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:db8::', '2001:db8::'],
    ['198.51.100.7', '198.51.100.7'],
  ])('writes %s as %s (RFC 5952)', (input, expected) => {
    const ip = parseIP(input);
    expect(ip && formatIP(ip)).toBe(expected);
  });

  it('round-trips any IPv4 value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value) => {
        expect(parseIP(formatIP({ family: 4, value }))).toEqual({ family: 4, value });
      }),
    );
  });

  it('round-trips any IPv6 value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        expect(parseIP(formatIP({ family: 6, value }))).toEqual({ family: 6, value });
      }),
    );
  });
});

describe('compareIP', () => {
  it('orders IPv4 before IPv6 and by value within a family', () => {
    const ips = ['2001:db8::1', '192.0.2.9', '192.0.2.10', '::1'].map((t) => parseIP(t));
    const sorted = ips
      .flatMap((ip) => (ip ? [ip] : []))
      .sort(compareIP)
      .map(formatIP);
    expect(sorted).toEqual(['192.0.2.9', '192.0.2.10', '::1', '2001:db8::1']);
  });
});
