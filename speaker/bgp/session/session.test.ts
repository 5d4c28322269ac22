// The session shell driven through an in-memory connection by a hand-played peer: what goes on the wire for
// each step of a session's life, and what a hostile peer gets back. Timers are jest's fake ones.
import { ErrorCode, MessageHeaderSubcode } from '../codec/codes';
import { type Message, encode } from '../codec/message';
import { parsePrefix, type Prefix } from '../codec/prefix';
import { endOfRibFamily } from '../codec/update';
import { IPV4_UNICAST, IPV6_UNICAST, type SessionConfig, buildOpen } from '../fsm/open';
import { FakePeer } from '../../../testkit/bgp/fakepeer';
import { GRACEFUL_SHUTDOWN, PeerSession, type Route } from './session';

const CONFIG: SessionConfig = {
  localAs: 64512,
  peerAs: 64512,
  routerId: '192.0.2.1',
  holdTime: 9,
  connectRetryTime: 10,
  families: [IPV4_UNICAST, IPV6_UNICAST],
};
const PEER_OPEN = buildOpen({ ...CONFIG, routerId: '192.0.2.2' });

function prefix(text: string): Prefix {
  return parsePrefix(text) ?? fail(text);
}

/** A session dialled and connected, its OPEN sent, waiting for the peer's. */
function connected(
  config: SessionConfig = CONFIG,
  restarting?: () => boolean,
  routes?: Route[],
): { peer: FakePeer; session: PeerSession } {
  const peer = new FakePeer();
  const session = new PeerSession({
    config,
    dial: { peerAddress: '192.0.2.2', peerPort: 179 },
    connector: peer.connector,
    random: () => 0,
    ...(restarting !== undefined ? { restarting } : {}),
  });
  if (routes !== undefined) session.setRoutes(routes);
  session.start();
  peer.handlers?.onConnect('192.0.2.1');
  return { peer, session };
}

function established(
  routes: Route[] = [],
  config: SessionConfig = CONFIG,
): { peer: FakePeer; session: PeerSession } {
  const { peer, session } = connected(config, undefined, routes);
  peer.send(config === CONFIG ? PEER_OPEN : buildOpen({ ...config, routerId: '192.0.2.2' }));
  peer.send({ type: 'keepalive' });
  return { peer, session };
}

const R1: Route = { prefix: prefix('198.51.100.1/32'), localPref: 200, communities: [0xfde80064] };
const R2: Route = { prefix: prefix('198.51.100.2/32'), localPref: 200, communities: [0xfde80064] };
const R6: Route = {
  prefix: prefix('2001:db8:5::1/128'),
  largeCommunities: [{ global: 64512, local1: 1, local2: 2 }],
};

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('dials, sends OPEN, then on Established the whole table in one UPDATE per family and both End-of-RIBs', () => {
  const { peer, session } = established([R1, R2, R6]);
  expect(session.state).toBe('Established');
  const sent = peer.take();
  expect(sent.map((m) => m.type)).toEqual(['open', 'keepalive', 'update', 'update', 'update', 'update']);
  const [, , v4, v6, eor4, eor6] = sent;
  expect(v4).toMatchObject({ nlri: [R1.prefix, R2.prefix] });
  expect(v4?.type === 'update' && v4.attributes).toEqual(
    expect.arrayContaining([
      { type: 'next-hop', nextHop: '192.0.2.1' },
      { type: 'local-pref', localPref: 200 },
      { type: 'as-path', segments: [] },
    ]),
  );
  expect(v6?.type === 'update' && v6.attributes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ type: 'mp-reach', nextHops: ['::ffff:c000:201'], nlri: [R6.prefix] }),
    ]),
  );
  expect(eor4?.type === 'update' && endOfRibFamily(eor4)).toEqual({ afi: 1, safi: 1 });
  expect(eor6?.type === 'update' && endOfRibFamily(eor6)).toEqual({ afi: 2, safi: 1 });
  expect(session.stats()).toMatchObject({ announced: 3, pending: 0, updatesSent: 2 });
});

test('a change of the wanted routes sends only the difference', () => {
  const { peer, session } = established([R1, R2]);
  peer.take();
  session.setRoutes([R1, R2]);
  expect(peer.take()).toEqual([]);
  session.setRoutes([R1, { ...R2, localPref: 50 }]);
  expect(peer.take()).toEqual([expect.objectContaining({ nlri: [R2.prefix] })]);
  session.setRoutes([]);
  expect(peer.take()).toEqual([expect.objectContaining({ withdrawn: [R1.prefix, R2.prefix], nlri: [] })]);
  expect(session.stats()).toMatchObject({ announced: 0, pending: 0 });
});

test('routes of one shape share an UPDATE; each other shape keeps its own LOCAL_PREF and communities', () => {
  const R3: Route = { prefix: prefix('198.51.100.3/32'), localPref: 200, communities: [0xfde80065] };
  const R4: Route = { prefix: prefix('198.51.100.4/32'), localPref: 100, communities: [0xfde80064] };
  const R5: Route = {
    prefix: prefix('198.51.100.5/32'),
    largeCommunities: [{ global: 1, local1: 2, local2: 3 }],
  };
  const R7: Route = {
    prefix: prefix('198.51.100.7/32'),
    largeCommunities: [{ global: 1, local1: 2, local2: 4 }],
  };
  const { peer } = established([R1, R2, R3, R4, R5, R7]);
  const updates = peer.take().filter((m) => m.type === 'update' && m.nlri.length > 0);
  const attrs = (nlri: Prefix) => {
    const u = updates.find((m) => m.type === 'update' && m.nlri.some((p) => p.address === nlri.address));
    return u?.type === 'update' ? { nlri: u.nlri, attributes: u.attributes } : undefined;
  };
  expect(updates).toHaveLength(5);
  expect(attrs(R1.prefix)?.nlri).toEqual([R1.prefix, R2.prefix]);
  expect(attrs(R3.prefix)?.attributes).toContainEqual({ type: 'communities', communities: [0xfde80065] });
  expect(attrs(R4.prefix)?.attributes).toContainEqual({ type: 'local-pref', localPref: 100 });
  expect(attrs(R5.prefix)?.attributes).not.toEqual(attrs(R7.prefix)?.attributes);
});

test('an external peer gets our AS in the path and no LOCAL_PREF', () => {
  const peer = new FakePeer();
  const config = { ...CONFIG, peerAs: 64513 };
  const session = new PeerSession({
    config,
    dial: { peerAddress: '192.0.2.2', peerPort: 179 },
    connector: peer.connector,
  });
  session.setRoutes([R1]);
  session.start();
  peer.handlers?.onConnect('192.0.2.1');
  peer.send(buildOpen({ ...CONFIG, localAs: 64513, routerId: '192.0.2.2' }));
  peer.send({ type: 'keepalive' });
  const update = peer.take()[2];
  expect(update?.type === 'update' && update.attributes.map((a) => a.type)).not.toContain('local-pref');
  expect(update?.type === 'update' && update.attributes).toContainEqual({
    type: 'as-path',
    segments: [{ type: 'sequence', asns: [64512] }],
  });
});

test('routes wanted while the session is down are pending and go out on Established', () => {
  const peer = new FakePeer();
  const session = new PeerSession({
    config: CONFIG,
    dial: { peerAddress: '192.0.2.2', peerPort: 179 },
    connector: peer.connector,
  });
  session.start();
  session.setRoutes([R1]);
  expect(session.stats()).toMatchObject({ state: 'Connect', pending: 1, announced: 0 });
});

test('garbage gets Message Header Error / Connection Not Synchronized and the connection closes', () => {
  const { peer, session } = established();
  peer.take();
  peer.send(Buffer.alloc(19, 0));
  expect(peer.take()).toEqual([
    expect.objectContaining({
      type: 'notification',
      code: ErrorCode.MessageHeaderError,
      subcode: MessageHeaderSubcode.ConnectionNotSynchronized,
    }),
  ]);
  expect(peer.closed).toBe(1);
  expect(session.state).toBe('Idle');
});

test('an oversized length gets Bad Message Length with the length as data', () => {
  const { peer } = established();
  peer.take();
  const big = Buffer.alloc(19, 0xff);
  big.writeUInt16BE(5000, 16);
  big[18] = 2;
  peer.send(big);
  expect(peer.take()).toEqual([
    expect.objectContaining({
      code: ErrorCode.MessageHeaderError,
      subcode: MessageHeaderSubcode.BadMessageLength,
      data: Uint8Array.of(0x13, 0x88),
    }),
  ]);
});

test('a message split across reads is reassembled; a truncated one is waited for, not refused', () => {
  const { peer, session } = established();
  peer.take();
  const ka = encode({ type: 'keepalive' });
  peer.send(ka.subarray(0, 7));
  peer.send(ka.subarray(7));
  peer.send(ka.subarray(0, 10));
  expect(peer.take()).toEqual([]);
  expect(session.state).toBe('Established');
});

test('the hold timer is enforced on receive: silence for the hold time sends Hold Timer Expired', () => {
  const { peer, session } = established();
  peer.take();
  jest.advanceTimersByTime(8000);
  peer.send({ type: 'keepalive' }); // restarts the hold timer
  jest.advanceTimersByTime(8000);
  expect(session.state).toBe('Established');
  jest.advanceTimersByTime(1100);
  expect(peer.take().filter((m) => m.type === 'notification')).toEqual([
    expect.objectContaining({ code: ErrorCode.HoldTimerExpired }),
  ]);
  expect(session.state).toBe('Idle');
});

test('keepalives go out every third of the hold time', () => {
  const { peer } = established();
  peer.take();
  jest.advanceTimersByTime(3000);
  expect(peer.take()).toEqual([{ type: 'keepalive' }]);
});

test('after a failure it redials after the backoff (1 s first)', () => {
  const { peer } = established();
  peer.handlers?.onClose();
  expect(peer.dials).toBe(1);
  jest.advanceTimersByTime(999);
  expect(peer.dials).toBe(1);
  jest.advanceTimersByTime(2);
  expect(peer.dials).toBe(2);
});

test('a connect that does not complete within connectRetryTime is abandoned and redialled', () => {
  const peer = new FakePeer();
  const session = new PeerSession({
    config: CONFIG,
    dial: { peerAddress: '192.0.2.2', peerPort: 179 },
    connector: peer.connector,
  });
  session.start();
  jest.advanceTimersByTime(10_001);
  expect(peer.dials).toBe(2);
  expect(peer.closed).toBe(1);
});

test('stop sends Cease / Administrative Shutdown and does not redial', async () => {
  const { peer, session } = established();
  peer.take();
  await session.stop('bye');
  expect(peer.take()).toEqual([
    expect.objectContaining({ type: 'notification', code: ErrorCode.Cease, subcode: 2 }),
  ]);
  jest.advanceTimersByTime(300_000);
  expect(peer.dials).toBe(1);
});

test('stopForRestart closes TCP without a NOTIFICATION when graceful restart was negotiated (RFC 4724 4)', async () => {
  const gr: SessionConfig = { ...CONFIG, gracefulRestart: { restartTime: 120, forwarding: true } };
  const { peer, session } = established([], gr);
  expect(session.state).toBe('Established');
  peer.take();
  await session.stopForRestart();
  expect(peer.take()).toEqual([]);
  expect(peer.closed).toBe(1);
  jest.advanceTimersByTime(300_000);
  expect(peer.dials).toBe(1);
});

test('stopForRestart without negotiated graceful restart sends Cease like stop', async () => {
  const { peer, session } = established();
  peer.take();
  await session.stopForRestart();
  expect(peer.take()).toEqual([
    expect.objectContaining({ type: 'notification', code: ErrorCode.Cease, subcode: 2 }),
  ]);
});

test('graceful shutdown re-announces every route with 65535:0 (RFC 8326)', () => {
  const { peer, session } = established([R1]);
  peer.take();
  session.beginGracefulShutdown();
  const [update] = peer.take();
  expect(update?.type === 'update' && update.attributes).toContainEqual({
    type: 'communities',
    communities: [0xfde80064, GRACEFUL_SHUTDOWN],
  });
});

describe('graceful restart (RFC 4724, RFC 8538)', () => {
  const GR: SessionConfig = {
    ...CONFIG,
    gracefulRestart: { restartTime: 120, forwarding: true, notification: true },
  };
  const grOf = (m: Message | undefined) =>
    m?.type === 'open'
      ? m.parameters
          .flatMap((p) => (p.type === 'capabilities' ? p.capabilities : []))
          .find((c) => c.kind === 'graceful-restart')
      : undefined;

  const dialled = (restarting: () => boolean, config: SessionConfig = GR) => connected(config, restarting);
  const peerOpen = (notification: boolean) =>
    buildOpen({ ...GR, routerId: '192.0.2.2', gracefulRestart: { restartTime: 120, notification } });

  test('the OPEN carries restart time 120 s and the F bit for every offered family', () => {
    const { peer } = dialled(() => false);
    expect(grOf(peer.take()[0])).toEqual({
      kind: 'graceful-restart',
      restarting: false,
      notification: true,
      restartTime: 120,
      families: [
        { ...IPV4_UNICAST, forwarding: true },
        { ...IPV6_UNICAST, forwarding: true },
      ],
    });
  });

  test('a restarting speaker sets the R bit on every OPEN until the session is first Established', () => {
    const { peer } = dialled(() => true);
    expect(grOf(peer.take()[0])).toMatchObject({ restarting: true });
    peer.handlers?.onClose(); // failed before Established: the next OPEN is still the first session's
    jest.advanceTimersByTime(1001);
    peer.handlers?.onConnect('192.0.2.1');
    expect(grOf(peer.take()[0])).toMatchObject({ restarting: true });
    peer.send(peerOpen(true));
    peer.send({ type: 'keepalive' });
    peer.handlers?.onClose(); // a later session of the same process is no restart
    jest.advanceTimersByTime(1001);
    peer.handlers?.onConnect('192.0.2.1');
    expect(grOf(peer.take().find((m) => m.type === 'open'))).toMatchObject({ restarting: false });
  });

  test('without graceful restart configured there is no capability, restarting or not', () => {
    const { peer } = dialled(() => true, CONFIG);
    expect(grOf(peer.take()[0])).toBeUndefined();
  });

  test('End-of-RIB waits for the first setRoutes, so a restarted speaker never ends the stale wait empty', () => {
    const { peer, session } = dialled(() => true);
    peer.send(peerOpen(false));
    peer.send({ type: 'keepalive' });
    expect(session.state).toBe('Established');
    expect(peer.take().map((m) => m.type)).toEqual(['open', 'keepalive']);
    session.setRoutes([R1, R6]);
    const sent = peer.take();
    expect(sent.map((m) => m.type)).toEqual(['update', 'update', 'update', 'update']);
    expect(sent.slice(2).map((m) => m.type === 'update' && endOfRibFamily(m))).toEqual([
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ]);
    session.setRoutes([R1]);
    expect(peer.take().filter((m) => m.type === 'update' && endOfRibFamily(m) !== undefined)).toEqual([]);
  });

  test('with the N bit negotiated, stop sends Cease / Hard Reset encapsulating Cease / Administrative Shutdown (RFC 8538 3)', async () => {
    const { peer, session } = dialled(() => false);
    peer.send(peerOpen(true));
    peer.send({ type: 'keepalive' });
    peer.take();
    await session.stop('bye');
    expect(peer.take()).toEqual([
      {
        type: 'notification',
        code: ErrorCode.Cease,
        subcode: 9,
        data: Uint8Array.from([6, 2, 3, ...Buffer.from('bye')]),
      },
    ]);
  });

  test('with the N bit negotiated, an automatic stop (BFD Down) is a Hard Reset too', () => {
    const { peer, session } = dialled(() => false);
    peer.send(peerOpen(true));
    peer.send({ type: 'keepalive' });
    peer.take();
    session.automaticStop(10);
    expect(peer.take()).toEqual([
      { type: 'notification', code: ErrorCode.Cease, subcode: 9, data: Uint8Array.of(6, 10) },
    ]);
  });

  test('when only one side sets the N bit, stop is a plain Cease / Administrative Shutdown', async () => {
    const { peer, session } = dialled(() => false);
    peer.send(peerOpen(false));
    peer.send({ type: 'keepalive' });
    peer.take();
    await session.stop();
    expect(peer.take()).toEqual([
      { type: 'notification', code: ErrorCode.Cease, subcode: 2, data: new Uint8Array(0) },
    ]);
  });
});

describe('dual-stack sessions (RFC 4760, RFC 2545)', () => {
  const info = (address: string) =>
    address.includes(':')
      ? { address, family: 'IPv6' as const, internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 }
      : { address, family: 'IPv4' as const, internal: false, netmask: '', mac: '', cidr: null };
  const interfaces = () => ({ eth0: [info('192.0.2.1'), info('fe80::1'), info('2001:db8:1::1')] });

  function dualStack(localAddress: string, families = [IPV4_UNICAST, IPV6_UNICAST]) {
    const peer = new FakePeer();
    const config = { ...CONFIG, families };
    const session = new PeerSession({
      config,
      dial: { peerAddress: '192.0.2.2', peerPort: 179 },
      connector: peer.connector,
      interfaces,
    });
    session.setRoutes([R1, R6]);
    session.start();
    peer.handlers?.onConnect(localAddress);
    peer.send(buildOpen({ ...config, routerId: '192.0.2.2' }));
    peer.send({ type: 'keepalive' });
    const updates = peer.take().filter((m) => m.type === 'update' && endOfRibFamily(m) === undefined);
    return { session, updates };
  }
  const attrs = (m: Message | undefined) => (m?.type === 'update' ? m.attributes : []);

  test("an IPv4 session carries IPv6 prefixes in MP_REACH with the interface's global IPv6 address", () => {
    const { updates, session } = dualStack('192.0.2.1');
    expect(updates).toHaveLength(2);
    expect(attrs(updates[0])).toContainEqual({ type: 'next-hop', nextHop: '192.0.2.1' });
    expect(attrs(updates[1])).toContainEqual(
      expect.objectContaining({ type: 'mp-reach', nextHops: ['2001:db8:1::1'], nlri: [R6.prefix] }),
    );
    expect(session.stats()).toMatchObject({ announced: 2, pending: 0 });
  });

  test("an IPv6 session carries IPv4 prefixes with the interface's IPv4 address as NEXT_HOP", () => {
    const { updates } = dualStack('2001:db8:1::1', [IPV6_UNICAST, IPV4_UNICAST]);
    const v4 = updates.find((u) => u.type === 'update' && u.nlri.length > 0);
    expect(attrs(v4)).toContainEqual({ type: 'next-hop', nextHop: '192.0.2.1' });
    const v6 = updates.find((u) => attrs(u).some((a) => a.type === 'mp-reach'));
    expect(attrs(v6)).toContainEqual(expect.objectContaining({ nextHops: ['2001:db8:1::1'] }));
  });

  test('an IPv4 prefix stays pending on an IPv6 session whose interface has no IPv4 address', () => {
    const peer = new FakePeer();
    const config = { ...CONFIG, families: [IPV6_UNICAST, IPV4_UNICAST] };
    const session = new PeerSession({
      config,
      dial: { peerAddress: '2001:db8:1::2', peerPort: 179 },
      connector: peer.connector,
      interfaces: () => ({ eth0: [info('2001:db8:1::1')] }),
    });
    session.setRoutes([R1, R6]);
    session.start();
    peer.handlers?.onConnect('2001:db8:1::1');
    peer.send(buildOpen({ ...config, routerId: '192.0.2.2' }));
    peer.send({ type: 'keepalive' });
    expect(session.stats()).toMatchObject({ state: 'Established', announced: 1, pending: 1 });
  });
});
