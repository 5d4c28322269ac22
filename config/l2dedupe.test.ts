// Which L2Advertisements a pool keeps (upstream TestContainsAdvertisement, through the whole build) and how
// service selectors are kept (upstream TestServiceSelectors).
import { ClusterResources } from './resources';
import { bgpAd, buildOk, expectErrors, l2, node, pool } from '../testkit/configfixtures';

const nodes = [
  node('nodeA', { zone: 'a', role: 'edge' }),
  node('nodeB', { zone: 'b', role: 'edge' }),
  node('nodeC', { zone: 'c' }),
];
const base = (ads: ReturnType<typeof l2>[]): ClusterResources => ({
  ipAddressPools: [pool('p', ['192.0.2.0/24'])],
  nodes,
  l2Advertisements: ads,
});
const kept = (resources: ClusterResources) =>
  buildOk(resources)
    .pools.get('p')
    ?.l2Advertisements.map((a) => a.name);

const cases: { desc: string; ads: ReturnType<typeof l2>[]; kept: string[] }[] = [
  {
    desc: 'Contain: same nodes and the same interfaces in another order',
    ads: [
      l2('a', { nodeSelectors: [{ matchLabels: { role: 'edge' } }], interfaces: ['eth0', 'eth1'] }),
      l2('b', {
        nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'a'] }] }],
        interfaces: ['eth1', 'eth0'],
      }),
    ],
    kept: ['a'],
  },
  {
    desc: "Not contain: Nodes don't equal",
    ads: [
      l2('a', { nodeSelectors: [{ matchLabels: { role: 'edge' } }], interfaces: ['eth0'] }),
      l2('b', { nodeSelectors: [{ matchLabels: { zone: 'c' } }], interfaces: ['eth0'] }),
    ],
    kept: ['a', 'b'],
  },
  {
    desc: "Not contain: Interfaces don't equal",
    ads: [l2('a', { interfaces: ['eth0', 'eth1'] }), l2('b', { interfaces: ['eth1'] })],
    kept: ['a', 'b'],
  },
  {
    desc: "Not contain: AllInterfaces doesn't equal",
    ads: [l2('a', { interfaces: ['eth1'] }), l2('b')],
    kept: ['a', 'b'],
  },
  {
    desc: 'Same selectors should match',
    ads: [
      l2('a', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] }),
      l2('b', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] }),
    ],
    kept: ['a'],
  },
  {
    desc: 'Different selectors should not match',
    ads: [
      l2('a', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] }),
      l2('b', { serviceSelectors: [{ matchLabels: { app: 'apache' } }] }),
    ],
    kept: ['a', 'b'],
  },
  {
    desc: 'Empty vs non-empty selectors should not match',
    ads: [l2('a'), l2('b', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] })],
    kept: ['a', 'b'],
  },
  {
    desc: 'Multiple selectors, in any order once sorted, match',
    ads: [
      l2('a', { serviceSelectors: [{ matchLabels: { app: 'apache' } }, { matchLabels: { app: 'nginx' } }] }),
      l2('b', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }, { matchLabels: { app: 'apache' } }] }),
    ],
    kept: ['a'],
  },
  {
    desc: 'Ads carrying preferences never dedupe so the speaker can sum weights',
    ads: [
      l2('a', { preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'a' } } }] }),
      l2('b', { preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'a' } } }] }),
    ],
    kept: ['a', 'b'],
  },
  {
    desc: 'Existing ad has preferences but candidate does not: no dedupe',
    ads: [
      l2('a', { preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'a' } } }] }),
      l2('b'),
    ],
    kept: ['a', 'b'],
  },
  {
    desc: 'Candidate has preferences but existing ad does not: no dedupe',
    ads: [
      l2('a'),
      l2('b', { preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'a' } } }] }),
    ],
    kept: ['a', 'b'],
  },
  {
    desc: 'Identical ads without preferences still dedupe',
    ads: [l2('a'), l2('b')],
    kept: ['a'],
  },
  {
    desc: 'A preference that matches no eligible node is no preference',
    ads: [
      l2('a'),
      l2('b', {
        nodeSelectors: [],
        preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'nowhere' } } }],
      }),
    ],
    kept: ['a'],
  },
];

describe('L2 advertisements kept per pool', () => {
  test.each(cases)('$desc', ({ ads, kept: want }) => {
    expect(kept(base(ads))).toEqual(want);
  });
});

describe('service selectors', () => {
  test('BGP advertisement with service selectors', () => {
    const c = buildOk({
      ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
      bgpAdvertisements: [bgpAd('adv1', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] })],
    });
    expect(c.pools.get('pool1')?.bgpAdvertisements[0]?.serviceSelectors).toEqual([
      { requirements: [{ key: 'app', operator: 'In', values: ['nginx'] }] },
    ]);
  });

  test('L2 advertisement with service selectors', () => {
    const c = buildOk({
      ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
      l2Advertisements: [l2('adv1', { serviceSelectors: [{ matchLabels: { app: 'web' } }] })],
    });
    expect(c.pools.get('pool1')?.l2Advertisements[0]).toMatchObject({
      allInterfaces: true,
      serviceSelectors: [{ requirements: [{ key: 'app', values: ['web'] }] }],
    });
  });

  test('BGP advertisement with multiple service selectors (OR logic) keeps them sorted', () => {
    const c = buildOk({
      ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
      bgpAdvertisements: [
        bgpAd('adv1', {
          serviceSelectors: [{ matchLabels: { app: 'nginx' } }, { matchLabels: { app: 'apache' } }],
        }),
      ],
    });
    expect(c.bgpAdvertisements[0]?.serviceSelectors.map((s) => s.requirements[0]?.values[0])).toEqual([
      'apache',
      'nginx',
    ]);
  });

  test.each([
    ['aggregationLength 32 on an IPv4 pool', ['1.2.3.0/24'], { aggregationLength: 32 }],
    ['aggregationLengthV6 128 on an IPv6 pool', ['1000::/64'], { aggregationLengthV6: 128 }],
    [
      'both defaults on a dual-stack pool',
      ['1.2.3.0/24', '1000::/64'],
      { aggregationLength: 32, aggregationLengthV6: 128 },
    ],
  ])('serviceSelectors with the default %s is allowed', (_desc, addresses, spec) => {
    const c = buildOk({
      ipAddressPools: [pool('pool1', addresses)],
      bgpAdvertisements: [bgpAd('adv1', { ...spec, serviceSelectors: [{ matchLabels: { app: 'nginx' } }] })],
    });
    expect(c.bgpAdvertisements[0]).toMatchObject({ aggregationLength: 32, aggregationLengthV6: 128 });
  });

  test('serviceSelectors with a non-default aggregationLengthV6 on an IPv6 pool is mutually exclusive', () => {
    expectErrors(
      {
        ipAddressPools: [pool('pool1', ['2001:db8::/64'])],
        bgpAdvertisements: [
          bgpAd('adv1', { aggregationLengthV6: 64, serviceSelectors: [{ matchLabels: { app: 'nginx' } }] }),
        ],
      },
      [
        {
          kind: 'BGPAdvertisement',
          name: 'adv1',
          field: 'spec.serviceSelectors',
          reason: /^serviceSelectors and aggregationLength are mutually exclusive/,
        },
      ],
    );
  });
});
