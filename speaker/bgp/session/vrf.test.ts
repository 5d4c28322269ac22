// A session in a Linux VRF (BGPPeer spec.vrf): a missing VRF device keeps it Idle with one reported error
// while it retries on the normal backoff, and its next hops and router ID come from the VRF's interfaces.
import type { NetworkInterfaceInfo } from 'node:os';
import { FakePeer } from '../../../testkit/bgp/fakepeer';
import { endOfRibFamily } from '../codec/update';
import type { Message } from '../codec/message';
import { IPV4_UNICAST, IPV6_UNICAST, type SessionConfig, buildOpen } from '../fsm/open';
import type { Link } from '../../l2/netlink';
import { VrfDeviceMissingError } from '../../l2/sys/bindtodevice';
import { parsePrefix } from '../codec/prefix';
import { type Connector, PeerSession } from './session';
import type { Interfaces } from './nexthop';

const CONFIG: SessionConfig = {
  localAs: 64512,
  peerAs: 64512,
  routerId: '10.255.0.1',
  holdTime: 9,
  connectRetryTime: 10,
  families: [IPV4_UNICAST, IPV6_UNICAST],
};

const info = (address: string): NetworkInterfaceInfo =>
  address.includes(':')
    ? { address, family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 }
    : { address, family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null };
// The VRF reuses the default table's IPv4 address on its own link, with its own IPv6 address.
const INTERFACES: Interfaces = {
  eth0: [info('192.0.2.11'), info('2001:db8:1::11')],
  eth1: [info('192.0.2.11'), info('2001:db8:3::11'), info('203.0.113.75')],
};
const LINKS: Link[] = [
  { index: 2, name: 'eth0', type: 1, flags: 1 },
  { index: 3, name: 'eth1', type: 1, flags: 1, master: 4 },
  { index: 4, name: 'red', type: 1, flags: 1, kind: 'vrf' },
];

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('a missing VRF device', () => {
  function missingThenCreated() {
    const peer = new FakePeer();
    let deviceExists = false;
    const connector: Connector = (opts, h) => {
      if (!deviceExists) throw new VrfDeviceMissingError(opts.peerAddress, opts.vrf ?? '');
      return peer.connector(opts, h);
    };
    const reported: unknown[] = [];
    const session = new PeerSession({
      config: CONFIG,
      dial: { peerAddress: '192.0.2.1', peerPort: 179, vrf: 'red' },
      connector,
      random: () => 1,
      onDialError: (err) => reported.push(err),
      interfaces: () => INTERFACES,
      links: () => LINKS,
    });
    return {
      peer,
      session,
      reported,
      create: () => (deviceExists = true),
      remove: () => (deviceExists = false),
    };
  }

  test('keeps the session Idle with the error named, reported once across retries', () => {
    const { session, reported } = missingThenCreated();
    session.start();
    jest.advanceTimersByTime(0);
    expect(session.stats()).toMatchObject({ state: 'Idle' });
    expect(session.stats().lastError).toBe(
      'tcp connection failed: peer 192.0.2.1: VRF device "red" does not exist on this node',
    );
    // The normal backoff: 1 s, 2 s, 4 s (random 1: no jitter).
    jest.advanceTimersByTime(1000 + 2000 + 4000);
    expect(session.state).toBe('Idle');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(VrfDeviceMissingError);
    expect(reported[0]).toMatchObject({ peer: '192.0.2.1', vrf: 'red' });
  });

  test('connects on the next retry once the device exists, and reaches Established', () => {
    const { peer, session, create } = missingThenCreated();
    session.start();
    jest.advanceTimersByTime(0);
    expect(peer.dials).toBe(0);
    create();
    jest.advanceTimersByTime(1000);
    expect(peer.dials).toBe(1);
    expect(peer.dialed[0]?.vrf).toBe('red');
    peer.handlers?.onConnect('203.0.113.75');
    peer.send(buildOpen({ ...CONFIG, routerId: '192.0.2.1' }));
    peer.send({ type: 'keepalive' });
    expect(session.stats()).toMatchObject({ state: 'Established' });
    expect(session.stats().lastError ?? '').not.toMatch(/VRF/);
  });

  test('reports again when the device goes away after a dial got through', () => {
    const { peer, session, reported, create, remove } = missingThenCreated();
    session.start();
    jest.advanceTimersByTime(0);
    create();
    jest.advanceTimersByTime(1000);
    expect(peer.dials).toBe(1);
    remove();
    peer.handlers?.onClose(); // refused: nobody listening, and the device is gone before the retry
    jest.advanceTimersByTime(4000 + 8000);
    expect(session.state).toBe('Idle');
    expect(reported).toHaveLength(2);
  });
});

describe('addresses of a VRF session', () => {
  const R4 = { prefix: parsePrefix('198.51.100.1/32') ?? fail('prefix') };
  const R6 = { prefix: parsePrefix('2001:db8:5::1/128') ?? fail('prefix') };

  function session(vrf: string | undefined, localAddress: string, routerIdFromConnection = false) {
    const peer = new FakePeer();
    const s = new PeerSession({
      config: CONFIG,
      dial: { peerAddress: '192.0.2.1', peerPort: 179, ...(vrf !== undefined ? { vrf } : {}) },
      connector: peer.connector,
      interfaces: () => INTERFACES,
      links: () => LINKS,
      routerIdFromConnection,
    });
    s.setRoutes([R4, R6]);
    s.start();
    peer.handlers?.onConnect(localAddress);
    const sent = peer.take();
    peer.send(buildOpen({ ...CONFIG, routerId: '192.0.2.1' }));
    peer.send({ type: 'keepalive' });
    const updates = peer.take().filter((m) => m.type === 'update' && endOfRibFamily(m) === undefined);
    return { open: sent.find((m) => m.type === 'open'), updates };
  }
  const mpNextHops = (updates: Message[]) =>
    updates.flatMap((u) =>
      u.type === 'update' ? u.attributes.flatMap((a) => (a.type === 'mp-reach' ? a.nextHops : [])) : [],
    );

  test("takes the other family's next hop from the VRF's interface, not the default table's", () => {
    expect(mpNextHops(session('red', '192.0.2.11').updates)).toEqual(['2001:db8:3::11']);
    expect(mpNextHops(session(undefined, '192.0.2.11').updates)).toEqual(['2001:db8:1::11']);
  });

  test('has no other-family next hop when the VRF device is gone: the IPv4-mapped fallback', () => {
    const peer = new FakePeer();
    const s = new PeerSession({
      config: CONFIG,
      dial: { peerAddress: '192.0.2.1', peerPort: 179, vrf: 'blue' },
      connector: peer.connector,
      interfaces: () => INTERFACES,
      links: () => LINKS,
    });
    s.setRoutes([R6]);
    s.start();
    peer.handlers?.onConnect('192.0.2.11');
    peer.send(buildOpen({ ...CONFIG, routerId: '192.0.2.1' }));
    peer.send({ type: 'keepalive' });
    const updates = peer.take().filter((m) => m.type === 'update' && endOfRibFamily(m) === undefined);
    expect(mpNextHops(updates)).toEqual(['::ffff:c000:20b']);
  });

  test("the OPEN's identifier is the connection's IPv4 address, or the VRF interface's for IPv6", () => {
    const identifier = (open: Message | undefined) => (open?.type === 'open' ? open.bgpId : '');
    expect(identifier(session('red', '203.0.113.75', true).open)).toBe('203.0.113.75');
    expect(identifier(session('red', '2001:db8:3::11', true).open)).toBe('192.0.2.11');
    expect(identifier(session('red', '2001:db8:9::1', true).open)).toBe(CONFIG.routerId);
    expect(identifier(session('red', '203.0.113.75', false).open)).toBe(CONFIG.routerId);
  });
});
