// decideBGP, table-driven after upstream speaker/bgp_controller_test.go (TestBGPSpeakerEPSlices,
// TestShouldAnnounceExcludeLB, TestShouldAnnounceBGPServiceSelectors, TestHasHealthyEndpoint, TestBGPAdsForService).
import type { ClusterResources } from '../../../config/resources';
import type { Config } from '../../../config/types';
import { bgpAd, buildOk, community, node, peer, pool } from '../../../testkit/configfixtures';
import type { ElectionNode } from '../../election/types';
import type { SpeakerService, SpeakerSlice } from '../../reconcile/objects';
import fc from 'fast-check';
import type { Community } from '../../../config/types';
import {
  aggregatedPrefix,
  decideBGP,
  sameAdvertisements,
  type BGPDecideInputs,
  type BGPDecision,
  type ServiceAdvertisement,
} from './decide';
import { formatPrefix } from '../codec/prefix';

const NODES = [node('n1', { zone: 'a' }), node('n2', { zone: 'b' })];

function cfg(resources: ClusterResources): Config {
  return buildOk({
    nodes: NODES,
    bgpPeers: [peer('p1', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' })],
    ...resources,
  });
}

const BASIC = cfg({
  ipAddressPools: [pool('default', ['198.51.100.0/24', '2001:db8:1::/64'])],
  bgpAdvertisements: [bgpAd('ad', { ipAddressPools: ['default'] })],
});

function svc(ips: string[], extra: Partial<SpeakerService> = {}): SpeakerService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'demo', labels: {}, annotations: {} },
    type: 'LoadBalancer',
    loadBalancerClass: '',
    externalTrafficPolicy: 'Cluster',
    ingressIPs: ips,
    ...extra,
  };
}

function slice(endpoints: SpeakerSlice['endpoints']): SpeakerSlice {
  return { metadata: { name: 'web-x', namespace: 'demo' }, service: 'demo/web', endpoints };
}

const READY_ON_N1 = [slice([{ nodeName: 'n1', conditions: { ready: true } }])];
const READY_ON_N2 = [slice([{ nodeName: 'n2', conditions: { ready: true } }])];

function decide(over: Partial<BGPDecideInputs>): BGPDecision {
  return decideBGP({
    service: svc(['198.51.100.10']),
    slices: READY_ON_N1,
    lbClass: '',
    config: BASIC,
    myNode: 'n1',
    node: { labels: { zone: 'a' }, networkUnavailable: false },
    ignoreExcludeLB: false,
    ...over,
  });
}

const prefixes = (d: BGPDecision): string[] =>
  d.announce ? d.advertisements.map((a) => formatPrefix(a.prefix)) : [];
const reason = (d: BGPDecision): string => (d.announce ? 'announce' : d.reason);

describe('decideBGP: the Service checks shared with Layer 2', () => {
  const cases: [string, Partial<BGPDecideInputs>, string][] = [
    ['a deleted Service', { service: undefined }, 'serviceDeleted'],
    ['a ClusterIP Service', { service: svc(['198.51.100.10'], { type: 'ClusterIP' }) }, 'notLoadBalancer'],
    [
      'a Service of another class',
      { service: svc(['198.51.100.10'], { loadBalancerClass: 'other' }) },
      'loadBalancerClass',
    ],
    ['no configuration yet', { config: undefined }, 'noConfig'],
    ['no address yet', { service: svc([]) }, 'noIPAllocated'],
    ['an address that does not parse', { service: svc(['not-an-ip']) }, 'invalidIP'],
    ['an address in no pool', { service: svc(['203.0.113.5']) }, 'ipNotAllowed'],
  ];
  it.each(cases)('%s is not advertised', (_name, over, want) => expect(reason(decide(over))).toBe(want));
});

describe('decideBGP: endpoints (upstream hasHealthyEndpoint)', () => {
  const local = svc(['198.51.100.10'], { externalTrafficPolicy: 'Local' });
  const cases: [string, Partial<BGPDecideInputs>, string][] = [
    ['Cluster with a ready endpoint on this node', {}, 'announce'],
    ['Cluster with a ready endpoint on another node only', { slices: READY_ON_N2 }, 'announce'],
    ['Cluster with no endpoint at all', { slices: [] }, 'noEndpoints'],
    [
      'Cluster with only unready endpoints',
      { slices: [slice([{ nodeName: 'n1', conditions: { ready: false } }])] },
      'noEndpoints',
    ],
    [
      'Cluster with a terminating endpoint that still serves',
      {
        slices: [slice([{ nodeName: 'n2', conditions: { ready: false, serving: true, terminating: true } }])],
      },
      'announce',
    ],
    [
      'Cluster with an endpoint whose readiness is unknown',
      { slices: [slice([{ nodeName: 'n2', conditions: {} }])] },
      'announce',
    ],
    ['Local with a ready endpoint on this node', { service: local }, 'announce'],
    [
      'Local with a ready endpoint on another node only',
      { service: local, slices: READY_ON_N2 },
      'noLocalEndpoints',
    ],
    [
      'Local with an unready endpoint on this node',
      { service: local, slices: [slice([{ nodeName: 'n1', conditions: { ready: false } }])] },
      'noLocalEndpoints',
    ],
    [
      'Local with an endpoint without nodeName',
      { service: local, slices: [slice([{ conditions: { ready: true } }])] },
      'noLocalEndpoints',
    ],
  ];
  it.each(cases)('%s', (_name, over, want) => expect(reason(decide(over))).toBe(want));
});

describe('decideBGP: this node', () => {
  const excluded: ElectionNode = {
    labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' },
    networkUnavailable: false,
  };
  it('a node labelled exclude-from-external-load-balancers does not advertise', () => {
    expect(reason(decide({ node: excluded }))).toBe('nodeLabeledExcludeBalancers');
  });
  it('--ignore-exclude-lb lets an excluded node advertise', () => {
    expect(reason(decide({ node: excluded, ignoreExcludeLB: true }))).toBe('announce');
  });
  it('a node whose network is unavailable does not advertise', () => {
    expect(reason(decide({ node: { labels: {}, networkUnavailable: true } }))).toBe('nodeNetworkUnavailable');
  });
  it('a pool whose advertisements all select other nodes makes this node notOwner', () => {
    const config = cfg({
      ipAddressPools: [pool('default', ['198.51.100.0/24'])],
      bgpAdvertisements: [
        bgpAd('ad', { ipAddressPools: ['default'], nodeSelectors: [{ matchLabels: { zone: 'b' } }] }),
      ],
    });
    expect(reason(decide({ config }))).toBe('notOwner');
    expect(reason(decide({ config, myNode: 'n2', slices: READY_ON_N2 }))).toBe('announce');
  });
  it('a pool with only Layer 2 advertisements is notOwner in BGP', () => {
    const config = cfg({
      ipAddressPools: [pool('default', ['198.51.100.0/24'])],
      l2Advertisements: [bgpAd('l2', { ipAddressPools: ['default'] })],
    });
    expect(reason(decide({ config }))).toBe('notOwner');
  });
});

describe('decideBGP: advertisements (upstream SetBalancer, bgpAdsForService)', () => {
  it('one /32 per address by default, and /128 for IPv6', () => {
    const d = decide({ service: svc(['198.51.100.10', '2001:db8:1::10']) });
    expect(prefixes(d)).toEqual(['198.51.100.10/32', '2001:db8:1::10/128']);
  });

  it('aggregationLength and aggregationLengthV6 mask the address', () => {
    const config = cfg({
      ipAddressPools: [pool('default', ['198.51.100.0/24', '2001:db8:1::/64'])],
      bgpAdvertisements: [
        bgpAd('ad', { ipAddressPools: ['default'], aggregationLength: 24, aggregationLengthV6: 64 }),
      ],
    });
    const d = decide({ config, service: svc(['198.51.100.77', '2001:db8:1::77']) });
    expect(prefixes(d)).toEqual(['198.51.100.0/24', '2001:db8:1::/64']);
  });

  it('each matching advertisement gives its own entry with its local preference, communities and peers', () => {
    const config = cfg({
      communities: [community('aliases', [{ name: 'nogo', value: '65535:65282' }])],
      ipAddressPools: [pool('default', ['198.51.100.0/24'])],
      bgpAdvertisements: [
        bgpAd('a1', { ipAddressPools: ['default'], localPref: 100, communities: ['64512:1', 'nogo'] }),
        bgpAd('a2', {
          ipAddressPools: ['default'],
          aggregationLength: 24,
          peers: ['p1'],
          communities: ['large:64512:1:2'],
        }),
      ],
    });
    const d = decide({ config });
    if (!d.announce) throw new Error(`not announced: ${d.reason}`);
    expect(
      d.advertisements.map((a) => [
        formatPrefix(a.prefix),
        a.localPref,
        a.communities.map((c) => c.text),
        a.peers,
      ]),
    ).toEqual([
      ['198.51.100.10/32', 100, ['64512:1', '65535:65282'], []],
      ['198.51.100.0/24', 0, ['large:64512:1:2'], ['p1']],
    ]);
  });

  it('serviceSelectors keep an advertisement to the Services they match', () => {
    const config = cfg({
      ipAddressPools: [pool('default', ['198.51.100.0/24'])],
      bgpAdvertisements: [
        bgpAd('web', { ipAddressPools: ['default'], serviceSelectors: [{ matchLabels: { app: 'web' } }] }),
        bgpAd('db', {
          ipAddressPools: ['default'],
          communities: ['64512:7'],
          serviceSelectors: [{ matchLabels: { app: 'db' } }],
        }),
      ],
    });
    const communities = (d: BGPDecision) =>
      d.announce ? d.advertisements.map((a) => a.communities.map((c) => c.text)) : [];
    const labelled = (app: string) =>
      svc(['198.51.100.10'], {
        metadata: { name: 'web', namespace: 'demo', labels: { app }, annotations: {} },
      });
    expect(communities(decide({ config, service: labelled('web') }))).toEqual([[]]);
    expect(communities(decide({ config, service: labelled('db') }))).toEqual([['64512:7']]);
    expect(reason(decide({ config, service: labelled('cache') }))).toBe('noMatchingAdvertisement');
  });

  it('an advertisement selecting other nodes is left out on this node', () => {
    const config = cfg({
      ipAddressPools: [pool('default', ['198.51.100.0/24'])],
      bgpAdvertisements: [
        bgpAd('here', { ipAddressPools: ['default'] }),
        bgpAd('there', {
          ipAddressPools: ['default'],
          aggregationLength: 24,
          nodeSelectors: [{ matchLabels: { zone: 'b' } }],
        }),
      ],
    });
    expect(prefixes(decide({ config }))).toEqual(['198.51.100.10/32']);
    expect(prefixes(decide({ config, myNode: 'n2' }))).toEqual(['198.51.100.10/32', '198.51.100.0/24']);
  });

  it('pool selection by label picks the advertisement for the pool', () => {
    const config = cfg({
      ipAddressPools: [
        pool('a', ['198.51.100.0/25'], {}, { labels: { tier: 'gold' } }),
        pool('b', ['198.51.100.128/25']),
      ],
      bgpAdvertisements: [bgpAd('gold', { ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }] })],
    });
    expect(prefixes(decide({ config }))).toEqual(['198.51.100.10/32']);
    expect(reason(decide({ config, service: svc(['198.51.100.200']) }))).toBe('notOwner');
  });

  it('an advertisement with no pools named applies to every pool', () => {
    const config = cfg({
      ipAddressPools: [pool('a', ['198.51.100.0/25']), pool('b', ['198.51.100.128/25'])],
      bgpAdvertisements: [bgpAd('all', {})],
    });
    expect(prefixes(decide({ config, service: svc(['198.51.100.200']) }))).toEqual(['198.51.100.200/32']);
  });
});

describe('aggregatedPrefix', () => {
  it.each([
    ['192.0.2.77', 32, 128, '192.0.2.77/32'],
    ['192.0.2.77', 26, 128, '192.0.2.64/26'],
    ['192.0.2.77', 0, 128, '0.0.0.0/0'],
    ['2001:db8::1:77', 32, 112, '2001:db8::1:0/112'],
  ])('%s with %d/%d is %s', (ip, v4, v6, want) => {
    const p = aggregatedPrefix(ip, { aggregationLength: v4, aggregationLengthV6: v6 });
    expect(p && formatPrefix(p)).toBe(want);
  });
});

describe('sameAdvertisements', () => {
  // A small domain, so that equal lists come up as often as different ones.
  const community: fc.Arbitrary<Community> = fc.oneof(
    fc.constantFrom(1, 2).map((v) => ({ kind: 'standard' as const, value: v, text: `0:${v}` })),
    fc.constantFrom(1, 2).map((v) => ({
      kind: 'large' as const,
      globalAdministrator: 1,
      localData1: v,
      localData2: 3,
      text: `large:1:${v}:3`,
    })),
  );
  const advertisement: fc.Arbitrary<ServiceAdvertisement> = fc.record({
    prefix: fc.record({
      family: fc.constantFrom(4 as const, 6 as const),
      address: fc.constantFrom('198.51.100.1', '2001:db8::1'),
      length: fc.constantFrom(24, 32),
    }),
    localPref: fc.constantFrom(0, 100),
    communities: fc.array(community, { maxLength: 2 }),
    peers: fc.array(fc.constantFrom('p1', 'p2'), { maxLength: 2 }),
  });

  it('says what comparing the two as JSON said', () => {
    fc.assert(
      fc.property(
        fc.array(advertisement, { maxLength: 2 }),
        fc.array(advertisement, { maxLength: 2 }),
        (a, b) => {
          expect(sameAdvertisements(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
          expect(sameAdvertisements(a, structuredClone(a))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
