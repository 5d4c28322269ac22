import fc from 'fast-check';
import {
  Cidr,
  cidrContains,
  cidrLast,
  cidrSize,
  cidrsOverlap,
  formatCidr,
  parseCidr,
  parsePoolEntry,
  summarizeRange,
} from './cidr';
import { IPAddress, parseIP } from './ip';

function ip(text: string): IPAddress {
  const parsed = parseIP(text);
  if (!parsed) throw new Error(`bad test address ${text}`);
  return parsed;
}

function entryCidrs(entry: string): string[] {
  const parsed = parsePoolEntry(entry);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.cidrs.map(formatCidr);
}

describe('parseCidr', () => {
  it('normalises host bits like net.ParseCIDR', () => {
    expect(formatCidr(parseCidr('192.0.2.77/24') as Cidr)).toBe('192.0.2.0/24');
    expect(formatCidr(parseCidr('2001:db8::ff/120') as Cidr)).toBe('2001:db8::/120');
  });

  it.each([
    '192.0.2.0/33',
    '2001:db8::/129',
    '192.0.2.0',
    '192.0.2.0/',
    '192.0.2.0/-1',
    'x/24',
    '192.0.2.0/2a',
  ])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('sizes a /64 without Number overflow', () => {
    expect(cidrSize(parseCidr('2001:db8::/64') as Cidr)).toBe(1n << 64n);
  });
});

describe('summarizeRange', () => {
  it.each([
    ['192.0.2.0-192.0.2.255', ['192.0.2.0/24']],
    ['192.0.2.10-192.0.2.20', ['192.0.2.10/31', '192.0.2.12/30', '192.0.2.16/30', '192.0.2.20/32']],
    ['192.0.2.1 - 192.0.2.1', ['192.0.2.1/32']],
    [
      '2001:db8::1-2001:db8::100',
      [
        '2001:db8::1/128',
        '2001:db8::2/127',
        '2001:db8::4/126',
        '2001:db8::8/125',
        '2001:db8::10/124',
        '2001:db8::20/123',
        '2001:db8::40/122',
        '2001:db8::80/121',
        '2001:db8::100/128',
      ],
    ],
    ['0.0.0.0-255.255.255.255', ['0.0.0.0/0']],
  ])('summarises %s', (entry, expected) => {
    expect(entryCidrs(entry)).toEqual(expected);
  });

  it('covers exactly the range, with disjoint ascending blocks (IPv4 and IPv6)', () => {
    const family = fc.constantFrom<4 | 6>(4, 6);
    fc.assert(
      fc.property(
        family.chain((f) => {
          const max = f === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
          return fc.tuple(fc.constant(f), fc.bigInt({ min: 0n, max }), fc.bigInt({ min: 0n, max: 5000n }));
        }),
        ([f, start, span]) => {
          const max = f === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
          const end = start + span > max ? max : start + span;
          const cidrs = summarizeRange({ family: f, value: start }, { family: f, value: end });
          let next = start;
          for (const c of cidrs) {
            expect(c.base).toBe(next); // contiguous, ascending, no overlap
            next = cidrLast(c).value + 1n;
          }
          expect(next - 1n).toBe(end);
          // minimal: two neighbours of the same size that form an aligned block would have been merged
          for (let i = 1; i < cidrs.length; i++) {
            const [a, b] = [cidrs[i - 1] as Cidr, cidrs[i] as Cidr];
            const mergeable = a.prefix === b.prefix && a.base % (cidrSize(a) * 2n) === 0n;
            expect(mergeable).toBe(false);
          }
        },
      ),
    );
  });
});

describe('parsePoolEntry', () => {
  it.each([
    ['192.0.2.10-192.0.2.5', 'start IP 192.0.2.10 is after the end IP 192.0.2.5'],
    ['192.0.2.x-192.0.2.5', 'invalid start IP "192.0.2.x"'],
    ['192.0.2.1-192.0.2.y', 'invalid end IP "192.0.2.y"'],
    ['192.0.2.1-2001:db8::1', 'different address families'],
    ['192.0.2.1-192.0.2.2-192.0.2.3', 'exactly one "-"'],
    ['192.0.2.0/33', 'invalid CIDR "192.0.2.0/33"'],
  ])('rejects %s', (entry, reason) => {
    const parsed = parsePoolEntry(entry);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe('overlap and containment', () => {
  it('detects a narrower prefix inside a wider one, in either order', () => {
    const wide = parseCidr('192.0.2.0/24') as Cidr;
    const narrow = parseCidr('192.0.2.128/25') as Cidr;
    expect(cidrsOverlap(wide, narrow)).toBe(true);
    expect(cidrsOverlap(narrow, wide)).toBe(true);
    expect(cidrsOverlap(narrow, parseCidr('192.0.2.0/25') as Cidr)).toBe(false);
  });

  it('never says IPv4 and IPv6 overlap', () => {
    expect(cidrsOverlap(parseCidr('0.0.0.0/0') as Cidr, parseCidr('::/0') as Cidr)).toBe(false);
  });

  it('contains only addresses of its own family and prefix', () => {
    const c = parseCidr('2001:db8::/126') as Cidr;
    expect(cidrContains(c, ip('2001:db8::3'))).toBe(true);
    expect(cidrContains(c, ip('2001:db8::4'))).toBe(false);
  });
});
