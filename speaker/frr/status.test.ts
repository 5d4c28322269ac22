// The FRR session-state parser against real FRR 8.4 output (testdata/neighbors-*.json, bfd-peers-*.json,
// captured from bgpd and bfdd in the e2e world: node 192.0.2.11 / 2001:db8:1::11 peering router 192.0.2.1
// with BFD and 2001:db8:1::1 without, and 192.0.2.250 that never answers; then the router stopped).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedBFD, expectedPeer } from '../../testkit/configfixtures';
import { FrrStatusParseError, parseBfdPeers, parseBgpNeighbors, peerSessionStates } from './status';

const testdata = (name: string): string => readFileSync(join(__dirname, 'testdata', name), 'utf8');

const fast = expectedBFD({ name: 'fast', receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 });
const PEERS = [
  expectedPeer({ name: 'router-v4', myASN: 64513, peerASN: 64512, address: '192.0.2.1', bfdProfile: fast }),
  expectedPeer({ name: 'router-v6', myASN: 64513, peerASN: 64512, address: '2001:db8:1::1' }),
  expectedPeer({ name: 'silent', myASN: 64513, peerASN: 64512, address: '192.0.2.250' }),
];

describe('parseBgpNeighbors', () => {
  it('lists every neighbor of every VRF with bgpd state, skipping vrfId and vrfName', () => {
    expect(parseBgpNeighbors(testdata('neighbors-established.json'))).toEqual([
      { vrf: 'default', neighbor: '192.0.2.1', state: 'Established' },
      { vrf: 'default', neighbor: '192.0.2.250', state: 'Active' },
      { vrf: 'default', neighbor: '2001:db8:1::1', state: 'Established' },
    ]);
  });
  it('reads the sessions down once the router has stopped', () => {
    expect(parseBgpNeighbors(testdata('neighbors-down.json')).map((n) => n.state)).toEqual([
      'Idle',
      'Active',
      'Idle',
    ]);
  });
  it('keeps neighbors apart by VRF', () => {
    const text = JSON.stringify({
      default: { vrfId: 0, vrfName: 'default', '192.0.2.1': { bgpState: 'Established' } },
      red: { vrfId: 5, vrfName: 'red', '192.0.2.1': { bgpState: 'Connect' } },
    });
    expect(parseBgpNeighbors(text)).toEqual([
      { vrf: 'default', neighbor: '192.0.2.1', state: 'Established' },
      { vrf: 'red', neighbor: '192.0.2.1', state: 'Connect' },
    ]);
  });
  it('reads no neighbors from bgpd without a router bgp', () => {
    expect(parseBgpNeighbors('{}')).toEqual([]);
  });
  it('refuses text that is not JSON, or not an object of VRFs, naming the command', () => {
    expect(() => parseBgpNeighbors('% Unknown command')).toThrow(FrrStatusParseError);
    expect(() => parseBgpNeighbors('% Unknown command')).toThrow('show bgp vrf all neighbors json');
    expect(() => parseBgpNeighbors('[]')).toThrow('not an object of VRFs');
  });
});

describe('parseBfdPeers', () => {
  it('reads the peer, its VRF and status, up and then down', () => {
    expect(parseBfdPeers(testdata('bfd-peers-up.json'))).toEqual([
      { vrf: 'default', peer: '192.0.2.1', status: 'up' },
    ]);
    expect(parseBfdPeers(testdata('bfd-peers-down.json'))).toEqual([
      { vrf: 'default', peer: '192.0.2.1', status: 'down' },
    ]);
  });
  it('refuses an object where bfdd prints an array', () => {
    expect(() => parseBfdPeers('{}')).toThrow('show bfd peers json');
  });
});

describe('peerSessionStates', () => {
  it('gives each BGPPeer its state, the addr:port label, the VRF and BFD only where a profile is set', () => {
    const states = peerSessionStates(
      PEERS,
      parseBgpNeighbors(testdata('neighbors-established.json')),
      parseBfdPeers(testdata('bfd-peers-up.json')),
    );
    expect(states).toEqual([
      {
        peer: 'router-v4',
        label: '192.0.2.1:179',
        vrf: 'default',
        state: 'Established',
        isEstablished: true,
        bfdStatus: 'up',
      },
      {
        peer: 'router-v6',
        label: '2001:db8:1::1:179',
        vrf: 'default',
        state: 'Established',
        isEstablished: true,
      },
      { peer: 'silent', label: '192.0.2.250:179', vrf: 'default', state: 'Active', isEstablished: false },
    ]);
  });
  it('reports a BGPPeer bgpd does not list yet as Unknown, and a neighbor no BGPPeer names not at all', () => {
    const peer = expectedPeer({
      name: 'new',
      myASN: 64513,
      peerASN: 64512,
      address: '198.51.100.1',
      port: 1179,
    });
    expect(peerSessionStates([peer], parseBgpNeighbors(testdata('neighbors-down.json')), undefined)).toEqual([
      { peer: 'new', label: '198.51.100.1:1179', vrf: 'default', state: 'Unknown', isEstablished: false },
    ]);
  });
  it('matches a VRF peer only with the neighbor of that VRF', () => {
    const red = expectedPeer({ name: 'red', myASN: 64513, peerASN: 64512, address: '192.0.2.1', vrf: 'red' });
    const text = JSON.stringify({
      default: { '192.0.2.1': { bgpState: 'Established' } },
      red: { '192.0.2.1': { bgpState: 'OpenSent' } },
    });
    expect(peerSessionStates([red], parseBgpNeighbors(text), undefined)).toMatchObject([
      { peer: 'red', vrf: 'red', state: 'OpenSent', isEstablished: false },
    ]);
  });
  it('labels an unnumbered peer by its interface, as bgpd keys it', () => {
    const p = expectedPeer({ name: 'unnumbered', myASN: 64513, dynamicASN: 'external', interface: 'eth1' });
    const text = JSON.stringify({ default: { eth1: { bgpState: 'Established' } } });
    expect(peerSessionStates([p], parseBgpNeighbors(text), undefined)).toMatchObject([
      { label: 'eth1', state: 'Established', isEstablished: true },
    ]);
  });
  it('says BFD unknown for a profile peer bfdd does not list', () => {
    const [v4] = PEERS;
    if (v4 === undefined) throw new Error('no peer');
    expect(peerSessionStates([v4], [], [])[0]?.bfdStatus).toBe('unknown');
  });
});
