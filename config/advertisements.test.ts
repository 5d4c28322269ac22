import { ClusterResources } from './resources';
import { ExpectedError, bgpAd, buildOk, community, expectErrors, l2, node, peer, pool } from '../testkit/configfixtures';
import { Config } from './types';

const twoNodes = [node('node1', { node: 'node1' }), node('node2', { node: 'node2' })];
const p1 = pool('pool1', ['10.20.30.40/24']);
const testPool = pool('testPool', ['10.20.0.0/16']);

interface OkCase {
  desc: string;
  resources: ClusterResources;
  check: (config: Config) => void;
}

const adNames = (c: Config, poolName: string) => c.pools.get(poolName)?.bgpAdvertisements.map((a) => a.name);
const l2Names = (c: Config, poolName: string) => c.pools.get(poolName)?.l2Advertisements.map((a) => a.name);

const okCases: OkCase[] = [
  {
    desc: 'simple advertisement applies to every pool with the defaults',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.0/24'])], bgpAdvertisements: [bgpAd('adv3')] },
    check: (c) => {
      expect(c.pools.get('pool1')?.bgpAdvertisements).toEqual([
        {
          name: 'adv3',
          aggregationLength: 32,
          aggregationLengthV6: 128,
          localPref: 0,
          communities: [],
          ipAddressPools: ['pool1'],
          peers: [],
          nodeSelectors: [],
          nodes: new Set(),
          serviceSelectors: [],
        },
      ]);
    },
  },
  {
    desc: 'config using all features: advertisements by pool name, community alias, equivalent L2 ads merged per pool',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16', '10.50.0.0/24']),
        pool('pool2', ['30.0.0.0/8']),
        pool('pool3', ['40.0.0.0/25', '40.0.0.150-40.0.0.200']),
        pool('pool4', ['2001:db8::/64']),
      ],
      bgpAdvertisements: [
        bgpAd('adv1', {
          aggregationLength: 32,
          localPref: 100,
          communities: ['bar'],
          ipAddressPools: ['pool1'],
          peers: ['peer1'],
        }),
        bgpAd('adv2', { aggregationLength: 24, aggregationLengthV6: 64, ipAddressPools: ['pool1'] }),
        bgpAd('adv3', { ipAddressPools: ['pool2'] }),
      ],
      l2Advertisements: [l2('l2adv1', { ipAddressPools: ['pool3'] }), l2('l2adv2')],
      communities: [community('community', [{ name: 'bar', value: '64512:1234' }])],
    },
    check: (c) => {
      expect(adNames(c, 'pool1')).toEqual(['adv1', 'adv2']);
      // the per-pool list holds the very objects of the top-level list
      expect(c.pools.get('pool1')?.bgpAdvertisements[0]).toBe(
        c.bgpAdvertisements.find((a) => a.name === 'adv1'),
      );
      expect(adNames(c, 'pool2')).toEqual(['adv3']);
      expect(adNames(c, 'pool3')).toEqual([]);
      expect(c.pools.get('pool1')?.bgpAdvertisements[0]?.communities).toEqual([
        { kind: 'standard', value: 64512 * 65536 + 1234, text: '64512:1234' },
      ]);
      expect(l2Names(c, 'pool3')).toEqual(['l2adv1']);
      expect(l2Names(c, 'pool4')).toEqual(['l2adv2']);
      expect(c.l2Advertisements.map((a) => [a.name, a.ipAddressPools])).toEqual([
        ['l2adv1', ['pool3']],
        ['l2adv2', ['pool1', 'pool2', 'pool3', 'pool4']],
      ]);
    },
  },
  {
    desc: 'different local pref - different ipv4 aggregation length',
    resources: {
      nodes: twoNodes,
      ipAddressPools: [p1],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100, aggregationLength: 24 }),
        bgpAd('b', { localPref: 200 }),
      ],
    },
    check: (c) =>
      expect(
        c.pools.get('pool1')?.bgpAdvertisements.map((a) => [a.localPref, a.aggregationLength, [...a.nodes]]),
      ).toEqual([
        [100, 24, ['node1', 'node2']],
        [200, 32, ['node1', 'node2']],
      ]),
  },
  {
    desc: 'different local pref - different aggregation lengths',
    resources: {
      nodes: twoNodes,
      ipAddressPools: [p1],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100, aggregationLength: 24, aggregationLengthV6: 120 }),
        bgpAd('b', { localPref: 200 }),
      ],
    },
    check: (c) => expect(adNames(c, 'pool1')).toEqual(['a', 'b']),
  },
  {
    desc: 'different local pref - same peers & different nodes',
    resources: {
      nodes: twoNodes,
      ipAddressPools: [p1],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100, nodeSelectors: [{ matchLabels: { node: 'node1' } }] }),
        bgpAd('b', { localPref: 200, nodeSelectors: [{ matchLabels: { node: 'node2' } }] }),
      ],
    },
    check: (c) =>
      expect(c.pools.get('pool1')?.bgpAdvertisements.map((a) => [...a.nodes])).toEqual([
        ['node1'],
        ['node2'],
      ]),
  },
  {
    desc: 'different local pref - different peers & same nodes',
    resources: {
      nodes: twoNodes,
      ipAddressPools: [p1],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100, peers: ['peer1'] }),
        bgpAd('b', { localPref: 200, peers: ['peer2'] }),
      ],
    },
    check: (c) =>
      expect(c.pools.get('pool1')?.bgpAdvertisements.map((a) => a.peers)).toEqual([['peer1'], ['peer2']]),
  },
  {
    desc: 'different local pref when one advertisement has service selectors',
    resources: {
      nodes: twoNodes,
      ipAddressPools: [p1],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100 }),
        bgpAd('b', { localPref: 200, serviceSelectors: [{ matchLabels: { app: 'x' } }] }),
      ],
    },
    check: (c) => expect(adNames(c, 'pool1')).toEqual(['a', 'b']),
  },
  {
    desc: 'aggregation length by range',
    resources: {
      ipAddressPools: [pool('pool1', ['3.3.3.2-3.3.3.254'])],
      bgpAdvertisements: [bgpAd('a', { aggregationLength: 26 })],
    },
    check: (c) => expect(c.pools.get('pool1')?.bgpAdvertisements[0]?.aggregationLength).toBe(26),
  },
  {
    desc: 'config IPAddressPool with large communities CR',
    resources: {
      ipAddressPools: [pool('pool1', ['10.20.0.0/16'])],
      bgpAdvertisements: [bgpAd('adv1', { communities: ['bar'], ipAddressPools: ['pool1'] })],
      communities: [community('community', [{ name: 'bar', value: 'large:123:64512:1234' }])],
    },
    check: (c) =>
      expect(c.bgpAdvertisements[0]?.communities).toEqual([
        {
          kind: 'large',
          globalAdministrator: 123,
          localData1: 64512,
          localData2: 1234,
          text: 'large:123:64512:1234',
        },
      ]),
  },
  {
    desc: 'literal communities are parsed, deduplicated against aliases and sorted',
    resources: {
      ipAddressPools: [testPool],
      bgpAdvertisements: [bgpAd('adv1', { communities: ['large:1:2:3', '65535:65535', 'same', '0:1'] })],
      communities: [community('c', [{ name: 'same', value: '0:1' }])],
    },
    check: (c) =>
      expect(c.bgpAdvertisements[0]?.communities.map((x) => x.text)).toEqual([
        '0:1',
        'large:1:2:3',
        '65535:65535',
      ]),
  },
  {
    desc: 'use ip pool selectors',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16'], {}, { labels: { test: 'pool1' } }),
        pool('pool2', ['30.0.0.0/16'], {}, { labels: { test: 'pool2' } }),
      ],
      l2Advertisements: [l2('l2adv1', { ipAddressPoolSelectors: [{ matchLabels: { test: 'pool1' } }] })],
      bgpAdvertisements: [
        bgpAd('adv1', { localPref: 100, ipAddressPoolSelectors: [{ matchLabels: { test: 'pool1' } }] }),
        bgpAd('adv2', { localPref: 200, ipAddressPoolSelectors: [{ matchLabels: { test: 'pool2' } }] }),
      ],
    },
    check: (c) => {
      expect(adNames(c, 'pool1')).toEqual(['adv1']);
      expect(adNames(c, 'pool2')).toEqual(['adv2']);
      expect(l2Names(c, 'pool1')).toEqual(['l2adv1']);
      expect(l2Names(c, 'pool2')).toEqual([]);
    },
  },
  {
    desc: 'specify interfaces',
    resources: { ipAddressPools: [testPool], l2Advertisements: [l2('l2adv1', { interfaces: ['eth0'] })] },
    check: (c) => expect(c.l2Advertisements[0]).toMatchObject({ interfaces: ['eth0'], allInterfaces: false }),
  },
  {
    desc: 'use non existent label for ip pool selectors',
    resources: {
      ipAddressPools: [pool('pool1', ['10.20.0.0/16'], {}, { labels: { test: 'pool1' } })],
      l2Advertisements: [
        l2('l2adv1', { ipAddressPoolSelectors: [{ matchLabels: { test: 'do-not-select-pool' } }] }),
      ],
      bgpAdvertisements: [
        bgpAd('adv1', {
          localPref: 100,
          ipAddressPoolSelectors: [{ matchLabels: { test: 'do-not-select-pool' } }],
        }),
        bgpAd('adv2', {
          localPref: 200,
          ipAddressPoolSelectors: [{ matchLabels: { test: 'do-not-select-pool' } }],
        }),
      ],
    },
    check: (c) => {
      expect(adNames(c, 'pool1')).toEqual([]);
      expect(l2Names(c, 'pool1')).toEqual([]);
    },
  },
  {
    desc: 'use node selectors',
    resources: {
      ipAddressPools: [pool('pool1', ['10.20.0.0/16']), pool('pool2', ['30.0.0.0/16'])],
      bgpAdvertisements: [
        bgpAd('adv1', { ipAddressPools: ['pool1'], nodeSelectors: [{ matchLabels: { second: 'true' } }] }),
        bgpAd('adv2', { ipAddressPools: ['pool2'], nodeSelectors: [{ matchLabels: { first: 'true' } }] }),
      ],
      l2Advertisements: [
        l2('l2adv1', { ipAddressPools: ['pool1'], nodeSelectors: [{ matchLabels: { first: 'true' } }] }),
      ],
      nodes: [node('first', { first: 'true' }), node('second', { second: 'true' })],
    },
    check: (c) => {
      expect([...(c.pools.get('pool1')?.bgpAdvertisements[0]?.nodes ?? [])]).toEqual(['second']);
      expect([...(c.pools.get('pool2')?.bgpAdvertisements[0]?.nodes ?? [])]).toEqual(['first']);
      expect([...(c.pools.get('pool1')?.l2Advertisements[0]?.nodes ?? [])]).toEqual(['first']);
    },
  },
  {
    desc: 'no nodes means all nodes',
    resources: {
      ipAddressPools: [testPool],
      bgpAdvertisements: [bgpAd('adv1')],
      l2Advertisements: [l2('l2adv1')],
      nodes: [node('first', { first: 'true' }), node('second', { second: 'true' })],
    },
    check: (c) => {
      expect(c.bgpAdvertisements[0]?.nodes).toEqual(new Set(['first', 'second']));
      expect(c.l2Advertisements[0]?.nodes).toEqual(new Set(['first', 'second']));
    },
  },
  {
    desc: 'advertisement with peer selector',
    resources: {
      ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
      bgpPeers: [peer('peer1', { myASN: 42, peerASN: 42, peerAddress: '1.2.3.4' })],
      bgpAdvertisements: [
        bgpAd('adv1', { aggregationLength: 32, localPref: 100, ipAddressPools: ['pool1'], peers: ['peer1'] }),
      ],
    },
    check: (c) =>
      expect(c.pools.get('pool1')?.bgpAdvertisements[0]).toMatchObject({ localPref: 100, peers: ['peer1'] }),
  },
  {
    desc: 'a pool selected by name and by label gets the advertisement once',
    resources: {
      ipAddressPools: [pool('pool1', ['10.0.0.0/24'], {}, { labels: { a: 'b' } })],
      l2Advertisements: [
        l2('x', { ipAddressPools: ['pool1'], ipAddressPoolSelectors: [{ matchLabels: { a: 'b' } }] }),
      ],
      bgpAdvertisements: [
        bgpAd('y', { ipAddressPools: ['pool1'], ipAddressPoolSelectors: [{ matchLabels: { a: 'b' } }] }),
      ],
    },
    check: (c) => {
      expect(l2Names(c, 'pool1')).toEqual(['x']);
      expect(adNames(c, 'pool1')).toEqual(['y']);
    },
  },
  {
    desc: 'an advertisement naming a pool that does not exist applies to nothing',
    resources: {
      ipAddressPools: [testPool],
      bgpAdvertisements: [bgpAd('adv', { ipAddressPools: ['nope'] })],
    },
    check: (c) => {
      expect(c.bgpAdvertisements[0]?.ipAddressPools).toEqual([]);
      expect(adNames(c, 'testPool')).toEqual([]);
    },
  },
  {
    desc: 'preferred node selectors: weights of matching selectors add up, only on eligible nodes, never merged',
    resources: {
      ipAddressPools: [testPool],
      nodes: [
        node('a', { zone: 'x', ssd: 'yes' }),
        node('b', { zone: 'x' }),
        node('c', { zone: 'y', ssd: 'yes' }),
      ],
      l2Advertisements: [
        l2('plain'),
        l2('pref', {
          nodeSelectors: [{ matchLabels: { zone: 'x' } }],
          preferredNodeSelectors: [
            { weight: 50, preference: { matchLabels: { ssd: 'yes' } } },
            { weight: 10, preference: {} },
          ],
        }),
        l2('plain2'),
      ],
    },
    check: (c) => {
      const pref = c.l2Advertisements.find((a) => a.name === 'pref');
      expect(pref?.preferredNodes).toEqual(
        new Map([
          ['a', 60],
          ['b', 10],
        ]),
      );
      expect(l2Names(c, 'testPool')).toEqual(['plain', 'pref']);
    },
  },
  {
    desc: 'service selectors with the default aggregation lengths',
    resources: {
      ipAddressPools: [testPool],
      bgpAdvertisements: [
        bgpAd('a', {
          aggregationLength: 32,
          aggregationLengthV6: 128,
          serviceSelectors: [{ matchLabels: { app: 'x' } }],
        }),
      ],
    },
    check: (c) => expect(c.bgpAdvertisements[0]?.serviceSelectors).toHaveLength(1),
  },
  {
    desc: 'legacy AddressPool with protocol layer2 is a pool and its L2 advertisement',
    resources: {
      addressPools: [
        pool('legacy', ['172.18.0.100-172.18.0.255'], { protocol: 'layer2', autoAssign: false }),
      ],
    },
    check: (c) => {
      expect(c.pools.get('legacy')).toMatchObject({ autoAssign: false, avoidBuggyIPs: false });
      expect(c.l2Advertisements.map((a) => [a.name, a.ipAddressPools])).toEqual([['legacy', ['legacy']]]);
      expect(c.bgpAdvertisements).toEqual([]);
    },
  },
  {
    desc: 'legacy AddressPool with protocol bgp is a pool and its BGP advertisement',
    resources: { addressPools: [pool('legacy', ['2002:2:2::1-2002:2:2::100'], { protocol: 'bgp' })] },
    check: (c) => {
      expect(
        c.bgpAdvertisements.map((a) => [
          a.name,
          a.ipAddressPools,
          a.aggregationLength,
          a.aggregationLengthV6,
        ]),
      ).toEqual([['legacy', ['legacy'], 32, 128]]);
      expect(c.l2Advertisements).toEqual([]);
    },
  },
];

describe('advertisements: valid configurations', () => {
  test.each(okCases)('$desc', ({ resources, check }) => {
    check(buildOk(resources));
  });
});

interface ErrorCase {
  desc: string;
  resources: ClusterResources;
  errors: ExpectedError[];
}

const A = 'BGPAdvertisement' as const;
const L = 'L2Advertisement' as const;
const C = 'Community' as const;
const withAd = (spec: Record<string, unknown>, extra: ClusterResources = {}): ClusterResources => ({
  ipAddressPools: [testPool],
  bgpAdvertisements: [bgpAd('adv', { ipAddressPools: ['testPool'], ...spec })],
  ...extra,
});
const adErr = (field: string, reason: string | RegExp, transient?: boolean): ExpectedError[] => [
  { kind: A, name: 'adv', field, reason, ...(transient !== undefined ? { transient } : {}) },
];
const withCommunity = (value: string): ClusterResources => ({
  communities: [community('community', [{ name: 'bar', value }])],
});

const errorCases: ErrorCase[] = [
  {
    desc: 'bad aggregation length (too long)',
    resources: withAd({ aggregationLength: 34 }),
    errors: adErr(
      'spec.aggregationLength',
      'invalid aggregation length 34 for IPv4: must be between 0 and 32',
    ),
  },
  {
    desc: 'bad IPv6 aggregation length (too long)',
    resources: withAd({ aggregationLengthV6: 129 }),
    errors: adErr(
      'spec.aggregationLengthV6',
      'invalid aggregation length 129 for IPv6: must be between 0 and 128',
    ),
  },
  {
    desc: 'aggregation length 0 is refused by the schema minimum',
    resources: withAd({ aggregationLength: 0 }),
    errors: adErr('spec.aggregationLength', /Too small/),
  },
  {
    desc: 'bad aggregation length (incompatible with CIDR)',
    resources: {
      ipAddressPools: [pool('pool1', ['10.20.30.40/24', '1.2.3.0/28'])],
      bgpAdvertisements: [bgpAd('adv', { aggregationLength: 26 })],
    },
    errors: adErr(
      'spec.aggregationLength',
      'invalid aggregation length 26: prefix 28 of "1.2.3.0/28" in pool "pool1" is more specific than the aggregation length',
    ),
  },
  {
    desc: 'aggregation length by range, too wide',
    resources: {
      ipAddressPools: [pool('pool1', ['3.3.3.2-3.3.3.254'])],
      bgpAdvertisements: [bgpAd('adv', { aggregationLength: 24 })],
    },
    errors: adErr(
      'spec.aggregationLength',
      /prefix 26 of "3\.3\.3\.2-3\.3\.3\.254" in pool "pool1" is more specific/,
    ),
  },
  {
    desc: 'IPv6 aggregation length shorter than the pool prefix',
    resources: {
      ipAddressPools: [pool('pool1', ['2001:db8::/120'])],
      bgpAdvertisements: [bgpAd('adv', { aggregationLengthV6: 64 })],
    },
    errors: adErr('spec.aggregationLengthV6', /invalid aggregation length 64: prefix 120/),
  },
  {
    desc: 'different local pref - same peers and nodes',
    resources: {
      nodes: twoNodes,
      ipAddressPools: [p1],
      bgpAdvertisements: [bgpAd('aaa', { localPref: 100 }), bgpAd('adv', { localPref: 200 })],
    },
    errors: adErr(
      'spec.localPref',
      /^invalid local preference 200: BGPAdvertisement "aaa" already sets local preference 100 for the same routes of pool "pool1"/,
    ),
  },
  {
    desc: 'different local pref - overlapping peer lists',
    resources: {
      nodes: twoNodes,
      ipAddressPools: [p1],
      bgpAdvertisements: [
        bgpAd('aaa', { localPref: 100, peers: ['a', 'b'] }),
        bgpAd('adv', { localPref: 200, peers: ['b'] }),
      ],
    },
    errors: adErr('spec.localPref', /^invalid local preference 200/),
  },
  {
    desc: 'different local pref - dual-stack pool with only the IPv4 aggregation differing',
    resources: {
      nodes: twoNodes,
      ipAddressPools: [pool('pool1', ['10.0.0.0/24', 'fc00::/120'])],
      bgpAdvertisements: [
        bgpAd('aaa', { localPref: 100, aggregationLength: 24 }),
        bgpAd('adv', { localPref: 200 }),
      ],
    },
    errors: adErr('spec.localPref', /^invalid local preference 200/),
  },
  {
    desc: 'duplicate ip address pools - in L2 adv',
    resources: {
      ipAddressPools: [testPool],
      l2Advertisements: [l2('testAdv', { ipAddressPools: ['testPool', 'testPool'] })],
    },
    errors: [
      {
        kind: L,
        name: 'testAdv',
        field: 'spec.ipAddressPools[1]',
        reason: 'duplicate definition of ipAddressPools',
      },
    ],
  },
  {
    desc: 'duplicate ip address pools - in BGP adv',
    resources: withAd({ ipAddressPools: ['testPool', 'testPool'] }),
    errors: adErr('spec.ipAddressPools[1]', 'duplicate definition of ipAddressPools'),
  },
  {
    desc: 'duplicate peers - in BGP adv',
    resources: withAd({ peers: ['peer1', 'peer1'] }),
    errors: adErr('spec.peers[1]', 'duplicate definition of peers'),
  },
  {
    desc: 'bad community literal (wrong format) - in BGP adv (transient: may be an alias not created yet)',
    resources: withAd({ communities: ['1234'] }),
    errors: adErr(
      'spec.communities[0]',
      'not a community alias defined by any Community, nor a community value (AA:NN or large:A:B:C)',
      true,
    ),
  },
  {
    desc: "bad community literal (asn part doesn't fit) - in BGP adv",
    resources: withAd({ communities: ['99999999:1'] }),
    errors: adErr(
      'spec.communities[0]',
      'invalid community value: section "99999999" is not a 16-bit unsigned integer',
      false,
    ),
  },
  {
    desc: "bad community literal (community# part doesn't fit) - in BGP adv",
    resources: withAd({ communities: ['1:99999999'] }),
    errors: adErr(
      'spec.communities[0]',
      'invalid community value: section "99999999" is not a 16-bit unsigned integer',
    ),
  },
  {
    desc: 'bad community literal (negative part) - in BGP adv',
    resources: withAd({ communities: ['-1:1'] }),
    errors: adErr(
      'spec.communities[0]',
      'invalid community value: section "-1" is not a 16-bit unsigned integer',
    ),
  },
  {
    desc: 'bad community ref (unknown ref) - in BGP adv',
    resources: withAd({ communities: ['community'] }),
    errors: adErr('spec.communities[0]', /^not a community alias/, true),
  },
  {
    desc: 'duplicate community literal - in BGP adv',
    resources: withAd({ communities: ['1234:5678', '1234:5678'] }),
    errors: adErr('spec.communities[1]', 'duplicate definition of community'),
  },
  {
    desc: 'large community with a wrong marker - in BGP adv',
    resources: withAd({ communities: ['big:1:2:3'] }),
    errors: adErr(
      'spec.communities[0]',
      'invalid community value: expected community to be of format large:<uint32>:<uint32>:<uint32>',
    ),
  },
  {
    desc: 'large community part beyond 32 bits - in BGP adv',
    resources: withAd({ communities: ['large:1:2:4294967296'] }),
    errors: adErr(
      'spec.communities[0]',
      'invalid community value: section "4294967296" is not a 32-bit unsigned integer',
    ),
  },
  {
    desc: 'bad community literal (wrong format) - in the community CR',
    resources: withCommunity('1234'),
    errors: [
      { kind: C, name: 'community', field: 'spec.communities[0].value', reason: /^invalid community format/ },
    ],
  },
  {
    desc: "bad community literal (asn part doesn't fit) - in the community CR",
    resources: withCommunity('99999999:1'),
    errors: [
      {
        kind: C,
        name: 'community',
        field: 'spec.communities[0].value',
        reason: 'invalid community value: section "99999999" is not a 16-bit unsigned integer',
      },
    ],
  },
  {
    desc: "bad community literal (community# part doesn't fit) - in the community CR",
    resources: withCommunity('1:99999999'),
    errors: [
      {
        kind: C,
        name: 'community',
        field: 'spec.communities[0].value',
        reason: 'invalid community value: section "99999999" is not a 16-bit unsigned integer',
      },
    ],
  },
  {
    desc: 'duplicate communities definition (in 2 different crs)',
    resources: {
      communities: [
        community('community1', [{ name: 'bar', value: '1234:5678' }]),
        community('community2', [{ name: 'bar', value: '1234:5678' }]),
      ],
    },
    errors: [
      {
        kind: C,
        name: 'community2',
        field: 'spec.communities[0].name',
        reason: 'duplicate definition of community, already defined in Community metallb-system/community1',
      },
    ],
  },
  {
    desc: 'duplicate communities definition (in the same cr)',
    resources: {
      communities: [
        community('community', [
          { name: 'bar', value: '1234:5678' },
          { name: 'bar', value: '1234:5678' },
        ]),
      ],
    },
    errors: [
      {
        kind: C,
        name: 'community',
        field: 'spec.communities[1].name',
        reason: 'duplicate definition of community, already defined in this Community',
      },
    ],
  },
  {
    desc: 'use duplicate match labels in ip pool selectors - in BGP adv',
    resources: withAd({
      ipAddressPools: undefined,
      ipAddressPoolSelectors: [{ matchLabels: { test: 'pool1' } }, { matchLabels: { test: 'pool1' } }],
    }),
    errors: adErr(
      'spec.ipAddressPoolSelectors[1]',
      'duplicate selector, same as spec.ipAddressPoolSelectors[0]',
    ),
  },
  {
    desc: 'use duplicate match expression in ip pool selector - in BGP adv',
    resources: withAd({
      ipAddressPools: undefined,
      ipAddressPoolSelectors: [
        { matchExpressions: [{ key: 'test', operator: 'In', values: ['pool1', 'pool1'] }] },
      ],
    }),
    errors: adErr(
      'spec.ipAddressPoolSelectors[0].matchExpressions[0].values',
      'duplicate value in match expression',
    ),
  },
  {
    desc: 'use duplicate ip pool selectors - in L2 adv',
    resources: {
      ipAddressPools: [testPool],
      l2Advertisements: [
        l2('adv1', {
          ipAddressPoolSelectors: [{ matchLabels: { test: 'pool1' } }, { matchLabels: { test: 'pool1' } }],
        }),
      ],
    },
    errors: [
      {
        kind: L,
        name: 'adv1',
        field: 'spec.ipAddressPoolSelectors[1]',
        reason: 'duplicate selector, same as spec.ipAddressPoolSelectors[0]',
      },
    ],
  },
  {
    desc: 'use duplicate match labels in node selectors (both kinds)',
    resources: {
      ipAddressPools: [testPool],
      bgpAdvertisements: [
        bgpAd('adv', {
          nodeSelectors: [{ matchLabels: { second: 'true' } }, { matchLabels: { second: 'true' } }],
        }),
      ],
      l2Advertisements: [
        l2('l2adv1', {
          nodeSelectors: [{ matchLabels: { first: 'true' } }, { matchLabels: { first: 'true' } }],
        }),
      ],
    },
    errors: [
      ...adErr('spec.nodeSelectors[1]', 'duplicate selector, same as spec.nodeSelectors[0]'),
      {
        kind: L,
        name: 'l2adv1',
        field: 'spec.nodeSelectors[1]',
        reason: 'duplicate selector, same as spec.nodeSelectors[0]',
      },
    ],
  },
  {
    desc: 'use duplicate match expression values in node selector',
    resources: withAd({
      nodeSelectors: [
        {
          matchExpressions: [
            { key: 'kubernetes.io/hostname', operator: 'In', values: ['first', 'second'] },
            { key: 'kubernetes.io/hostname', operator: 'In', values: ['second', 'first'] },
          ],
        },
      ],
    }),
    errors: adErr(
      'spec.nodeSelectors[0].matchExpressions[1]',
      'duplicate match expression, same as matchExpressions[0]',
    ),
  },
  {
    desc: 'duplicate service selectors - in L2 adv',
    resources: {
      ipAddressPools: [testPool],
      l2Advertisements: [
        l2('l2', { serviceSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] }),
      ],
    },
    errors: [
      {
        kind: L,
        name: 'l2',
        field: 'spec.serviceSelectors[1]',
        reason: 'duplicate selector, same as spec.serviceSelectors[0]',
      },
    ],
  },
  {
    desc: 'serviceSelectors with a non-default aggregationLength',
    resources: withAd({ aggregationLength: 24, serviceSelectors: [{ matchLabels: { app: 'x' } }] }),
    errors: adErr('spec.serviceSelectors', /^serviceSelectors and aggregationLength are mutually exclusive/),
  },
  {
    desc: 'serviceSelectors with a non-default aggregationLengthV6',
    resources: withAd({ aggregationLengthV6: 64, serviceSelectors: [{ matchLabels: { app: 'x' } }] }),
    errors: adErr('spec.serviceSelectors', /^serviceSelectors and aggregationLength are mutually exclusive/),
  },
  {
    desc: 'invalid preferred node selector',
    resources: {
      ipAddressPools: [testPool],
      l2Advertisements: [
        l2('l2', {
          preferredNodeSelectors: [
            { weight: 10, preference: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } },
          ],
        }),
      ],
    },
    errors: [
      {
        kind: L,
        name: 'l2',
        field: 'spec.preferredNodeSelectors[0].preference',
        reason: '"Bogus" is not a valid label selector operator',
      },
    ],
  },
  {
    desc: 'preferred node selector weight out of range',
    resources: {
      ipAddressPools: [testPool],
      l2Advertisements: [l2('l2', { preferredNodeSelectors: [{ weight: 0, preference: {} }] })],
    },
    errors: [{ kind: L, name: 'l2', field: 'spec.preferredNodeSelectors[0].weight', reason: /Too small/ }],
  },
  {
    desc: 'legacy AddressPool with a bad range',
    resources: { addressPools: [pool('legacy', ['10.0.0.9-10.0.0.1'], { protocol: 'layer2' })] },
    errors: [
      {
        kind: 'AddressPool',
        name: 'legacy',
        field: 'spec.addresses[0]',
        reason: 'range start is after its end',
      },
    ],
  },
  {
    desc: 'legacy AddressPool with an unknown protocol',
    resources: { addressPools: [pool('legacy', ['10.0.0.0/24'], { protocol: 'ospf' })] },
    errors: [{ kind: 'AddressPool', name: 'legacy', field: 'spec.protocol', reason: /Invalid option/ }],
  },
  {
    desc: 'legacy AddressPool named like an IPAddressPool',
    resources: {
      ipAddressPools: [pool('web', ['10.0.0.0/24'])],
      addressPools: [pool('web', ['10.0.1.0/24'], { protocol: 'layer2' })],
    },
    errors: [
      {
        kind: 'AddressPool',
        name: 'web',
        field: 'metadata.name',
        reason: 'duplicate definition of pool, already defined by IPAddressPool metallb-system/web',
      },
    ],
  },
];

describe('advertisements and communities: rejected configurations', () => {
  test.each(errorCases)('$desc', ({ resources, errors }) => {
    expectErrors(resources, errors);
  });
});
