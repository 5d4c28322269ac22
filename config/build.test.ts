import fc from 'fast-check';
import { cidrFirst, cidrLast, cidrSize, cidrsOverlap, formatCidr } from '../addr/cidr';
import { formatIP, IPAddress } from '../addr/ip';
import { buildConfig } from './build';
import { ClusterResources } from './resources';
import {
  buildOk,
  expectConfig,
  expectedConfig,
  expectedL2,
  expectedPool,
  l2,
  pool,
} from '../testkit/configfixtures';
import { Config } from './types';

describe('buildConfig never throws', () => {
  test('on arbitrary values in place of every kind', () => {
    fc.assert(
      fc.property(
        fc.record({
          ipAddressPools: fc.array(fc.anything()),
          addressPools: fc.array(fc.anything()),
          l2Advertisements: fc.array(fc.anything()),
          bgpAdvertisements: fc.array(fc.anything()),
          bgpPeers: fc.array(fc.anything()),
          communities: fc.array(fc.anything()),
          bfdProfiles: fc.array(fc.anything()),
          secrets: fc.array(fc.anything()),
          namespaces: fc.array(fc.anything()),
          nodes: fc.array(fc.anything()),
        }),
        (resources) => {
          const result = buildConfig(resources);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 200 },
    );
  });

  test('on well-shaped objects with arbitrary strings where addresses, durations and communities go', () => {
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom('1.2.3.4', '1.2.3.0/24', '::/0', '1-2', '1s', '0', 'large:1:2:3', '1:2', '-'),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 4 }), text, text, (addresses, duration, value) => {
        const result = buildConfig({
          ipAddressPools: [pool('p', addresses)],
          bgpPeers: [
            {
              metadata: { name: 'x' },
              spec: { myASN: 1, peerASN: 2, peerAddress: value, holdTime: duration, keepaliveTime: duration },
            },
          ],
          bgpAdvertisements: [{ metadata: { name: 'a' }, spec: { communities: [value] } }],
          communities: [{ metadata: { name: 'c' }, spec: { communities: [{ name: value, value }] } }],
        });
        if (!result.ok)
          for (const e of result.errors) expect(e.message).toContain(e.field === '' ? e.name : e.field);
      }),
      { numRuns: 300 },
    );
  });
});

describe('errors', () => {
  test('are typed with kind, namespace, name, field, reason and a message that joins them', () => {
    const result = buildConfig({ ipAddressPools: [pool('web', ['192.0.2.0/28', '192.0.2.10-192.0.2.5'])] });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          kind: 'IPAddressPool',
          namespace: 'metallb-system',
          name: 'web',
          field: 'spec.addresses[1]',
          reason: 'range start is after its end',
          message:
            'IPAddressPool metallb-system/web: spec.addresses[1] "192.0.2.10-192.0.2.5": range start is after its end',
          transient: false,
        },
      ],
    });
  });

  test('of every kind are all returned from one build', () => {
    const result = buildConfig({
      ipAddressPools: [pool('p', ['nope'])],
      l2Advertisements: [{ metadata: { name: 'l' }, spec: { ipAddressPools: ['p', 'p'] } }],
      bgpAdvertisements: [{ metadata: { name: 'b' }, spec: { aggregationLength: 40 } }],
      bgpPeers: [{ metadata: { name: 'x' }, spec: { myASN: 0, peerASN: 1, peerAddress: '1.1.1.1' } }],
      communities: [{ metadata: { name: 'c' }, spec: { communities: [{ name: 'n', value: 'x' }] } }],
      bfdProfiles: [{ metadata: { name: 'f' }, spec: { echoInterval: 1 } }],
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(new Set(result.errors.map((e) => e.kind))).toEqual(
        new Set([
          'IPAddressPool',
          'L2Advertisement',
          'BGPAdvertisement',
          'BGPPeer',
          'Community',
          'BFDProfile',
        ]),
      );
  });

  test('do not depend on the order the informers listed the objects in', () => {
    const a = pool('a', ['10.0.0.0/8']);
    const b = pool('b', ['10.1.0.0/16']);
    const one = buildConfig({ ipAddressPools: [a, b] });
    const two = buildConfig({ ipAddressPools: [b, a] });
    expect(one).toEqual(two);
  });
});

describe('the order of the input does not change the config', () => {
  test('pools, advertisements and their per-pool lists come out in name order', () => {
    // toEqual ignores the order of Map entries, so the whole config is compared with expectConfig.
    const resources = {
      ipAddressPools: [pool('b', ['10.1.0.0/16']), pool('a', ['10.0.0.0/16'])],
      l2Advertisements: [l2('z', { interfaces: ['eth1'] }), l2('y', { interfaces: ['eth0'] })],
    };
    const expected = expectedConfig({
      pools: [
        expectedPool({ name: 'a', addresses: ['10.0.0.0/16'], l2: ['y', 'z'] }),
        expectedPool({ name: 'b', addresses: ['10.1.0.0/16'], l2: ['y', 'z'] }),
      ],
      l2Advertisements: [
        expectedL2({ name: 'y', ipAddressPools: ['a', 'b'], interfaces: ['eth0'] }),
        expectedL2({ name: 'z', ipAddressPools: ['a', 'b'], interfaces: ['eth1'] }),
      ],
    });
    expectConfig(buildOk(resources), expected);
    expectConfig(
      buildOk({
        ipAddressPools: [...resources.ipAddressPools].reverse(),
        l2Advertisements: [...resources.l2Advertisements].reverse(),
      }),
      expected,
    );
  });
});

// The valid-configuration tables rest on expectConfig: these pin that it rejects every kind of difference
// a plain toEqual would let through.
describe('the whole-config assertion', () => {
  const built = () =>
    buildOk({
      ipAddressPools: [pool('a', ['10.0.0.0/24']), pool('b', ['10.0.1.0/24'])],
      l2Advertisements: [l2('l2')],
    });
  const expected = expectedConfig({
    pools: [
      expectedPool({ name: 'a', addresses: ['10.0.0.0/24'], l2: ['l2'] }),
      expectedPool({ name: 'b', addresses: ['10.0.1.0/24'], l2: ['l2'] }),
    ],
    l2Advertisements: [expectedL2({ name: 'l2', ipAddressPools: ['a', 'b'] })],
  });
  const withPools = (c: Config, pools: Config['pools']): Config => ({ ...c, pools });

  test('accepts the exact config', () => {
    expectConfig(built(), expected);
  });

  test('rejects a difference in any one field, however deep', () => {
    const c = built();
    const a = c.pools.get('a');
    if (!a) throw new Error('pool a missing');
    const changed = new Map(c.pools).set('a', { ...a, labels: { x: 'y' } });
    expect(() => expectConfig(withPools(c, changed), expected)).toThrow();
  });

  test('rejects an optional field present as undefined where the expectation has none', () => {
    const c = built();
    const a = c.pools.get('a');
    if (!a) throw new Error('pool a missing');
    const changed = new Map(c.pools).set('a', { ...a, serviceAllocation: undefined });
    expect(() => expectConfig(withPools(c, changed), expected)).toThrow();
  });

  test('rejects the same entries in another order', () => {
    const c = built();
    const reversed = new Map([...c.pools.entries()].reverse());
    expect(reversed).toEqual(c.pools); // what a plain deep equality would accept
    expect(() => expectConfig(withPools(c, reversed), expected)).toThrow();
  });

  test("rejects a pool holding a copy of an advertisement instead of the config's own object", () => {
    const c = built();
    const a = c.pools.get('a');
    if (!a) throw new Error('pool a missing');
    const copied = new Map(c.pools).set('a', {
      ...a,
      l2Advertisements: a.l2Advertisements.map((ad) => ({ ...ad })),
    });
    expect(() => expectConfig(withPools(c, copied), expected)).toThrow();
  });

  test('rejects a config that holds a function, even the very same one as expected', () => {
    const predicate = () => true;
    const c = { ...built(), extra: predicate } as Config;
    expect(() => expectConfig(c, { ...expected, extra: predicate } as Config)).toThrow();
  });
});

// Address-level properties through the whole build, IPv4 and IPv6 (bigint arithmetic all the way).
const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((value): IPAddress => ({ family: 4, value }));
const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value): IPAddress => ({ family: 6, value }));
const rangeOf = (addr: fc.Arbitrary<IPAddress>, maxSpan: bigint) =>
  fc.tuple(addr, fc.bigInt({ min: 0n, max: maxSpan })).map(([start, span]) => {
    const max = start.family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    const end = start.value + span > max ? max : start.value + span;
    return { start, end: { family: start.family, value: end } as IPAddress };
  });

describe('pool ranges through the config (property)', () => {
  test.each([
    ['IPv4', rangeOf(v4, 1n << 20n)],
    ['IPv6', rangeOf(v6, 1n << 80n)],
  ] as const)(
    '%s: a range summarised then re-expanded covers exactly the range, with minimal disjoint aligned CIDRs',
    (_family, ranges) => {
      fc.assert(
        fc.property(ranges, ({ start, end }) => {
          const entry = `${formatIP(start)} - ${formatIP(end)}`;
          const config = buildOk({ ipAddressPools: [pool('p', [entry])] });
          const cidrs = config.pools.get('p')?.cidrs ?? [];
          expect(cidrs.length).toBeGreaterThan(0);
          let cursor = start.value;
          for (const c of cidrs) {
            // contiguous, ascending, aligned: together exactly [start, end]
            expect(cidrFirst(c).value).toBe(cursor);
            expect(c.base % cidrSize(c)).toBe(0n);
            cursor = cidrLast(c).value + 1n;
          }
          expect(cursor - 1n).toBe(end.value);
          // minimal: no two neighbours could merge into one aligned block
          for (let i = 1; i < cidrs.length; i++) {
            const [a, b] = [cidrs[i - 1], cidrs[i]];
            if (a && b && a.prefix === b.prefix) expect(a.base % (cidrSize(a) * 2n)).not.toBe(0n);
          }
        }),
        { numRuns: 200 },
      );
    },
  );

  test('overlap detection is symmetric and agrees with address arithmetic', () => {
    // Inside 10.0.0.0/16 with prefixes /16 to /32, so that both outcomes are frequent.
    const inTen = fc
      .bigInt({ min: 0n, max: 0xffffn })
      .map((low): IPAddress => ({ family: 4, value: 0x0a000000n + low }));
    const cidrText = fc
      .tuple(inTen, fc.integer({ min: 16, max: 32 }))
      .map(([ip, prefix]) => `${formatIP(ip)}/${prefix}`);
    const seen = { overlapping: 0, disjoint: 0 };
    fc.assert(
      fc.property(cidrText, cidrText, (x, y) => {
        const ab = buildConfig({ ipAddressPools: [pool('a', [x]), pool('b', [y])] });
        const ba = buildConfig({ ipAddressPools: [pool('a', [y]), pool('b', [x])] });
        expect(ab.ok).toBe(ba.ok);
        const single = buildOk({ ipAddressPools: [pool('a', [x])] }).pools.get('a')?.cidrs[0];
        const other = buildOk({ ipAddressPools: [pool('b', [y])] }).pools.get('b')?.cidrs[0];
        expect(ab.ok).toBe(!(single && other && cidrsOverlap(single, other)));
        seen[ab.ok ? 'disjoint' : 'overlapping']++;
      }),
      { numRuns: 300 },
    );
    expect(seen.overlapping).toBeGreaterThan(10);
    expect(seen.disjoint).toBeGreaterThan(10);
  });

  test('a range and the CIDRs it summarises to describe the same addresses: they always overlap each other', () => {
    fc.assert(
      fc.property(rangeOf(v4, 1n << 12n), ({ start, end }) => {
        const range = `${formatIP(start)}-${formatIP(end)}`;
        const cidrs = buildOk({ ipAddressPools: [pool('p', [range])] }).pools.get('p')?.cidrs ?? [];
        const resources: ClusterResources = {
          ipAddressPools: [pool('p', [range]), pool('q', cidrs.map(formatCidr))],
        };
        const result = buildConfig(resources);
        expect(result.ok).toBe(false);
        if (!result.ok)
          expect(result.errors.every((e) => e.name === 'q' && /overlaps/.test(e.reason))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
