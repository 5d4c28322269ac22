// Which L2Advertisements a pool keeps (upstream TestContainsAdvertisement, through the whole build) and how
// service selectors are kept (upstream TestServiceSelectors). Every case states the whole built config.
import { ClusterResources } from './resources';
import {
  L2Expectation,
  bgpAd,
  expectBuild,
  expectedBGPAd,
  expectedConfig,
  expectedL2,
  expectedPool,
  expectErrors,
  l2,
  labelIn,
  labelIs,
  node,
  pool,
  selector,
} from '../testkit/configfixtures';

const nodes = [
  node('nodeA', { zone: 'a', role: 'edge' }),
  node('nodeB', { zone: 'b', role: 'edge' }),
  node('nodeC', { zone: 'c' }),
];
const allNodes = ['nodeA', 'nodeB', 'nodeC'];
const base = (ads: ReturnType<typeof l2>[]): ClusterResources => ({
  ipAddressPools: [pool('p', ['192.0.2.0/24'])],
  nodes,
  l2Advertisements: ads,
});
/** An advertisement of pool p as built: every node unless the case says otherwise. */
const builtAd = (a: Omit<L2Expectation, 'ipAddressPools'>) =>
  expectedL2({ ipAddressPools: ['p'], nodes: allNodes, ...a });

const cases: {
  desc: string;
  ads: ReturnType<typeof l2>[];
  /** Every advertisement as built, in name order. */
  built: Omit<L2Expectation, 'ipAddressPools'>[];
  /** The ones pool p keeps. */
  kept: string[];
}[] = [
  {
    desc: 'Contain: same nodes and the same interfaces in another order',
    ads: [
      l2('a', { nodeSelectors: [{ matchLabels: { role: 'edge' } }], interfaces: ['eth0', 'eth1'] }),
      l2('b', {
        nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'a'] }] }],
        interfaces: ['eth1', 'eth0'],
      }),
    ],
    built: [
      {
        name: 'a',
        nodeSelectors: [selector(labelIs('role', 'edge'))],
        nodes: ['nodeA', 'nodeB'],
        interfaces: ['eth0', 'eth1'],
      },
      {
        name: 'b',
        nodeSelectors: [selector(labelIn('zone', 'a', 'b'))],
        nodes: ['nodeA', 'nodeB'],
        interfaces: ['eth1', 'eth0'],
      },
    ],
    kept: ['a'],
  },
  {
    desc: "Not contain: Nodes don't equal",
    ads: [
      l2('a', { nodeSelectors: [{ matchLabels: { role: 'edge' } }], interfaces: ['eth0'] }),
      l2('b', { nodeSelectors: [{ matchLabels: { zone: 'c' } }], interfaces: ['eth0'] }),
    ],
    built: [
      {
        name: 'a',
        nodeSelectors: [selector(labelIs('role', 'edge'))],
        nodes: ['nodeA', 'nodeB'],
        interfaces: ['eth0'],
      },
      { name: 'b', nodeSelectors: [selector(labelIs('zone', 'c'))], nodes: ['nodeC'], interfaces: ['eth0'] },
    ],
    kept: ['a', 'b'],
  },
  {
    desc: "Not contain: Interfaces don't equal",
    ads: [l2('a', { interfaces: ['eth0', 'eth1'] }), l2('b', { interfaces: ['eth1'] })],
    built: [
      { name: 'a', interfaces: ['eth0', 'eth1'] },
      { name: 'b', interfaces: ['eth1'] },
    ],
    kept: ['a', 'b'],
  },
  {
    desc: "Not contain: AllInterfaces doesn't equal",
    ads: [l2('a', { interfaces: ['eth1'] }), l2('b')],
    built: [
      { name: 'a', interfaces: ['eth1'], allInterfaces: false },
      { name: 'b', interfaces: [], allInterfaces: true },
    ],
    kept: ['a', 'b'],
  },
  {
    desc: 'Same selectors should match',
    ads: [
      l2('a', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] }),
      l2('b', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] }),
    ],
    built: [
      { name: 'a', serviceSelectors: [selector(labelIs('app', 'nginx'))] },
      { name: 'b', serviceSelectors: [selector(labelIs('app', 'nginx'))] },
    ],
    kept: ['a'],
  },
  {
    desc: 'Different selectors should not match',
    ads: [
      l2('a', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] }),
      l2('b', { serviceSelectors: [{ matchLabels: { app: 'apache' } }] }),
    ],
    built: [
      { name: 'a', serviceSelectors: [selector(labelIs('app', 'nginx'))] },
      { name: 'b', serviceSelectors: [selector(labelIs('app', 'apache'))] },
    ],
    kept: ['a', 'b'],
  },
  {
    desc: 'Empty vs non-empty selectors should not match',
    ads: [l2('a'), l2('b', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] })],
    built: [{ name: 'a' }, { name: 'b', serviceSelectors: [selector(labelIs('app', 'nginx'))] }],
    kept: ['a', 'b'],
  },
  {
    desc: 'Multiple selectors, in any order once sorted, match',
    ads: [
      l2('a', { serviceSelectors: [{ matchLabels: { app: 'apache' } }, { matchLabels: { app: 'nginx' } }] }),
      l2('b', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }, { matchLabels: { app: 'apache' } }] }),
    ],
    built: [
      {
        name: 'a',
        serviceSelectors: [selector(labelIs('app', 'apache')), selector(labelIs('app', 'nginx'))],
      },
      {
        name: 'b',
        serviceSelectors: [selector(labelIs('app', 'apache')), selector(labelIs('app', 'nginx'))],
      },
    ],
    kept: ['a'],
  },
  {
    desc: 'Ads carrying preferences never dedupe so the speaker can sum weights',
    ads: [
      l2('a', { preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'a' } } }] }),
      l2('b', { preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'a' } } }] }),
    ],
    built: [
      { name: 'a', preferredNodes: { nodeA: 50 } },
      { name: 'b', preferredNodes: { nodeA: 50 } },
    ],
    kept: ['a', 'b'],
  },
  {
    desc: 'Existing ad has preferences but candidate does not: no dedupe',
    ads: [
      l2('a', { preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'a' } } }] }),
      l2('b'),
    ],
    built: [{ name: 'a', preferredNodes: { nodeA: 50 } }, { name: 'b' }],
    kept: ['a', 'b'],
  },
  {
    desc: 'Candidate has preferences but existing ad does not: no dedupe',
    ads: [
      l2('a'),
      l2('b', { preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { zone: 'a' } } }] }),
    ],
    built: [{ name: 'a' }, { name: 'b', preferredNodes: { nodeA: 50 } }],
    kept: ['a', 'b'],
  },
  {
    desc: 'Identical ads without preferences still dedupe',
    ads: [l2('a'), l2('b')],
    built: [{ name: 'a' }, { name: 'b' }],
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
    built: [{ name: 'a' }, { name: 'b', preferredNodes: {} }],
    kept: ['a'],
  },
];

describe('L2 advertisements kept per pool', () => {
  test.each(cases)('$desc', ({ ads, built, kept }) => {
    expectBuild(
      base(ads),
      expectedConfig({
        pools: [expectedPool({ name: 'p', addresses: ['192.0.2.0/24'], l2: kept })],
        l2Advertisements: built.map(builtAd),
      }),
    );
  });
});

describe('service selectors', () => {
  const pool1 = (addresses: string[], ads: { l2?: string[]; bgp?: string[] }) =>
    expectedPool({ name: 'pool1', addresses, ...ads });

  test('BGP advertisement with service selectors', () => {
    expectBuild(
      {
        ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
        bgpAdvertisements: [bgpAd('adv1', { serviceSelectors: [{ matchLabels: { app: 'nginx' } }] })],
      },
      expectedConfig({
        pools: [pool1(['1.2.3.0/24'], { bgp: ['adv1'] })],
        bgpAdvertisements: [
          expectedBGPAd({
            name: 'adv1',
            ipAddressPools: ['pool1'],
            serviceSelectors: [selector(labelIs('app', 'nginx'))],
          }),
        ],
      }),
    );
  });

  test('L2 advertisement with service selectors', () => {
    expectBuild(
      {
        ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
        l2Advertisements: [l2('adv1', { serviceSelectors: [{ matchLabels: { app: 'web' } }] })],
      },
      expectedConfig({
        pools: [pool1(['1.2.3.0/24'], { l2: ['adv1'] })],
        l2Advertisements: [
          expectedL2({
            name: 'adv1',
            ipAddressPools: ['pool1'],
            allInterfaces: true,
            serviceSelectors: [selector(labelIs('app', 'web'))],
          }),
        ],
      }),
    );
  });

  test('BGP advertisement with multiple service selectors (OR logic) keeps them sorted', () => {
    expectBuild(
      {
        ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
        bgpAdvertisements: [
          bgpAd('adv1', {
            serviceSelectors: [{ matchLabels: { app: 'nginx' } }, { matchLabels: { app: 'apache' } }],
          }),
        ],
      },
      expectedConfig({
        pools: [pool1(['1.2.3.0/24'], { bgp: ['adv1'] })],
        bgpAdvertisements: [
          expectedBGPAd({
            name: 'adv1',
            ipAddressPools: ['pool1'],
            serviceSelectors: [selector(labelIs('app', 'apache')), selector(labelIs('app', 'nginx'))],
          }),
        ],
      }),
    );
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
    expectBuild(
      {
        ipAddressPools: [pool('pool1', addresses)],
        bgpAdvertisements: [
          bgpAd('adv1', { ...spec, serviceSelectors: [{ matchLabels: { app: 'nginx' } }] }),
        ],
      },
      expectedConfig({
        pools: [pool1(addresses, { bgp: ['adv1'] })],
        bgpAdvertisements: [
          expectedBGPAd({
            name: 'adv1',
            ipAddressPools: ['pool1'],
            aggregationLength: 32,
            aggregationLengthV6: 128,
            serviceSelectors: [selector(labelIs('app', 'nginx'))],
          }),
        ],
      }),
    );
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

  test('duplicate service selectors in a BGP advertisement', () => {
    expectErrors(
      {
        ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
        bgpAdvertisements: [
          bgpAd('adv1', {
            serviceSelectors: [{ matchLabels: { app: 'nginx' } }, { matchLabels: { app: 'nginx' } }],
          }),
        ],
      },
      [
        {
          kind: 'BGPAdvertisement',
          name: 'adv1',
          field: 'spec.serviceSelectors[1]',
          reason: 'duplicate selector, same as spec.serviceSelectors[0]',
        },
      ],
    );
  });
});
