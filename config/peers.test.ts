import { ClusterResources } from './resources';
import {
  ExpectedError,
  bfd,
  bgpAd,
  buildOk,
  expectBuild,
  expectConfig,
  expectedBFD,
  expectedBGPAd,
  expectedConfig,
  expectedPeer,
  expectedPool,
  expectErrors,
  labelIn,
  labelIs,
  node,
  peer,
  pool,
  secret,
  selector,
} from '../testkit/configfixtures';
import { Config } from './types';

const basic = { myASN: 42, peerASN: 42, peerAddress: '1.2.3.4' };
/** `basic` as built, with the defaults. */
const basicPeer = { myASN: 42, peerASN: 42, address: '1.2.3.4' };

interface OkCase {
  desc: string;
  resources: ClusterResources;
  /** The whole configuration the build must return. */
  config: Config;
}

const nondefaultBFD = expectedBFD({
  name: 'nondefault',
  receiveInterval: 50,
  transmitInterval: 51,
  detectMultiplier: 52,
  echoInterval: 54,
  echoMode: true,
  passiveMode: true,
  minimumTtl: 55,
});

const okCases: OkCase[] = [
  {
    desc: 'peer-only',
    resources: { bgpPeers: [peer('peer1', basic)] },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer1',
          namespace: 'metallb-system',
          myASN: 42,
          peerASN: 42,
          localASN: 0,
          address: '1.2.3.4',
          port: 179,
          nodeSelectors: [],
          password: '',
          enableGracefulRestart: false,
          ebgpMultiHop: false,
          vrf: '',
          disableMP: false,
          dualStackAddressFamily: false,
        }),
      ],
    }),
  },
  {
    desc: 'peer using all v1beta2 session features',
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
      ],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer1',
          myASN: 42,
          peerASN: 142,
          address: '1.2.3.4',
          port: 1179,
          holdTime: 180,
          keepaliveTime: 60,
          connectTime: 1,
          routerID: '10.20.30.40',
          sourceAddress: '10.20.30.40',
          enableGracefulRestart: true,
          ebgpMultiHop: true,
          vrf: 'foo',
        }),
      ],
    }),
  },
  {
    desc: 'node selectors with labels and expressions are parsed into sorted requirements',
    resources: {
      bgpPeers: [
        peer('peer2', {
          myASN: 100,
          peerASN: 200,
          peerAddress: '2.3.4.5',
          nodeSelectors: [
            {
              matchLabels: { foo: 'bar' },
              matchExpressions: [{ key: 'bar', operator: 'In', values: ['quux'] }],
            },
          ],
        }),
      ],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer2',
          myASN: 100,
          peerASN: 200,
          address: '2.3.4.5',
          nodeSelectors: [selector(labelIn('bar', 'quux'), labelIs('foo', 'bar'))],
        }),
      ],
    }),
  },
  {
    desc: 'peer with holdtime only',
    resources: { bgpPeers: [peer('peer1', { ...basic, holdTime: '180s' })] },
    config: expectedConfig({
      peers: [expectedPeer({ name: 'peer1', ...basicPeer, holdTime: 180, keepaliveTime: 60 })],
    }),
  },
  {
    desc: 'peer with keepalive only',
    resources: { bgpPeers: [peer('peer1', { ...basic, keepaliveTime: '60s' })] },
    config: expectedConfig({
      peers: [expectedPeer({ name: 'peer1', ...basicPeer, holdTime: 180, keepaliveTime: 60 })],
    }),
  },
  {
    desc: 'peer with zero hold/keepalive timers',
    resources: { bgpPeers: [peer('peer1', { ...basic, holdTime: '0s', keepaliveTime: '0s' })] },
    config: expectedConfig({
      peers: [expectedPeer({ name: 'peer1', ...basicPeer, holdTime: 0, keepaliveTime: 0 })],
    }),
  },
  {
    desc: 'peer without hold/keepalive timers',
    resources: { bgpPeers: [peer('peer1', basic)] },
    // neither holdTime nor keepaliveTime is present (not even as undefined)
    config: expectedConfig({ peers: [expectedPeer({ name: 'peer1', ...basicPeer })] }),
  },
  {
    desc: 'compound Go durations',
    resources: { bgpPeers: [peer('peer1', { ...basic, holdTime: '1m30s' })] },
    config: expectedConfig({
      peers: [expectedPeer({ name: 'peer1', ...basicPeer, holdTime: 90, keepaliveTime: 30 })],
    }),
  },
  {
    desc: 'empty node selector (select everything)',
    resources: { bgpPeers: [peer('peer1', { ...basic, nodeSelectors: [] })] },
    config: expectedConfig({ peers: [expectedPeer({ name: 'peer1', ...basicPeer, nodeSelectors: [] })] }),
  },
  {
    desc: 'peer with dynamic asn',
    resources: { bgpPeers: [peer('peer1', { myASN: 42, dynamicASN: 'internal', peerAddress: '1.2.3.4' })] },
    config: expectedConfig({
      peers: [
        expectedPeer({ name: 'peer1', myASN: 42, peerASN: 0, dynamicASN: 'internal', address: '1.2.3.4' }),
      ],
    }),
  },
  {
    desc: 'unnumbered peer without address with interface ok',
    resources: { bgpPeers: [peer('peer1', { myASN: 42, dynamicASN: 'internal', interface: 'net0' })] },
    config: expectedConfig({
      peers: [expectedPeer({ name: 'peer1', myASN: 42, dynamicASN: 'internal', interface: 'net0' })],
    }),
  },
  {
    desc: 'peer with DisableMP field',
    resources: {
      bgpPeers: [peer('peer1', { myASN: 42, peerASN: 142, peerAddress: '1.2.3.4', disableMP: true })],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer1',
          myASN: 42,
          peerASN: 142,
          address: '1.2.3.4',
          disableMP: true,
          dualStackAddressFamily: false,
        }),
      ],
    }),
  },
  {
    desc: 'peer with localASN field',
    resources: {
      bgpPeers: [peer('peer1', { myASN: 100, peerASN: 200, peerAddress: '1.2.3.4', localASN: 65410 })],
    },
    config: expectedConfig({
      peers: [expectedPeer({ name: 'peer1', myASN: 100, peerASN: 200, address: '1.2.3.4', localASN: 65410 })],
    }),
  },
  {
    desc: 'BGP Peer with a valid secret',
    resources: {
      bgpPeers: [
        peer('peer1', {
          ...basic,
          peerPort: 179,
          passwordSecret: { name: 'bgpsecret', namespace: 'metallb-system' },
        }),
      ],
      secrets: [secret('bgpsecret', 'kubernetes.io/basic-auth', { password: 'nopass' })],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer1',
          ...basicPeer,
          password: 'nopass',
          passwordSecret: { namespace: 'metallb-system', name: 'bgpsecret' },
        }),
      ],
    }),
  },
  {
    desc: 'a secret reference without namespace means the peer namespace; stringData is read too',
    resources: {
      bgpPeers: [peer('peer1', { ...basic, passwordSecret: { name: 'bgpsecret' } })],
      secrets: [
        {
          metadata: { name: 'bgpsecret', namespace: 'metallb-system' },
          type: 'kubernetes.io/basic-auth',
          stringData: { password: 's3cret' },
        },
      ],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer1',
          ...basicPeer,
          password: 's3cret',
          passwordSecret: { namespace: 'metallb-system', name: 'bgpsecret' },
        }),
      ],
    }),
  },
  {
    desc: 'a plain password is kept as written, with no secret reference',
    resources: { bgpPeers: [peer('peer1', { ...basic, password: 'topsecret' })] },
    config: expectedConfig({ peers: [expectedPeer({ name: 'peer1', ...basicPeer, password: 'topsecret' })] }),
  },
  {
    desc: 'Session with default BFD Profile',
    resources: {
      bgpPeers: [peer('peer1', { ...basic, bfdProfile: 'default' })],
      ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
      bfdProfiles: [bfd('default')],
      bgpAdvertisements: [bgpAd('adv3')],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer1',
          ...basicPeer,
          bfdProfile: { name: 'default', echoMode: false, passiveMode: false },
        }),
      ],
      pools: [expectedPool({ name: 'pool1', addresses: ['1.2.3.0/24'], bgp: ['adv3'] })],
      bgpAdvertisements: [expectedBGPAd({ name: 'adv3', ipAddressPools: ['pool1'] })],
      bfdProfiles: [{ name: 'default', echoMode: false, passiveMode: false }],
    }),
  },
  {
    desc: 'Session with nondefault BFD Profile',
    resources: {
      ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
      bgpAdvertisements: [bgpAd('adv3')],
      bfdProfiles: [
        bfd('nondefault', {
          receiveInterval: 50,
          transmitInterval: 51,
          detectMultiplier: 52,
          echoInterval: 54,
          echoMode: true,
          passiveMode: true,
          minimumTtl: 55,
        }),
      ],
    },
    config: expectedConfig({
      pools: [expectedPool({ name: 'pool1', addresses: ['1.2.3.0/24'], bgp: ['adv3'] })],
      bgpAdvertisements: [expectedBGPAd({ name: 'adv3', ipAddressPools: ['pool1'] })],
      bfdProfiles: [nondefaultBFD],
    }),
  },
  {
    desc: 'Session with ipv4 and bfd echo mode',
    resources: {
      ipAddressPools: [pool('pool1', ['1.2.3.0/24'])],
      bfdProfiles: [bfd('with-echo', { echoMode: true })],
      bgpAdvertisements: [bgpAd('adv')],
      bgpPeers: [
        peer('peer1', {
          myASN: 42,
          peerASN: 142,
          peerAddress: '1.2.3.4',
          peerPort: 1179,
          bfdProfile: 'with-echo',
        }),
      ],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'peer1',
          myASN: 42,
          peerASN: 142,
          address: '1.2.3.4',
          port: 1179,
          bfdProfile: expectedBFD({ name: 'with-echo', echoMode: true }),
        }),
      ],
      pools: [expectedPool({ name: 'pool1', addresses: ['1.2.3.0/24'], bgp: ['adv'] })],
      bgpAdvertisements: [expectedBGPAd({ name: 'adv', ipAddressPools: ['pool1'] })],
      bfdProfiles: [expectedBFD({ name: 'with-echo', echoMode: true })],
    }),
  },
  {
    desc: 'BGPPeer v1beta1 is converted to v1beta2',
    resources: {
      bgpPeers: [
        peer(
          'old',
          {
            myASN: 64500,
            peerASN: 64501,
            peerAddress: '10.0.0.1',
            peerPort: 0,
            nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
          },
          { apiVersion: 'metallb.io/v1beta1' },
        ),
      ],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({
          name: 'old',
          myASN: 64500,
          peerASN: 64501,
          port: 179,
          address: '10.0.0.1',
          nodeSelectors: [selector(labelIn('zone', 'a'))],
        }),
      ],
    }),
  },
  {
    desc: 'two peers to the same router from different nodes',
    resources: {
      bgpPeers: [
        peer('b', { ...basic, nodeSelectors: [{ matchLabels: { rack: '2' } }] }),
        peer('a', { ...basic, nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
      ],
    },
    config: expectedConfig({
      peers: [
        expectedPeer({ name: 'a', ...basicPeer, nodeSelectors: [selector(labelIs('rack', '1'))] }),
        expectedPeer({ name: 'b', ...basicPeer, nodeSelectors: [selector(labelIs('rack', '2'))] }),
      ],
    }),
  },
];

describe('peers: valid configurations', () => {
  test.each(okCases)('$desc', ({ resources, config }) => {
    expectBuild(resources, config);
  });
});

interface ErrorCase {
  desc: string;
  resources: ClusterResources;
  errors: ExpectedError[];
}

const B = 'BGPPeer' as const;
const one = (spec: Record<string, unknown>, extra: ClusterResources = {}): ClusterResources => ({
  bgpPeers: [peer('peer1', spec)],
  ...extra,
});
const err = (field: string, reason: string | RegExp, transient?: boolean): ExpectedError[] => [
  { kind: B, name: 'peer1', field, reason, ...(transient !== undefined ? { transient } : {}) },
];

const errorCases: ErrorCase[] = [
  {
    desc: 'invalid peer-address',
    resources: one({ ...basic, peerAddress: '1.2.3.400' }),
    errors: err('spec.peerAddress', 'invalid BGPPeer address: not an IP address'),
  },
  {
    desc: 'invalid my-asn (missing)',
    resources: one({ peerASN: 42, peerAddress: '1.2.3.4' }),
    errors: err('spec.myASN', /expected number/),
  },
  {
    desc: 'invalid my-asn (zero)',
    resources: one({ ...basic, myASN: 0 }),
    errors: err('spec.myASN', 'missing local ASN'),
  },
  {
    desc: 'invalid peer-asn',
    resources: one({ myASN: 42, peerAddress: '1.2.3.4' }),
    errors: err('spec.peerASN', 'missing peer ASN and dynamicASN'),
  },
  {
    desc: 'ASN above 32 bits is rejected by the schema',
    resources: one({ ...basic, peerASN: 4294967296 }),
    errors: err('spec.peerASN', /Too big/),
  },
  {
    desc: 'invalid ebgp-multihop',
    resources: one({ ...basic, ebgpMultiHop: true }),
    errors: err('spec.ebgpMultiHop', 'invalid ebgp-multihop parameter set for an ibgp peer'),
  },
  {
    desc: 'ebgp-multihop with dynamicASN internal is iBGP too',
    resources: one({ myASN: 42, dynamicASN: 'internal', peerAddress: '1.2.3.4', ebgpMultiHop: true }),
    errors: err('spec.ebgpMultiHop', 'invalid ebgp-multihop parameter set for an ibgp peer'),
  },
  {
    desc: 'invalid interface with newline',
    resources: one({ myASN: 42, peerASN: 142, interface: 'eth0\nrouter bgp 666' }),
    errors: err('spec.interface', 'contains invalid characters (line break)'),
  },
  {
    desc: 'invalid interface with carriage return',
    resources: one({ myASN: 42, peerASN: 142, interface: 'eth0\rrouter bgp 666' }),
    errors: err('spec.interface', 'contains invalid characters (line break)'),
  },
  {
    desc: 'invalid password with newline',
    resources: one({ ...basic, password: 'password\n' }),
    errors: err('spec.password', 'contains invalid characters (line break)'),
  },
  {
    desc: 'invalid password with carriage return',
    resources: one({ ...basic, password: 'password\r' }),
    errors: err('spec.password', 'contains invalid characters (line break)'),
  },
  {
    desc: 'invalid password secret with newline',
    resources: one(
      { ...basic, passwordSecret: { name: 'bgpsecret', namespace: 'metallb-system' } },
      { secrets: [secret('bgpsecret', 'kubernetes.io/basic-auth', { password: 'nopass\n' })] },
    ),
    errors: err('spec.passwordSecret', 'password in the secret contains invalid characters (line break)'),
  },
  {
    desc: 'invalid password secret with carriage return',
    resources: one(
      { ...basic, passwordSecret: { name: 'bgpsecret', namespace: 'metallb-system' } },
      { secrets: [secret('bgpsecret', 'kubernetes.io/basic-auth', { password: 'nopass\r' })] },
    ),
    errors: err('spec.passwordSecret', 'password in the secret contains invalid characters (line break)'),
  },
  {
    desc: 'invalid VRF name with newline',
    resources: one({ ...basic, vrf: 'vrf\n' }),
    errors: err('spec.vrf', 'contains invalid characters (line break)'),
  },
  {
    desc: 'invalid VRF name with carriage return',
    resources: one({ ...basic, vrf: 'vrf\r' }),
    errors: err('spec.vrf', 'contains invalid characters (line break)'),
  },
  {
    desc: 'invalid keepalivetime larger than holdtime',
    resources: one({ ...basic, holdTime: '30s', keepaliveTime: '90s' }),
    errors: err('spec.keepaliveTime', 'invalid keepaliveTime: must be lower than holdTime "30s"'),
  },
  {
    desc: 'invalid hold time (too short)',
    resources: one({ ...basic, holdTime: '1s' }),
    errors: err('spec.holdTime', 'invalid hold time: must be 0 or >=3s'),
  },
  {
    desc: 'keepalive only, implying a hold time that is too short',
    resources: one({ ...basic, keepaliveTime: '500ms' }),
    errors: err(
      'spec.keepaliveTime',
      'invalid keepalive time: the implied hold time (3 x keepaliveTime) must be 0 or >=3s',
    ),
  },
  {
    desc: 'hold time beyond the 16-bit OPEN field',
    resources: one({ ...basic, holdTime: '24h' }),
    errors: err('spec.holdTime', /must be at most 65535s/),
  },
  {
    desc: 'hold time that is not a Go duration',
    resources: one({ ...basic, holdTime: 'ten seconds' }),
    errors: err('spec.holdTime', 'invalid duration'),
  },
  {
    desc: 'invalid RouterID',
    resources: one({ ...basic, routerID: 'oh god how do I BGP' }),
    errors: err('spec.routerID', 'invalid router ID: not an IP address'),
  },
  {
    desc: 'IPv6 RouterID',
    resources: one({ ...basic, routerID: '2001:db8::1' }),
    errors: err('spec.routerID', 'invalid router ID: must be an IPv4 address'),
  },
  {
    desc: 'invalid source address',
    resources: one({ ...basic, sourceAddress: '10.0.0' }),
    errors: err('spec.sourceAddress', 'invalid source IP: not an IP address'),
  },
  {
    desc: 'invalid expression node selector (missing key)',
    resources: one({
      ...basic,
      nodeSelectors: [
        { matchLabels: { foo: 'bar' }, matchExpressions: [{ operator: 'In', values: ['quux'] }] },
      ],
    }),
    errors: err('spec.nodeSelectors[0].matchExpressions[0].key', /expected string/),
  },
  {
    desc: 'invalid expression node selector (missing operator)',
    resources: one({
      ...basic,
      nodeSelectors: [{ matchLabels: { foo: 'bar' }, matchExpressions: [{ key: 'bar', values: ['quux'] }] }],
    }),
    errors: err('spec.nodeSelectors[0].matchExpressions[0].operator', /expected string/),
  },
  {
    desc: 'invalid expression node selector (invalid operator)',
    resources: one({
      ...basic,
      nodeSelectors: [
        {
          matchLabels: { foo: 'bar' },
          matchExpressions: [{ key: 'bar', operator: 'surrounds', values: ['quux'] }],
        },
      ],
    }),
    errors: err('spec.nodeSelectors[0]', '"surrounds" is not a valid label selector operator'),
  },
  {
    desc: 'node selector with an invalid label key',
    resources: one({ ...basic, nodeSelectors: [{ matchLabels: { 'bad key!': 'x' } }] }),
    errors: err('spec.nodeSelectors[0]', /invalid label key "bad key!"/),
  },
  {
    desc: 'node selector In without values',
    resources: one({
      ...basic,
      nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }],
    }),
    errors: err('spec.nodeSelectors[0]', "values: for 'in', 'notin' operators, values set can't be empty"),
  },
  {
    desc: 'duplicate values node selector match expression',
    resources: one({
      ...basic,
      nodeSelectors: [
        {
          matchLabels: { foo: 'bar' },
          matchExpressions: [{ key: 'bar', operator: 'In', values: ['quux', 'quux'] }],
        },
      ],
    }),
    errors: err('spec.nodeSelectors[0].matchExpressions[0].values', 'duplicate value in match expression'),
  },
  {
    desc: 'duplicate node selectors',
    resources: one({ ...basic, nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] }),
    errors: err('spec.nodeSelectors[1]', 'duplicate selector, same as spec.nodeSelectors[0]'),
  },
  {
    desc: 'duplicate peers (same name)',
    resources: { bgpPeers: [peer('peer1', basic), peer('peer1', basic, { namespace: 'other' })] },
    errors: [
      {
        kind: B,
        name: 'peer1',
        field: 'metadata.name',
        reason: 'duplicate definition of peer, already defined by BGPPeer metallb-system/peer1',
      },
    ],
  },
  {
    desc: 'duplicate peers (same session under two names)',
    resources: { bgpPeers: [peer('a', basic), peer('b', basic)] },
    errors: [
      {
        kind: B,
        name: 'b',
        field: 'spec.peerAddress',
        reason: /^peer already exists: BGPPeer metallb-system\/a defines the same session/,
      },
    ],
  },
  {
    desc: 'peer without asn or dynamic asn',
    resources: one({ myASN: 42, peerAddress: '1.2.3.4' }),
    errors: err('spec.peerASN', 'missing peer ASN and dynamicASN'),
  },
  {
    desc: 'peer with both asn and dynamic asn',
    resources: one({ ...basic, dynamicASN: 'internal' }),
    errors: err('spec.dynamicASN', 'both peer ASN and dynamicASN specified'),
  },
  {
    desc: 'invalid dynamicASN value',
    resources: one({ myASN: 42, dynamicASN: 'sideways', peerAddress: '1.2.3.4' }),
    errors: err('spec.dynamicASN', /Invalid option/),
  },
  {
    desc: 'unnumbered peer without address without interface nok',
    resources: one({ myASN: 42, dynamicASN: 'internal' }),
    errors: err('spec.peerAddress', 'peer has no peerAddress or interface specified'),
  },
  {
    desc: 'unnumbered peer with address with interface nok',
    resources: one({ myASN: 42, dynamicASN: 'internal', peerAddress: '1.2.3.4', interface: 'net0' }),
    errors: err('spec.interface', 'peer has both peerAddress and interface specified'),
  },
  {
    desc: 'peerPort 0 is refused by the v1beta2 schema',
    resources: one({ ...basic, peerPort: 0 }),
    errors: err('spec.peerPort', /Too small/),
  },
  {
    desc: 'connect time with a fraction of a second',
    resources: one({ ...basic, connectTime: '1500ms' }),
    errors: err('spec.connectTime', 'connect time should contain a whole number of seconds'),
  },
  {
    desc: 'connect time out of range',
    resources: one({ ...basic, connectTime: '0s' }),
    errors: err('spec.connectTime', 'connect time should be between 1 seconds to 65535'),
  },
  {
    desc: 'BGP Peer with both password and secret ref set',
    resources: one({
      ...basic,
      password: 'nopass',
      passwordSecret: { name: 'nosecret', namespace: 'metallb-system' },
    }),
    errors: err('spec.passwordSecret', 'can not have both password and passwordSecret set'),
  },
  {
    desc: 'BGP Peer with invalid secret type',
    resources: one(
      { ...basic, passwordSecret: { name: 'bgpsecret', namespace: 'metallb-system' } },
      { secrets: [secret('bgpsecret', 'Opaque', { password: 'x' })] },
    ),
    errors: err(
      'spec.passwordSecret',
      'secret type mismatch: type "kubernetes.io/basic-auth" is expected, got "Opaque"',
    ),
  },
  {
    desc: 'BGP Peer without password set in the secret',
    resources: one(
      { ...basic, passwordSecret: { name: 'bgpsecret', namespace: 'metallb-system' } },
      { secrets: [secret('bgpsecret', 'kubernetes.io/basic-auth', { username: 'x' })] },
    ),
    errors: err('spec.passwordSecret', 'password not specified in the secret (key "password")'),
  },
  {
    desc: 'BGP Peer with unavailable secret ref (transient)',
    resources: one({ ...basic, passwordSecret: { name: 'nosecret', namespace: 'metallb-system' } }),
    errors: err('spec.passwordSecret', 'secret not found', true),
  },
  {
    desc: 'a secret in another namespace is not the one referenced',
    resources: one(
      { ...basic, passwordSecret: { name: 'bgpsecret', namespace: 'elsewhere' } },
      { secrets: [secret('bgpsecret', 'kubernetes.io/basic-auth', { password: 'x' })] },
    ),
    errors: err('spec.passwordSecret', 'secret not found', true),
  },
  {
    desc: 'Peer with non existing BFD Profile (transient)',
    resources: one(
      { ...basic, bfdProfile: 'default' },
      { ipAddressPools: [pool('pool1', ['1.2.3.0/24'])], bgpAdvertisements: [bgpAd('adv3')] },
    ),
    errors: err('spec.bfdProfile', 'referencing non existing bfd profile', true),
  },
  {
    desc: 'Multiple BFD Profiles with the same name',
    resources: {
      bfdProfiles: [bfd('default'), bfd('foo'), { metadata: { name: 'foo', namespace: 'other' }, spec: {} }],
    },
    errors: [
      {
        kind: 'BFDProfile',
        name: 'foo',
        field: 'metadata.name',
        reason: 'duplicate definition of bfd profile, already defined by BFDProfile metallb-system/foo',
      },
    ],
  },
  {
    desc: 'BFD Profile with too low receive interval',
    resources: { bfdProfiles: [bfd('default', { receiveInterval: 2 })] },
    errors: [
      {
        kind: 'BFDProfile',
        name: 'default',
        field: 'spec.receiveInterval',
        reason: /Too small: expected number to be >=10/,
      },
    ],
  },
  {
    desc: 'BFD Profile with too high receive interval',
    resources: { bfdProfiles: [bfd('default', { receiveInterval: 90000 })] },
    errors: [
      {
        kind: 'BFDProfile',
        name: 'default',
        field: 'spec.receiveInterval',
        reason: /Too big: expected number to be <=60000/,
      },
    ],
  },
  {
    desc: 'BFD Profile with detect multiplier and minimum TTL out of range',
    resources: { bfdProfiles: [bfd('default', { detectMultiplier: 1, minimumTtl: 255 })] },
    errors: [
      { kind: 'BFDProfile', name: 'default', field: 'spec.detectMultiplier', reason: /Too small/ },
      { kind: 'BFDProfile', name: 'default', field: 'spec.minimumTtl', reason: /Too big/ },
    ],
  },
  {
    desc: 'a reference to a BFD profile that failed its schema is not reported twice',
    resources: one(
      { ...basic, bfdProfile: 'broken' },
      { bfdProfiles: [bfd('broken', { transmitInterval: 1 })] },
    ),
    errors: [{ kind: 'BFDProfile', name: 'broken', field: 'spec.transmitInterval', reason: /Too small/ }],
  },
  {
    desc: 'Session with ipv6 and bfd echo mode',
    resources: {
      ipAddressPools: [pool('pool1', ['fc00:f853:0ccd:e793::/64'])],
      bfdProfiles: [
        bfd('nondefault', {
          receiveInterval: 50,
          transmitInterval: 51,
          detectMultiplier: 52,
          echoInterval: 54,
          echoMode: true,
          passiveMode: true,
          minimumTtl: 55,
        }),
      ],
      bgpAdvertisements: [bgpAd('adv3')],
      bgpPeers: [
        peer('peer1', {
          myASN: 42,
          peerASN: 142,
          peerAddress: '1.2.3.4',
          peerPort: 1179,
          holdTime: '180s',
          routerID: '10.20.30.40',
          sourceAddress: '10.20.30.40',
          ebgpMultiHop: true,
          bfdProfile: 'nondefault',
        }),
      ],
    },
    errors: err(
      'spec.bfdProfile',
      /^BFD profile has echo mode enabled, which is not possible: IPv6 pool "pool1" is advertised to this peer by BGPAdvertisement "adv3"$/,
    ),
  },
  {
    desc: 'every error of one peer is reported, not just the first',
    resources: one({ myASN: 0, peerAddress: '1.2.3.400', holdTime: '1s', routerID: 'x' }),
    errors: [
      ...err('spec.myASN', 'missing local ASN'),
      ...err('spec.peerASN', 'missing peer ASN and dynamicASN'),
      ...err('spec.peerAddress', 'invalid BGPPeer address: not an IP address'),
      ...err('spec.routerID', 'invalid router ID: not an IP address'),
      ...err('spec.holdTime', 'invalid hold time: must be 0 or >=3s'),
    ],
  },
  {
    desc: 'a v1beta1 peer missing a field v1beta1 requires is rejected by its own schema',
    resources: { bgpPeers: [peer('old', { myASN: 1, peerASN: 2 }, { apiVersion: 'metallb.io/v1beta1' })] },
    errors: [{ kind: B, name: 'old', field: 'spec.peerAddress', reason: /expected string/ }],
  },
];

describe('peers and BFD profiles: rejected configurations', () => {
  test.each(errorCases)('$desc', ({ resources, errors }) => {
    expectErrors(resources, errors);
  });

  test('the node list does not change how peers parse', () => {
    const c = buildOk({ bgpPeers: [peer('peer1', basic)], nodes: [node('n1', { a: 'b' })] });
    expectConfig(c, expectedConfig({ peers: [expectedPeer({ name: 'peer1', ...basicPeer })] }));
  });
});
