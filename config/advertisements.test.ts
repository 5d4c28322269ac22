import { ClusterResources } from './resources';
import {
  ExpectedError,
  bgpAd,
  community,
  expectBuild,
  expectedBGPAd,
  expectedConfig,
  expectedL2,
  expectedPeer,
  expectedPool,
  expectErrors,
  l2,
  labelIs,
  largeCommunity,
  node,
  peer,
  pool,
  selector,
  standardCommunity,
} from '../testkit/configfixtures';
import { Config } from './types';

const twoNodes = [node('node1', { node: 'node1' }), node('node2', { node: 'node2' })];
const p1 = pool('pool1', ['10.20.30.40/24']);
/** pool1 as built: the host bits of 10.20.30.40/24 are dropped. */
const builtP1 = (bgp: string[]) =>
  expectedPool({ name: 'pool1', addresses: [['10.20.30.40/24', ['10.20.30.0/24']]], bgp });
const testPool = pool('testPool', ['10.20.0.0/16']);
const builtTestPool = (ads: { l2?: string[]; bgp?: string[] } = {}) =>
  expectedPool({ name: 'testPool', addresses: ['10.20.0.0/16'], ...ads });
const range3 = [
  '3.3.3.2/31',
  '3.3.3.4/30',
  '3.3.3.8/29',
  '3.3.3.16/28',
  '3.3.3.32/27',
  '3.3.3.64/26',
  '3.3.3.128/26',
  '3.3.3.192/27',
  '3.3.3.224/28',
  '3.3.3.240/29',
  '3.3.3.248/30',
  '3.3.3.252/31',
  '3.3.3.254/32',
];
const pool3Range = ['40.0.0.150/31', '40.0.0.152/29', '40.0.0.160/27', '40.0.0.192/29', '40.0.0.200/32'];
const edgeNodes = [
  node('edge-a', { role: 'edge', zone: 'primary' }),
  node('edge-b', { role: 'edge' }),
  node('worker-a', { role: 'worker' }),
];
const allEdgeNodes = ['edge-a', 'edge-b', 'worker-a'];

interface OkCase {
  desc: string;
  resources: ClusterResources;
  /** The whole configuration the build must return. */
  config: Config;
}

const okCases: OkCase[] = [
  {
    desc: 'simple advertisement applies to every pool with the defaults',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.0/24'])], bgpAdvertisements: [bgpAd('adv3')] },
    config: expectedConfig({
      pools: [expectedPool({ name: 'pool1', addresses: ['1.2.3.0/24'], bgp: ['adv3'] })],
      bgpAdvertisements: [expectedBGPAd({ name: 'adv3', ipAddressPools: ['pool1'] })],
    }),
  },
  {
    desc: 'advertisement with default BGP settings',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.0/24'])], bgpAdvertisements: [bgpAd('adv3', {})] },
    config: expectedConfig({
      pools: [expectedPool({ name: 'pool1', addresses: ['1.2.3.0/24'], bgp: ['adv3'] })],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'adv3',
          ipAddressPools: ['pool1'],
          aggregationLength: 32,
          aggregationLengthV6: 128,
          localPref: 0,
          communities: [],
        }),
      ],
    }),
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
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['10.20.0.0/16', '10.50.0.0/24'],
          l2: ['l2adv2'],
          bgp: ['adv1', 'adv2'],
        }),
        expectedPool({ name: 'pool2', addresses: ['30.0.0.0/8'], l2: ['l2adv2'], bgp: ['adv3'] }),
        // l2adv2 announces pool3 exactly as l2adv1 does, so the pool keeps only the first.
        expectedPool({
          name: 'pool3',
          addresses: ['40.0.0.0/25', ['40.0.0.150-40.0.0.200', pool3Range]],
          l2: ['l2adv1'],
        }),
        expectedPool({ name: 'pool4', addresses: ['2001:db8::/64'], l2: ['l2adv2'] }),
      ],
      l2Advertisements: [
        expectedL2({ name: 'l2adv1', ipAddressPools: ['pool3'] }),
        expectedL2({ name: 'l2adv2', ipAddressPools: ['pool1', 'pool2', 'pool3', 'pool4'] }),
      ],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'adv1',
          localPref: 100,
          communities: [standardCommunity(64512, 1234)],
          ipAddressPools: ['pool1'],
          peers: ['peer1'],
        }),
        expectedBGPAd({
          name: 'adv2',
          aggregationLength: 24,
          aggregationLengthV6: 64,
          ipAddressPools: ['pool1'],
        }),
        expectedBGPAd({ name: 'adv3', ipAddressPools: ['pool2'] }),
      ],
    }),
  },
  {
    desc: 'config using all features, in full: both peers of upstream TestParse as well',
    resources: {
      bgpPeers: [
        peer('peer1', {
          myASN: 42,
          peerASN: 142,
          peerAddress: '1.2.3.4',
          peerPort: 1179,
          holdTime: '180s',
          connectTime: '1s',
          routerID: '10.20.30.40',
          sourceAddress: '10.20.30.40',
          enableGracefulRestart: true,
          ebgpMultiHop: true,
          vrf: 'foo',
        }),
        peer('peer2', {
          myASN: 100,
          peerASN: 200,
          peerAddress: '2.3.4.5',
          enableGracefulRestart: false,
          ebgpMultiHop: false,
          connectTime: '1s',
          nodeSelectors: [
            {
              matchLabels: { foo: 'bar' },
              matchExpressions: [{ key: 'bar', operator: 'In', values: ['quux'] }],
            },
          ],
        }),
      ],
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16', '10.50.0.0/24'], { avoidBuggyIPs: true, autoAssign: false }),
        pool('pool2', ['30.0.0.0/8']),
        pool('pool3', [
          '40.0.0.0/25',
          '40.0.0.150-40.0.0.200',
          '40.0.0.210 - 40.0.0.240',
          '40.0.0.250 - 40.0.0.250',
        ]),
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
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer1',
          myASN: 42,
          peerASN: 142,
          address: '1.2.3.4',
          sourceAddress: '10.20.30.40',
          port: 1179,
          holdTime: 180,
          keepaliveTime: 60,
          connectTime: 1,
          routerID: '10.20.30.40',
          enableGracefulRestart: true,
          ebgpMultiHop: true,
          vrf: 'foo',
        }),
        expectedPeer({
          name: 'peer2',
          myASN: 100,
          peerASN: 200,
          address: '2.3.4.5',
          connectTime: 1,
          nodeSelectors: [selector(labelIs('bar', 'quux'), labelIs('foo', 'bar'))],
        }),
      ],
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['10.20.0.0/16', '10.50.0.0/24'],
          avoidBuggyIPs: true,
          autoAssign: false,
          l2: ['l2adv2'],
          bgp: ['adv1', 'adv2'],
        }),
        expectedPool({ name: 'pool2', addresses: ['30.0.0.0/8'], l2: ['l2adv2'], bgp: ['adv3'] }),
        expectedPool({
          name: 'pool3',
          addresses: [
            '40.0.0.0/25',
            ['40.0.0.150-40.0.0.200', pool3Range],
            [
              '40.0.0.210 - 40.0.0.240',
              ['40.0.0.210/31', '40.0.0.212/30', '40.0.0.216/29', '40.0.0.224/28', '40.0.0.240/32'],
            ],
            ['40.0.0.250 - 40.0.0.250', ['40.0.0.250/32']],
          ],
          l2: ['l2adv1'],
        }),
        expectedPool({ name: 'pool4', addresses: ['2001:db8::/64'], l2: ['l2adv2'] }),
      ],
      l2Advertisements: [
        expectedL2({ name: 'l2adv1', ipAddressPools: ['pool3'] }),
        expectedL2({ name: 'l2adv2', ipAddressPools: ['pool1', 'pool2', 'pool3', 'pool4'] }),
      ],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'adv1',
          localPref: 100,
          communities: [standardCommunity(64512, 1234)],
          ipAddressPools: ['pool1'],
          peers: ['peer1'],
        }),
        expectedBGPAd({
          name: 'adv2',
          aggregationLength: 24,
          aggregationLengthV6: 64,
          ipAddressPools: ['pool1'],
        }),
        expectedBGPAd({ name: 'adv3', ipAddressPools: ['pool2'] }),
      ],
    }),
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
    config: expectedConfig({
      pools: [builtP1(['a', 'b'])],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'a',
          localPref: 100,
          aggregationLength: 24,
          ipAddressPools: ['pool1'],
          nodes: ['node1', 'node2'],
        }),
        expectedBGPAd({ name: 'b', localPref: 200, ipAddressPools: ['pool1'], nodes: ['node1', 'node2'] }),
      ],
    }),
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
    config: expectedConfig({
      pools: [builtP1(['a', 'b'])],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'a',
          localPref: 100,
          aggregationLength: 24,
          aggregationLengthV6: 120,
          ipAddressPools: ['pool1'],
          nodes: ['node1', 'node2'],
        }),
        expectedBGPAd({ name: 'b', localPref: 200, ipAddressPools: ['pool1'], nodes: ['node1', 'node2'] }),
      ],
    }),
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
    config: expectedConfig({
      pools: [builtP1(['a', 'b'])],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'a',
          localPref: 100,
          ipAddressPools: ['pool1'],
          nodeSelectors: [selector(labelIs('node', 'node1'))],
          nodes: ['node1'],
        }),
        expectedBGPAd({
          name: 'b',
          localPref: 200,
          ipAddressPools: ['pool1'],
          nodeSelectors: [selector(labelIs('node', 'node2'))],
          nodes: ['node2'],
        }),
      ],
    }),
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
    config: expectedConfig({
      pools: [builtP1(['a', 'b'])],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'a',
          localPref: 100,
          ipAddressPools: ['pool1'],
          peers: ['peer1'],
          nodes: ['node1', 'node2'],
        }),
        expectedBGPAd({
          name: 'b',
          localPref: 200,
          ipAddressPools: ['pool1'],
          peers: ['peer2'],
          nodes: ['node1', 'node2'],
        }),
      ],
    }),
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
    config: expectedConfig({
      pools: [builtP1(['a', 'b'])],
      bgpAdvertisements: [
        expectedBGPAd({ name: 'a', localPref: 100, ipAddressPools: ['pool1'], nodes: ['node1', 'node2'] }),
        expectedBGPAd({
          name: 'b',
          localPref: 200,
          ipAddressPools: ['pool1'],
          nodes: ['node1', 'node2'],
          serviceSelectors: [selector(labelIs('app', 'x'))],
        }),
      ],
    }),
  },
  {
    desc: 'aggregation length by range',
    resources: {
      ipAddressPools: [pool('pool1', ['3.3.3.2-3.3.3.254'])],
      bgpAdvertisements: [bgpAd('a', { aggregationLength: 26 })],
    },
    config: expectedConfig({
      pools: [expectedPool({ name: 'pool1', addresses: [['3.3.3.2-3.3.3.254', range3]], bgp: ['a'] })],
      bgpAdvertisements: [expectedBGPAd({ name: 'a', aggregationLength: 26, ipAddressPools: ['pool1'] })],
    }),
  },
  {
    desc: 'config IPAddressPool with large communities CR',
    resources: {
      ipAddressPools: [pool('pool1', ['10.20.0.0/16'])],
      bgpAdvertisements: [bgpAd('adv1', { communities: ['bar'], ipAddressPools: ['pool1'] })],
      communities: [community('community', [{ name: 'bar', value: 'large:123:64512:1234' }])],
    },
    config: expectedConfig({
      pools: [expectedPool({ name: 'pool1', addresses: ['10.20.0.0/16'], bgp: ['adv1'] })],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'adv1',
          communities: [largeCommunity(123, 64512, 1234)],
          ipAddressPools: ['pool1'],
        }),
      ],
    }),
  },
  {
    desc: 'literal communities are parsed, deduplicated against aliases and sorted',
    resources: {
      ipAddressPools: [testPool],
      bgpAdvertisements: [bgpAd('adv1', { communities: ['large:1:2:3', '65535:65535', 'same', '0:1'] })],
      communities: [community('c', [{ name: 'same', value: '0:1' }])],
    },
    config: expectedConfig({
      pools: [builtTestPool({ bgp: ['adv1'] })],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'adv1',
          // a standard community sorts as <value>:0:0 among large ones
          communities: [standardCommunity(0, 1), largeCommunity(1, 2, 3), standardCommunity(65535, 65535)],
          ipAddressPools: ['testPool'],
        }),
      ],
    }),
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
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['10.20.0.0/16'],
          labels: { test: 'pool1' },
          l2: ['l2adv1'],
          bgp: ['adv1'],
        }),
        expectedPool({ name: 'pool2', addresses: ['30.0.0.0/16'], labels: { test: 'pool2' }, bgp: ['adv2'] }),
      ],
      l2Advertisements: [expectedL2({ name: 'l2adv1', ipAddressPools: ['pool1'] })],
      bgpAdvertisements: [
        expectedBGPAd({ name: 'adv1', localPref: 100, ipAddressPools: ['pool1'] }),
        expectedBGPAd({ name: 'adv2', localPref: 200, ipAddressPools: ['pool2'] }),
      ],
    }),
  },
  {
    desc: 'specify interfaces',
    resources: { ipAddressPools: [testPool], l2Advertisements: [l2('l2adv1', { interfaces: ['eth0'] })] },
    config: expectedConfig({
      pools: [builtTestPool({ l2: ['l2adv1'] })],
      l2Advertisements: [
        expectedL2({
          name: 'l2adv1',
          ipAddressPools: ['testPool'],
          interfaces: ['eth0'],
          allInterfaces: false,
        }),
      ],
    }),
  },
  {
    desc: 'use non existent label for ip pool selectors',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16'], {}, { labels: { test: 'pool1' } }),
        pool('pool2', ['30.0.0.0/16'], {}, { labels: { test: 'pool2' } }),
      ],
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
    config: expectedConfig({
      pools: [
        expectedPool({ name: 'pool1', addresses: ['10.20.0.0/16'], labels: { test: 'pool1' } }),
        expectedPool({ name: 'pool2', addresses: ['30.0.0.0/16'], labels: { test: 'pool2' } }),
      ],
      l2Advertisements: [expectedL2({ name: 'l2adv1', ipAddressPools: [] })],
      bgpAdvertisements: [
        expectedBGPAd({ name: 'adv1', localPref: 100, ipAddressPools: [] }),
        expectedBGPAd({ name: 'adv2', localPref: 200, ipAddressPools: [] }),
      ],
    }),
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
    config: expectedConfig({
      pools: [
        expectedPool({ name: 'pool1', addresses: ['10.20.0.0/16'], l2: ['l2adv1'], bgp: ['adv1'] }),
        expectedPool({ name: 'pool2', addresses: ['30.0.0.0/16'], bgp: ['adv2'] }),
      ],
      l2Advertisements: [
        expectedL2({
          name: 'l2adv1',
          ipAddressPools: ['pool1'],
          nodeSelectors: [selector(labelIs('first', 'true'))],
          nodes: ['first'],
        }),
      ],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'adv1',
          ipAddressPools: ['pool1'],
          nodeSelectors: [selector(labelIs('second', 'true'))],
          nodes: ['second'],
        }),
        expectedBGPAd({
          name: 'adv2',
          ipAddressPools: ['pool2'],
          nodeSelectors: [selector(labelIs('first', 'true'))],
          nodes: ['first'],
        }),
      ],
    }),
  },
  {
    desc: 'no nodes means all nodes',
    resources: {
      ipAddressPools: [testPool],
      bgpAdvertisements: [bgpAd('adv1')],
      l2Advertisements: [l2('l2adv1')],
      nodes: [node('first', { first: 'true' }), node('second', { second: 'true' })],
    },
    config: expectedConfig({
      pools: [builtTestPool({ l2: ['l2adv1'], bgp: ['adv1'] })],
      l2Advertisements: [
        expectedL2({ name: 'l2adv1', ipAddressPools: ['testPool'], nodes: ['first', 'second'] }),
      ],
      bgpAdvertisements: [
        expectedBGPAd({ name: 'adv1', ipAddressPools: ['testPool'], nodes: ['first', 'second'] }),
      ],
    }),
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
    config: expectedConfig({
      peers: [expectedPeer({ name: 'peer1', myASN: 42, peerASN: 42, address: '1.2.3.4' })],
      pools: [expectedPool({ name: 'pool1', addresses: ['1.2.3.0/24'], bgp: ['adv1'] })],
      bgpAdvertisements: [
        expectedBGPAd({ name: 'adv1', localPref: 100, ipAddressPools: ['pool1'], peers: ['peer1'] }),
      ],
    }),
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
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['10.0.0.0/24'],
          labels: { a: 'b' },
          l2: ['x'],
          bgp: ['y'],
        }),
      ],
      l2Advertisements: [expectedL2({ name: 'x', ipAddressPools: ['pool1'] })],
      bgpAdvertisements: [expectedBGPAd({ name: 'y', ipAddressPools: ['pool1'] })],
    }),
  },
  {
    desc: 'an advertisement naming a pool that does not exist applies to nothing',
    resources: {
      ipAddressPools: [testPool],
      bgpAdvertisements: [bgpAd('adv', { ipAddressPools: ['nope'] })],
    },
    config: expectedConfig({
      pools: [builtTestPool()],
      bgpAdvertisements: [expectedBGPAd({ name: 'adv', ipAddressPools: [] })],
    }),
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
    config: expectedConfig({
      // plain2 announces the pool exactly as plain does; pref carries weights, so it is kept
      pools: [builtTestPool({ l2: ['plain', 'pref'] })],
      l2Advertisements: [
        expectedL2({ name: 'plain', ipAddressPools: ['testPool'], nodes: ['a', 'b', 'c'] }),
        expectedL2({ name: 'plain2', ipAddressPools: ['testPool'], nodes: ['a', 'b', 'c'] }),
        expectedL2({
          name: 'pref',
          ipAddressPools: ['testPool'],
          nodeSelectors: [selector(labelIs('zone', 'x'))],
          nodes: ['a', 'b'],
          preferredNodes: { a: 60, b: 10 },
        }),
      ],
    }),
  },
  {
    desc: 'preferred selector scores matching nodes',
    resources: {
      ipAddressPools: [testPool],
      nodes: edgeNodes,
      l2Advertisements: [
        l2('prefer-edge', {
          preferredNodeSelectors: [{ weight: 100, preference: { matchLabels: { role: 'edge' } } }],
        }),
      ],
    },
    config: expectedConfig({
      pools: [builtTestPool({ l2: ['prefer-edge'] })],
      l2Advertisements: [
        expectedL2({
          name: 'prefer-edge',
          ipAddressPools: ['testPool'],
          nodes: allEdgeNodes,
          preferredNodes: { 'edge-a': 100, 'edge-b': 100 },
        }),
      ],
    }),
  },
  {
    desc: 'service selectors do not restrict preferred scoring',
    resources: {
      ipAddressPools: [testPool],
      nodes: edgeNodes,
      l2Advertisements: [
        l2('prefer-edge-with-svc-selectors', {
          serviceSelectors: [{ matchLabels: { app: 'web' } }],
          preferredNodeSelectors: [{ weight: 100, preference: { matchLabels: { role: 'edge' } } }],
        }),
      ],
    },
    config: expectedConfig({
      pools: [builtTestPool({ l2: ['prefer-edge-with-svc-selectors'] })],
      l2Advertisements: [
        expectedL2({
          name: 'prefer-edge-with-svc-selectors',
          ipAddressPools: ['testPool'],
          nodes: allEdgeNodes,
          serviceSelectors: [selector(labelIs('app', 'web'))],
          preferredNodes: { 'edge-a': 100, 'edge-b': 100 },
        }),
      ],
    }),
  },
  {
    desc: 'no preferred selectors leaves preferredNodes empty',
    resources: { ipAddressPools: [testPool], nodes: edgeNodes, l2Advertisements: [l2('basic')] },
    config: expectedConfig({
      pools: [builtTestPool({ l2: ['basic'] })],
      l2Advertisements: [
        expectedL2({ name: 'basic', ipAddressPools: ['testPool'], nodes: allEdgeNodes, preferredNodes: {} }),
      ],
    }),
  },
  {
    desc: 'preferred selectors disjoint from node selectors yield no scores',
    resources: {
      ipAddressPools: [testPool],
      nodes: edgeNodes,
      l2Advertisements: [
        l2('disjoint', {
          nodeSelectors: [{ matchLabels: { role: 'worker' } }],
          preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { role: 'edge' } } }],
        }),
      ],
    },
    config: expectedConfig({
      pools: [builtTestPool({ l2: ['disjoint'] })],
      l2Advertisements: [
        expectedL2({
          name: 'disjoint',
          ipAddressPools: ['testPool'],
          nodeSelectors: [selector(labelIs('role', 'worker'))],
          nodes: ['worker-a'],
          preferredNodes: {},
        }),
      ],
    }),
  },
  {
    desc: 'multiple preferred selectors sum on matching nodes',
    resources: {
      ipAddressPools: [testPool],
      nodes: edgeNodes,
      l2Advertisements: [
        l2('sum-edge-zone', {
          preferredNodeSelectors: [
            { weight: 40, preference: { matchLabels: { role: 'edge' } } },
            { weight: 30, preference: { matchLabels: { zone: 'primary' } } },
          ],
        }),
      ],
    },
    config: expectedConfig({
      pools: [builtTestPool({ l2: ['sum-edge-zone'] })],
      l2Advertisements: [
        expectedL2({
          name: 'sum-edge-zone',
          ipAddressPools: ['testPool'],
          nodes: allEdgeNodes,
          preferredNodes: { 'edge-a': 70, 'edge-b': 40 },
        }),
      ],
    }),
  },
  {
    desc: 'pool selected by name and selector attaches once (with preferences)',
    resources: {
      ipAddressPools: [pool('pool-a', ['10.20.0.0/24'], {}, { labels: { shared: 'true' } })],
      nodes: [node('edge-a', { role: 'edge', zone: 'primary' })],
      l2Advertisements: [
        l2('prefer-edge', {
          ipAddressPools: ['pool-a'],
          ipAddressPoolSelectors: [{ matchLabels: { shared: 'true' } }],
          preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { role: 'edge' } } }],
        }),
      ],
    },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool-a',
          addresses: ['10.20.0.0/24'],
          labels: { shared: 'true' },
          l2: ['prefer-edge'],
        }),
      ],
      l2Advertisements: [
        expectedL2({
          name: 'prefer-edge',
          ipAddressPools: ['pool-a'],
          nodes: ['edge-a'],
          preferredNodes: { 'edge-a': 50 },
        }),
      ],
    }),
  },
  {
    desc: 'two CRs with preferences targeting the same pool attach independently',
    resources: {
      ipAddressPools: [pool('pool-a', ['10.20.0.0/24'])],
      nodes: [node('edge-a', { role: 'edge', zone: 'primary' })],
      l2Advertisements: [
        l2('ad1-edge-70', {
          ipAddressPools: ['pool-a'],
          preferredNodeSelectors: [{ weight: 70, preference: { matchLabels: { role: 'edge' } } }],
        }),
        l2('ad2-edge-30', {
          ipAddressPools: ['pool-a'],
          preferredNodeSelectors: [{ weight: 30, preference: { matchLabels: { role: 'edge' } } }],
        }),
      ],
    },
    config: expectedConfig({
      pools: [
        expectedPool({ name: 'pool-a', addresses: ['10.20.0.0/24'], l2: ['ad1-edge-70', 'ad2-edge-30'] }),
      ],
      l2Advertisements: [
        expectedL2({
          name: 'ad1-edge-70',
          ipAddressPools: ['pool-a'],
          nodes: ['edge-a'],
          preferredNodes: { 'edge-a': 70 },
        }),
        expectedL2({
          name: 'ad2-edge-30',
          ipAddressPools: ['pool-a'],
          nodes: ['edge-a'],
          preferredNodes: { 'edge-a': 30 },
        }),
      ],
    }),
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
    config: expectedConfig({
      pools: [builtTestPool({ bgp: ['a'] })],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'a',
          ipAddressPools: ['testPool'],
          serviceSelectors: [selector(labelIs('app', 'x'))],
        }),
      ],
    }),
  },
  {
    desc: 'legacy AddressPool with protocol layer2 is a pool and its L2 advertisement',
    resources: {
      addressPools: [
        pool('legacy', ['172.18.0.100-172.18.0.255'], { protocol: 'layer2', autoAssign: false }),
      ],
    },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'legacy',
          addresses: [
            [
              '172.18.0.100-172.18.0.255',
              ['172.18.0.100/30', '172.18.0.104/29', '172.18.0.112/28', '172.18.0.128/25'],
            ],
          ],
          autoAssign: false,
          avoidBuggyIPs: false,
          l2: ['legacy'],
        }),
      ],
      l2Advertisements: [expectedL2({ name: 'legacy', ipAddressPools: ['legacy'] })],
    }),
  },
  {
    desc: 'legacy AddressPool with protocol bgp is a pool and its BGP advertisement',
    resources: { addressPools: [pool('legacy', ['2002:2:2::1-2002:2:2::100'], { protocol: 'bgp' })] },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'legacy',
          addresses: [
            [
              '2002:2:2::1-2002:2:2::100',
              [
                '2002:2:2::1/128',
                '2002:2:2::2/127',
                '2002:2:2::4/126',
                '2002:2:2::8/125',
                '2002:2:2::10/124',
                '2002:2:2::20/123',
                '2002:2:2::40/122',
                '2002:2:2::80/121',
                '2002:2:2::100/128',
              ],
            ],
          ],
          bgp: ['legacy'],
        }),
      ],
      bgpAdvertisements: [
        expectedBGPAd({
          name: 'legacy',
          ipAddressPools: ['legacy'],
          aggregationLength: 32,
          aggregationLengthV6: 128,
        }),
      ],
    }),
  },
];

describe('advertisements: valid configurations', () => {
  test.each(okCases)('$desc', ({ resources, config }) => {
    expectBuild(resources, config);
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
