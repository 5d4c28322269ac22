// BGPPeer to session settings: defaults, timers, MD5, multihop TTL, router ID fallback, the metrics label.
import { buildOk, node, peer } from '../../testkit/configfixtures';
import type { Peer } from '../../config/types';
import { IPV4_UNICAST, IPV6_UNICAST } from './fsm/open';
import { routerIdFor, routerIdFromNodeName, sessionSpecFor, type SessionSpec } from './sessionspec';

function onePeer(spec: Record<string, unknown>): Peer {
  const config = buildOk({
    nodes: [node('n1')],
    bgpPeers: [peer('p', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec })],
  });
  const p = config.peers.get('p');
  if (p === undefined) throw new Error('no peer');
  return p;
}

function specOf(spec: Record<string, unknown>, address?: string): SessionSpec {
  const r = sessionSpecFor(onePeer(spec), { name: 'n1', ...(address !== undefined ? { address } : {}) });
  if (!r.ok) throw new Error(r.reason);
  return r.spec;
}

describe('sessionSpecFor', () => {
  it('uses upstream native defaults: hold 90 s, port 179, a 10 s connect deadline, no MD5, default TTL', () => {
    const s = specOf({}, '192.0.2.21');
    expect(s.config).toEqual({
      localAs: 64512,
      peerAs: 64513,
      routerId: '192.0.2.21',
      holdTime: 90,
      connectRetryTime: 10,
      families: [IPV4_UNICAST],
    });
    expect(s.dial).toEqual({ peerAddress: '192.0.2.1', peerPort: 179 });
    expect(s.label).toBe('192.0.2.1:179');
  });

  it('takes holdTime, keepaliveTime, connectTime, peerPort, sourceAddress, password and ebgpMultiHop', () => {
    const s = specOf({
      holdTime: '30s',
      keepaliveTime: '5s',
      connectTime: '3s',
      peerPort: 1179,
      sourceAddress: '192.0.2.20',
      password: 'sekret',
      ebgpMultiHop: true,
    });
    expect(s.config).toMatchObject({ holdTime: 30, keepaliveTime: 5, connectRetryTime: 3 });
    expect(s.dial).toEqual({
      peerAddress: '192.0.2.1',
      peerPort: 1179,
      sourceAddress: '192.0.2.20',
      password: 'sekret',
      ttl: 255,
    });
  });

  it('derives the keepalive from holdTime alone as upstream does (hold / 3)', () => {
    expect(specOf({ holdTime: '9s' }).config).toMatchObject({ holdTime: 9, keepaliveTime: 3 });
  });

  it('offers IPv6 unicast on an IPv6 session and labels it [addr]:port', () => {
    const s = specOf({ peerAddress: '2001:db8::1' });
    expect(s.config.families).toEqual([IPV6_UNICAST]);
    expect(s.label).toBe('[2001:db8::1]:179');
  });

  it('offers graceful restart for enableGracefulRestart: 120 s, F bit, N bit, never R (decided per OPEN)', () => {
    expect(specOf({ enableGracefulRestart: true }).config.gracefulRestart).toEqual({
      restartTime: 120,
      forwarding: true,
      notification: true,
    });
    expect(specOf({}).config.gracefulRestart).toBeUndefined();
  });

  it('offers both families for dualStackAddressFamily, the transport family first', () => {
    expect(specOf({ dualStackAddressFamily: true }).config.families).toEqual([IPV4_UNICAST, IPV6_UNICAST]);
    expect(specOf({ peerAddress: '2001:db8::1', dualStackAddressFamily: true }).config.families).toEqual([
      IPV6_UNICAST,
      IPV4_UNICAST,
    ]);
  });

  it('passes dynamicASN through to the OPEN check', () => {
    expect(specOf({ peerASN: undefined, dynamicASN: 'external' }).config.peerAs).toBe('external');
  });

  it('dials a VRF peer inside its VRF device; a default-table peer names none', () => {
    expect(specOf({ vrf: 'red' }).dial).toEqual({ peerAddress: '192.0.2.1', peerPort: 179, vrf: 'red' });
    expect(specOf({}).dial.vrf).toBeUndefined();
  });

  it("takes a VRF peer's router ID from its connection unless routerID or an IPv4 sourceAddress fixes it", () => {
    const vrf = specOf({ vrf: 'red' }, '192.0.2.21');
    expect(vrf.routerIdFromConnection).toBe(true);
    // The node's address is in the default table; the fallback for a connection without IPv4 is the name's.
    expect(vrf.config.routerId).toBe(routerIdFromNodeName('n1'));
    expect(specOf({ vrf: 'red', routerID: '198.51.100.9' }).routerIdFromConnection).toBe(false);
    expect(specOf({ vrf: 'red', sourceAddress: '203.0.113.75' }).config.routerId).toBe('203.0.113.75');
    expect(specOf({ vrf: 'red', sourceAddress: '203.0.113.75' }).routerIdFromConnection).toBe(false);
    expect(specOf({}, '192.0.2.21').routerIdFromConnection).toBe(false);
  });
});

describe('routerIdFor', () => {
  it('prefers the configured routerID', () => {
    expect(routerIdFor(onePeer({ routerID: '198.51.100.9' }), { name: 'n1', address: '192.0.2.21' })).toBe(
      '198.51.100.9',
    );
  });
  it('then an IPv4 sourceAddress, then the node address', () => {
    expect(routerIdFor(onePeer({ sourceAddress: '192.0.2.20' }), { name: 'n1', address: '192.0.2.21' })).toBe(
      '192.0.2.20',
    );
    expect(routerIdFor(onePeer({}), { name: 'n1', address: '192.0.2.21' })).toBe('192.0.2.21');
  });
  it('falls back to crc32(node name), little-endian, for a node without an IPv4 address', () => {
    // crc32("n1") = 0xeb7954ec (zlib's IEEE polynomial, as Go's crc32.ChecksumIEEE).
    expect(routerIdFromNodeName('n1')).toBe('236.84.121.235');
    expect(routerIdFor(onePeer({}), { name: 'n1', address: '2001:db8::21' })).toBe('236.84.121.235');
    expect(routerIdFor(onePeer({}), { name: 'n1' })).toBe('236.84.121.235');
  });
});
