// Upstream's filterBGPPeersByNode / filterBGPAdvertisementsByNode, and what it buys: a peer for other nodes
// that native mode would refuse leaves this node's configuration valid.
import { buildConfig } from '../../../config/build';
import { bgpAd, node, peer, pool } from '../../../testkit/configfixtures';
import { forNode, selectsNode } from './nodefilter';

const onRack = (rack: string) => ({ nodeSelectors: [{ matchLabels: { rack } }] });
const base = { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' };

describe('selectsNode', () => {
  it.each<[string, unknown, boolean]>([
    ['no nodeSelectors', peer('p', base), true],
    ['an empty list', peer('p', { ...base, nodeSelectors: [] }), true],
    ['a matching selector', peer('p', { ...base, ...onRack('r1') }), true],
    ['a selector for another rack', peer('p', { ...base, ...onRack('r2') }), false],
    [
      'any of several selectors matching',
      peer('p', {
        ...base,
        nodeSelectors: [{ matchLabels: { rack: 'r2' } }, { matchLabels: { zone: 'a' } }],
      }),
      true,
    ],
    [
      'a matchExpressions selector',
      bgpAd('a', {
        nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['r1'] }] }],
      }),
      false,
    ],
    [
      'a selector that does not parse (kept for the parser to report)',
      peer('p', { ...base, nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'Near' }] }] }),
      true,
    ],
  ])('%s', (_name, raw, want) => expect(selectsNode(raw, { rack: 'r1', zone: 'a' })).toBe(want));
});

describe('forNode', () => {
  const objects = [peer('here', { ...base, ...onRack('r1') }), peer('there', { ...base, ...onRack('r2') })];
  it('keeps what selects this node', () => {
    expect(forNode(objects, { rack: 'r1' }).map((o) => o.metadata)).toEqual([objects[0]?.metadata]);
  });
  it('keeps everything while the node is unknown', () => {
    expect(forNode(objects, undefined)).toHaveLength(2);
  });
  it('lets a node build its config when a refused peer is meant for other nodes only', () => {
    const resources = {
      nodes: [node('n1', { rack: 'r1' })],
      ipAddressPools: [pool('p', ['198.51.100.0/24'])],
      bgpPeers: [
        peer('here', { ...base, ...onRack('r1') }),
        peer('there', { ...base, peerAddress: '192.0.2.2', disableMP: true, ...onRack('r2') }),
      ],
    };
    expect(buildConfig(resources, { bgpType: 'native' }).ok).toBe(false);
    const filtered = { ...resources, bgpPeers: forNode(resources.bgpPeers, { rack: 'r1' }) };
    expect(buildConfig(filtered, { bgpType: 'native' }).ok).toBe(true);
  });
});
