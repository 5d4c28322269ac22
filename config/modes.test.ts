import { ClusterResources } from './resources';
import {
  ExpectedError,
  bfd,
  bgpAd,
  buildOk,
  community,
  expectBuild,
  expectedBFD,
  expectedBGPAd,
  expectedConfig,
  expectedPeer,
  expectedPool,
  expectErrors,
  labelIs,
  node,
  peer,
  pool,
  selector,
  standardCommunity,
} from '../testkit/configfixtures';

const basic = { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' };
/** `basic` as built, with the defaults. */
const basicPeer = { myASN: 64500, peerASN: 64501, address: '192.0.2.1' };
const native = { bgpType: 'native' as const };
const frr = { bgpType: 'frr' as const };
const B = 'BGPPeer' as const;

interface ErrorCase {
  desc: string;
  resources: ClusterResources;
  errors: ExpectedError[];
}

const nativeField = (field: string, why: string): ExpectedError[] => [
  {
    kind: B,
    name: 'p',
    field: `spec.${field}`,
    reason: `not supported by the native BGP speaker: ${why}`,
  },
];
const onePeer = (spec: Record<string, unknown>, extra: ClusterResources = {}): ClusterResources => ({
  bgpPeers: [peer('p', { ...basic, ...spec })],
  ...extra,
});

const nativeCases: ErrorCase[] = [
  {
    desc: 'a BFDProfile with echoMode',
    resources: onePeer({ bfdProfile: 'b' }, { bfdProfiles: [bfd('b', { echoMode: true })] }),
    errors: [
      {
        kind: 'BFDProfile',
        name: 'b',
        field: 'spec.echoMode',
        reason: 'not supported by the native BGP speaker: BFD echo mode is not implemented',
      },
    ],
  },
  {
    desc: 'disableMP',
    resources: onePeer({ disableMP: true }),
    errors: nativeField('disableMP', 'multiprotocol capabilities are always sent (deprecated upstream)'),
  },
  {
    desc: 'interface (unnumbered)',
    resources: { bgpPeers: [peer('p', { myASN: 1, peerASN: 2, interface: 'eth1' })] },
    errors: nativeField('interface', 'unnumbered peering needs a peerAddress'),
  },
  {
    desc: 'localASN',
    resources: onePeer({ localASN: 65000 }),
    errors: nativeField('localASN', 'the session speaks as myASN'),
  },
];

describe('native BGP mode restrictions', () => {
  test.each(nativeCases)('rejects $desc', ({ resources, errors }) => {
    expectErrors(resources, errors, native);
    // Without a mode the same resources are valid: the restriction is the mode's, not the parser's.
    expect(() => buildOk(resources)).not.toThrow();
  });

  test('accepts a plain IPv4 configuration with holdTime, zero keepalive and standard communities', () => {
    expectBuild(
      {
        ipAddressPools: [pool('v4', ['192.0.2.0/28']), pool('v6-l2-only', ['2001:db8::/64'])],
        bgpAdvertisements: [bgpAd('ad', { ipAddressPools: ['v4'], communities: ['65000:100'] })],
        bgpPeers: [peer('p', { ...basic, holdTime: '90s', keepaliveTime: '0s', routerID: '10.0.0.1' })],
      },
      expectedConfig({
        peers: [
          expectedPeer({ name: 'p', ...basicPeer, holdTime: 90, keepaliveTime: 0, routerID: '10.0.0.1' }),
        ],
        pools: [
          expectedPool({ name: 'v4', addresses: ['192.0.2.0/28'], bgp: ['ad'] }),
          expectedPool({ name: 'v6-l2-only', addresses: ['2001:db8::/64'] }),
        ],
        bgpAdvertisements: [
          expectedBGPAd({ name: 'ad', ipAddressPools: ['v4'], communities: [standardCommunity(65000, 100)] }),
        ],
      }),
      native,
    );
  });

  // What the native speaker's sessions now do (speaker/bgp/session): once refused as upstream's native
  // speaker refuses them, now accepted.
  test.each<[string, ClusterResources]>([
    ['a non-zero keepaliveTime', onePeer({ holdTime: '90s', keepaliveTime: '30s' })],
    ['connectTime', onePeer({ connectTime: '5s' })],
    [
      'bfdProfile and BFDProfiles without echo mode',
      onePeer(
        { bfdProfile: 'b' },
        {
          bfdProfiles: [bfd('b', { receiveInterval: 100, transmitInterval: 100, echoMode: false }), bfd('c')],
        },
      ),
    ],
    ['enableGracefulRestart', onePeer({ enableGracefulRestart: true })],
    ['dualStackAddressFamily', onePeer({ dualStackAddressFamily: true })],
    ['vrf (the socket bound to the VRF device)', onePeer({ vrf: 'red' })],
    ['dynamicASN', { bgpPeers: [peer('p', { myASN: 1, dynamicASN: 'external', peerAddress: '192.0.2.1' })] }],
    [
      'an IPv6 pool that a BGPAdvertisement selects',
      {
        ipAddressPools: [pool('v6', ['192.0.2.0/28', '2001:db8::/64'])],
        bgpAdvertisements: [bgpAd('all', { aggregationLengthV6: 64 })],
      },
    ],
    [
      'large communities in a BGPAdvertisement or a Community',
      {
        ipAddressPools: [pool('v4', ['192.0.2.0/28'])],
        bgpAdvertisements: [bgpAd('ad', { communities: ['large:1:2:3', 'x'] })],
        communities: [community('c', [{ name: 'x', value: 'large:4:5:6' }])],
      },
    ],
  ])('accepts %s', (_desc, resources) => {
    expect(() => buildOk(resources, native)).not.toThrow();
  });

  // A VRF is its own routing table: the same neighbour address in another VRF is another session (the
  // duplicate-peer key carries the VRF, config/peers.ts), in the same VRF the same one.
  test('accepts one peer address in two VRFs and refuses it twice in one VRF', () => {
    const twice = (vrfA: string, vrfB: string): ClusterResources => ({
      bgpPeers: [peer('a', { ...basic, vrf: vrfA }), peer('b', { ...basic, vrf: vrfB })],
    });
    expect(() => buildOk(twice('', 'red'), native)).not.toThrow();
    expect(() => buildOk(twice('red', 'blue'), native)).not.toThrow();
    expectErrors(
      twice('red', 'red'),
      [{ kind: B, name: 'b', field: 'spec.peerAddress', reason: /^peer already exists/ }],
      native,
    );
  });

  test('keeps large communities and IPv6 pools in the built config', () => {
    const config = buildOk(
      {
        ipAddressPools: [pool('v6', ['2001:db8::/64'])],
        bgpAdvertisements: [bgpAd('ad', { communities: ['large:1:2:3'] })],
        bgpPeers: [peer('p', { ...basic, peerAddress: '2001:db8::1' })],
      },
      native,
    );
    expect(config.pools.get('v6')?.bgpAdvertisements.map((a) => a.communities.map((c) => c.text))).toEqual([
      ['large:1:2:3'],
    ]);
  });
});

const frrCases: ErrorCase[] = [
  {
    desc: 'different router IDs on a shared node',
    resources: {
      bgpPeers: [
        peer('a', { ...basic, routerID: '10.0.0.1' }),
        peer('b', { ...basic, peerAddress: '192.0.2.2', routerID: '10.0.0.2' }),
      ],
    },
    errors: [
      {
        kind: B,
        name: 'b',
        field: 'spec.routerID',
        reason: /^router ID differs from BGPPeer metallb-system\/a on a shared node/,
      },
    ],
  },
  {
    desc: 'the same neighbor address twice with overlapping node selectors',
    resources: {
      nodes: [node('n1', { a: '1', b: '1' })],
      bgpPeers: [
        peer('a', { ...basic, nodeSelectors: [{ matchLabels: { a: '1' } }] }),
        peer('b', { ...basic, nodeSelectors: [{ matchLabels: { b: '1' } }] }),
      ],
    },
    errors: [
      {
        kind: B,
        name: 'b',
        field: 'spec.peerAddress',
        reason: /FRR mode doesn't support duplicate BGPPeers selecting the same node/,
      },
    ],
  },
  {
    desc: 'different myASN in the same VRF',
    resources: {
      bgpPeers: [peer('a', basic), peer('b', { ...basic, myASN: 64999, peerAddress: '192.0.2.2' })],
    },
    errors: [
      {
        kind: B,
        name: 'b',
        field: 'spec.myASN',
        reason: /in FRR mode all myASN must be equal for the same VRF/,
      },
    ],
  },
];

describe('FRR BGP mode restrictions', () => {
  test.each(frrCases)('rejects $desc', ({ resources, errors }) => {
    expectErrors(resources, errors, frr);
    expectErrors(resources, errors, { bgpType: 'frr-k8s' });
  });

  test('allows the same neighbor twice when the node selectors are disjoint', () => {
    const resources = {
      nodes: [node('n1', { rack: '1' }), node('n2', { rack: '2' })],
      bgpPeers: [
        peer('a', { ...basic, nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
        peer('b', { ...basic, nodeSelectors: [{ matchLabels: { rack: '2' } }] }),
      ],
    };
    expectBuild(
      resources,
      expectedConfig({
        peers: [
          expectedPeer({ name: 'a', ...basicPeer, nodeSelectors: [selector(labelIs('rack', '1'))] }),
          expectedPeer({ name: 'b', ...basicPeer, nodeSelectors: [selector(labelIs('rack', '2'))] }),
        ],
      }),
      frr,
    );
  });

  test('allows different myASN in different VRFs, and the FRR-only fields', () => {
    const resources = {
      bgpPeers: [
        peer('a', { ...basic, vrf: 'red', bfdProfile: 'b', dynamicASN: undefined }),
        peer('b', { ...basic, myASN: 64999, peerAddress: '192.0.2.2' }),
      ],
      bfdProfiles: [bfd('b')],
    };
    expectBuild(
      resources,
      expectedConfig({
        peers: [
          expectedPeer({ name: 'a', ...basicPeer, vrf: 'red', bfdProfile: expectedBFD({ name: 'b' }) }),
          expectedPeer({ name: 'b', ...basicPeer, myASN: 64999, address: '192.0.2.2' }),
        ],
        bfdProfiles: [expectedBFD({ name: 'b' })],
      }),
      frr,
    );
  });
});
