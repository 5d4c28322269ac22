// What makes the BGP reconciler look at every Service again after a config change: bgpFingerprint moves with
// the pools, their BGP advertisements and the peers, and not with Layer 2-only changes.
import { bgpAd, buildOk, l2, node, peer, pool } from '../../testkit/configfixtures';
import type { ClusterResources } from '../../config/resources';
import { bgpFingerprint } from './bgp';

const base: ClusterResources = {
  nodes: [node('n1')],
  ipAddressPools: [pool('bgp', ['198.51.100.0/24']), pool('lan', ['192.0.2.192/27'])],
  bgpAdvertisements: [bgpAd('ad', { ipAddressPools: ['bgp'] })],
  l2Advertisements: [l2('l2', { ipAddressPools: ['lan'] })],
  bgpPeers: [peer('p', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', password: 'x' })],
};
const fp = (over: ClusterResources = {}) => bgpFingerprint(buildOk({ ...base, ...over }));

describe('bgpFingerprint', () => {
  it('is stable for the same config', () => expect(fp()).toBe(fp()));
  it('ignores a Layer 2-only change', () => {
    expect(fp({ l2Advertisements: [l2('l2', { ipAddressPools: ['lan'], interfaces: ['eth1'] })] })).toBe(
      fp(),
    );
  });
  it('moves with a BGP advertisement', () => {
    expect(fp({ bgpAdvertisements: [bgpAd('ad', { ipAddressPools: ['bgp'], localPref: 50 })] })).not.toBe(
      fp(),
    );
  });
  it('moves with a pool', () => {
    expect(
      fp({ ipAddressPools: [pool('bgp', ['198.51.100.0/25']), pool('lan', ['192.0.2.192/27'])] }),
    ).not.toBe(fp());
  });
  it('moves with a peer, and never holds the password itself', () => {
    expect(
      fp({ bgpPeers: [peer('p', { myASN: 64512, peerASN: 64514, peerAddress: '192.0.2.1' })] }),
    ).not.toBe(fp());
    expect(fp()).not.toContain('"password":"x"');
  });
});
