// Per-peer routes from the Services' advertisements: upstream updateAds (peers filter), native Set (duplicate
// prefixes merged: communities union, first LOCAL_PREF), PeersForService, and peer nodeSelectors
// (TestNodeSelectors, TestPeersForService).
import type { Community } from '../../../config/types';
import { buildOk, node, peer } from '../../../testkit/configfixtures';
import { parsePrefix, formatPrefix, type Prefix } from '../codec/prefix';
import type { ServiceAdvertisement } from './decide';
import { peersForNode, peersForService, routesForPeer, routesForPeers } from './routes';

const prefix = (text: string): Prefix => {
  const p = parsePrefix(text);
  if (p === undefined) throw new Error(text);
  return p;
};
const std = (a: number, b: number): Community => ({
  kind: 'standard',
  value: a * 65536 + b,
  text: `${a}:${b}`,
});
const large = (g: number, l1: number, l2: number): Community => ({
  kind: 'large',
  globalAdministrator: g,
  localData1: l1,
  localData2: l2,
  text: `large:${g}:${l1}:${l2}`,
});
const ad = (p: string, over: Partial<ServiceAdvertisement> = {}): ServiceAdvertisement => ({
  prefix: prefix(p),
  localPref: 0,
  communities: [],
  peers: [],
  ...over,
});

describe('routesForPeer', () => {
  it('gives every peer the advertisements without a peers list', () => {
    const ads = new Map([['demo/a', [ad('198.51.100.1/32')]]]);
    for (const p of ['p1', 'p2'])
      expect(routesForPeer(ads, p).map((r) => formatPrefix(r.prefix))).toEqual(['198.51.100.1/32']);
  });

  it('gives an advertisement with a peers list to those peers only', () => {
    const ads = new Map([['demo/a', [ad('198.51.100.1/32', { peers: ['p2'] }), ad('198.51.100.0/24')]]]);
    expect(routesForPeer(ads, 'p1').map((r) => formatPrefix(r.prefix))).toEqual(['198.51.100.0/24']);
    expect(routesForPeer(ads, 'p2').map((r) => formatPrefix(r.prefix))).toEqual([
      '198.51.100.0/24',
      '198.51.100.1/32',
    ]);
  });

  it('maps standard and large communities to the route, sorted, and leaves unset LOCAL_PREF out', () => {
    const ads = new Map([
      [
        'demo/a',
        [ad('198.51.100.1/32', { communities: [large(64512, 2, 3), std(64512, 9), std(64512, 1)] })],
      ],
    ]);
    expect(routesForPeer(ads, 'p1')).toEqual([
      {
        prefix: prefix('198.51.100.1/32'),
        communities: [64512 * 65536 + 1, 64512 * 65536 + 9],
        largeCommunities: [{ global: 64512, local1: 2, local2: 3 }],
      },
    ]);
  });

  it('merges the same prefix from two Services: communities united, the first LOCAL_PREF kept', () => {
    // Two Services sharing an address (allow-shared-ip), or two advertisements aggregating to one prefix.
    const ads = new Map([
      ['demo/b', [ad('198.51.100.0/24', { localPref: 200, communities: [std(64512, 2), large(1, 1, 1)] })]],
      ['demo/a', [ad('198.51.100.0/24', { localPref: 100, communities: [std(64512, 1), std(64512, 2)] })]],
    ]);
    expect(routesForPeer(ads, 'p1')).toEqual([
      {
        prefix: prefix('198.51.100.0/24'),
        localPref: 100,
        communities: [64512 * 65536 + 1, 64512 * 65536 + 2],
        largeCommunities: [{ global: 1, local1: 1, local2: 1 }],
      },
    ]);
  });

  it('withdraws a Service by leaving it out: only the other Services remain', () => {
    const ads = new Map([
      ['demo/a', [ad('198.51.100.1/32')]],
      ['demo/b', [ad('198.51.100.2/32')]],
    ]);
    ads.delete('demo/a');
    expect(routesForPeer(ads, 'p1').map((r) => formatPrefix(r.prefix))).toEqual(['198.51.100.2/32']);
  });

  it('keeps IPv6 prefixes beside IPv4 ones', () => {
    const ads = new Map([['demo/a', [ad('198.51.100.1/32'), ad('2001:db8:1::1/128')]]]);
    expect(routesForPeer(ads, 'p1').map((r) => r.prefix.family)).toEqual([4, 6]);
  });
});

describe('routesForPeers', () => {
  const ads = new Map([
    ['demo/b', [ad('198.51.100.2/32', { localPref: 50 }), ad('198.51.100.9/32', { peers: ['p2'] })]],
    ['demo/a', [ad('198.51.100.1/32', { communities: [std(64512, 1)] }), ad('2001:db8::1/128')]],
    ['demo/c', [ad('198.51.100.1/32', { peers: ['p3', 'p2'], communities: [std(64512, 7)] })]],
  ]);

  it('gives each peer what routesForPeer gives it', () => {
    const all = routesForPeers(ads, ['p1', 'p2', 'p3', 'p4']);
    expect([...all.keys()]).toEqual(['p1', 'p2', 'p3', 'p4']);
    for (const [p, routes] of all) expect(routes).toEqual(routesForPeer(ads, p));
  });

  it('computes the routes of the peers no advertisement names once, and they share them', () => {
    const all = routesForPeers(ads, ['p1', 'p2', 'p4']);
    expect(all.get('p1')).toBe(all.get('p4'));
    expect(all.get('p2')).not.toBe(all.get('p1'));
  });

  it('orders routes by prefix text and visits Services in key order, as routesForPeer', () => {
    const routes = routesForPeers(ads, ['p3']).get('p3') ?? [];
    expect(routes.map((r) => formatPrefix(r.prefix))).toEqual([
      '198.51.100.1/32',
      '198.51.100.2/32',
      '2001:db8::1/128',
    ]);
    // demo/a comes before demo/c: both communities on the one route.
    expect(routes[0]?.communities).toEqual([64512 * 65536 + 1, 64512 * 65536 + 7]);
  });
});

describe('peersForService', () => {
  it('lists the peers some advertisement of the Service goes to, sorted', () => {
    expect(peersForService([ad('198.51.100.1/32', { peers: ['p3'] })], ['p1', 'p3', 'p2'])).toEqual(['p3']);
    expect(peersForService([ad('198.51.100.1/32')], ['p2', 'p1'])).toEqual(['p1', 'p2']);
    expect(peersForService([], ['p1'])).toEqual([]);
  });
  it('ignores peers the advertisement names but this node has no session with', () => {
    expect(peersForService([ad('198.51.100.1/32', { peers: ['elsewhere'] })], ['p1'])).toEqual([]);
  });
});

describe('peersForNode', () => {
  const config = buildOk({
    nodes: [node('n1', { rack: 'r1' }), node('n2', { rack: 'r2' })],
    bgpPeers: [
      peer('everywhere', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' }),
      peer('rack1', {
        myASN: 64512,
        peerASN: 64513,
        peerAddress: '192.0.2.2',
        nodeSelectors: [{ matchLabels: { rack: 'r1' } }],
      }),
      peer('rack2', {
        myASN: 64512,
        peerASN: 64513,
        peerAddress: '192.0.2.3',
        nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['r2'] }] }],
      }),
    ],
  });
  const names = (labels: Record<string, string>) =>
    peersForNode(config.peers.values(), labels).map((p) => p.name);
  it('a peer without nodeSelectors runs on every node', () => expect(names({})).toEqual(['everywhere']));
  it('a peer with nodeSelectors runs where they match', () => {
    expect(names({ rack: 'r1' })).toEqual(['everywhere', 'rack1']);
    expect(names({ rack: 'r2' })).toEqual(['everywhere', 'rack2']);
  });
});
