// BGPSessionManager with real PeerSessions over TCP on the loopback, against small BGP listeners played by
// the test (OPEN, KEEPALIVE, then record what arrives): sessions start per peer, survive an unrelated
// change, restart only when their own peer changes, close with a Cease when the peer goes, and carry the
// routes they are given.
import type { Peer } from '../../config/types';
import { silentLogger } from '../../kube/log';
import { captureLogger } from '../../testkit/capturedlogger';
import { buildOk, node, peer } from '../../testkit/configfixtures';
import { BgpListener as Router } from '../../testkit/bgplistener';
import { formatPrefix, parsePrefix } from './codec/prefix';
import { IPV4_UNICAST } from './fsm/open';
import { BGPSessionManager, type SessionObserver } from './manager';
import type { SessionStats } from './session/session';

jest.setTimeout(20_000);

const ROUTER_AS = 64513;

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function peersFor(routers: Router[], extra: Record<number, Record<string, unknown>> = {}): Peer[] {
  const config = buildOk({
    nodes: [node('n1')],
    bgpPeers: routers.map((r, i) =>
      peer(`r${i}`, {
        myASN: 64512,
        peerASN: ROUTER_AS,
        peerAddress: '127.0.0.1',
        peerPort: r.port,
        holdTime: '9s',
        ...(extra[i] ?? {}),
      }),
    ),
  });
  return [...config.peers.values()];
}

class Stats implements SessionObserver {
  readonly last = new Map<string, SessionStats>();
  readonly removedLabels: string[] = [];
  changed(peerName: string, _label: string, stats: SessionStats): void {
    this.last.set(peerName, stats);
  }
  removed(peerName: string, label: string): void {
    this.last.delete(peerName);
    this.removedLabels.push(label);
  }
}

let routers: Router[] = [];

let manager: BGPSessionManager | undefined;

beforeEach(async () => {
  routers = [new Router(ROUTER_AS), new Router(ROUTER_AS)];
  for (const r of routers) await r.listen();
});

afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  for (const r of routers) await r.close();
});

function start(observer?: SessionObserver): BGPSessionManager {
  manager = new BGPSessionManager({
    node: 'n1',
    nodeAddress: '192.0.2.21',
    logger: silentLogger(),
    ...(observer ? { observer } : {}),
  });
  return manager;
}

const opens = (r: Router) => r.connections.flatMap((c) => c.received.filter((m) => m.type === 'open'));

describe('BGPSessionManager', () => {
  it('opens one session per peer with the OPEN the peer config asks for', async () => {
    const stats = new Stats();
    const m = start(stats);
    expect(m.sync(peersFor(routers))).toEqual(['r0', 'r1']);
    await until('both Established', () =>
      ['r0', 'r1'].every((p) => stats.last.get(p)?.state === 'Established'),
    );
    for (const r of routers) {
      expect(opens(r)).toEqual([expect.objectContaining({ myAs: 64512, holdTime: 9, bgpId: '192.0.2.21' })]);
    }
    expect(m.peers()).toEqual(['r0', 'r1']);
  });

  it('leaves sessions alone when nothing about them changed, and restarts only the changed one', async () => {
    const m = start();
    m.sync(peersFor(routers));
    await until('two connections', () => routers.every((r) => r.live().length === 1));
    expect(m.sync(peersFor(routers))).toEqual([]);
    expect(m.sync(peersFor(routers, { 1: { holdTime: '30s' } }))).toEqual(['r1']);
    await until(
      'r1 reconnected',
      () => routers[1]?.live().length === 1 && routers[1].connections.length === 2,
    );
    expect(routers[0]?.connections.length).toBe(1);
    expect(routers[0]?.live().length).toBe(1);
    expect(opens(routers[1] as Router).map((o) => o.type === 'open' && o.holdTime)).toEqual([9, 30]);
  });

  it('closes the session of a removed peer with a Cease and forgets its metrics', async () => {
    const stats = new Stats();
    const m = start(stats);
    m.sync(peersFor(routers));
    await until('established', () => stats.last.get('r1')?.state === 'Established');
    const [first, second] = routers;
    if (first === undefined || second === undefined) throw new Error('routers');
    m.sync(peersFor([first]));
    await until('r1 closed', () => second.live().length === 0);
    const last = second.connections[0]?.received.at(-1);
    expect(last).toMatchObject({ type: 'notification', code: 6 });
    expect(stats.removedLabels).toEqual([`127.0.0.1:${second.port}`]);
    expect(m.peers()).toEqual(['r0']);
    expect(first.live().length).toBe(1);
  });

  it('drops the session of a peer whose BFD went down with Cease / BFD Down (10), and restarts it', async () => {
    const stats = new Stats();
    const m = start(stats);
    m.sync(peersFor(routers));
    await until('established', () => stats.last.get('r1')?.state === 'Established');
    const [first, second] = routers;
    if (first === undefined || second === undefined) throw new Error('routers');
    m.bfdDown('r1');
    await until('r1 dropped', () => second.connections[0]?.closed === true);
    expect(second.connections[0]?.received.at(-1)).toMatchObject({
      type: 'notification',
      code: 6,
      subcode: 10,
    });
    await until('r1 back', () => second.connections.length === 2 && second.live().length === 1, 8000);
    expect(first.connections.length).toBe(1);
    expect(m.peers()).toEqual(['r0', 'r1']);
  });

  it('hands each session its own routes: the other peer holds none', async () => {
    const stats = new Stats();
    const m = start(stats);
    m.sync(peersFor(routers));
    await until('established', () => stats.last.get('r0')?.state === 'Established');
    const p = parsePrefix('198.51.100.10/32');
    if (p === undefined) throw new Error('prefix');
    m.setRoutes('r0', [{ prefix: p, communities: [64512 * 65536 + 1] }]);
    const r0 = routers[0] as Router;
    await until(
      'an UPDATE',
      () => r0.connections[0]?.received.some((msg) => msg.type === 'update' && msg.nlri.length > 0) ?? false,
    );
    const update = r0.connections[0]?.received.find((msg) => msg.type === 'update' && msg.nlri.length > 0);
    expect(update?.type === 'update' && update.nlri.map(formatPrefix)).toEqual(['198.51.100.10/32']);
    await until('announced counted', () => stats.last.get('r0')?.announced === 1);
    expect(stats.last.get('r1')?.announced).toBe(0);
  });
});

describe('BGPSessionManager.shutdown', () => {
  const GRACEFUL_SHUTDOWN = 0xffff0000;
  let grRouter: Router;
  let plainRouter: Router;
  let grPeers: Peer[];

  beforeEach(async () => {
    grRouter = new Router(ROUTER_AS, IPV4_UNICAST, { restartTime: 120, notification: true });
    plainRouter = new Router(ROUTER_AS);
    await grRouter.listen();
    await plainRouter.listen();
    grPeers = peersFor([grRouter, plainRouter], { 0: { enableGracefulRestart: true } });
  });
  afterEach(async () => {
    await grRouter.close();
    await plainRouter.close();
  });

  async function running(): Promise<BGPSessionManager> {
    const stats = new Stats();
    const m = start(stats);
    m.sync(grPeers);
    await until('both Established', () =>
      ['r0', 'r1'].every((p) => stats.last.get(p)?.state === 'Established'),
    );
    const p = parsePrefix('198.51.100.10/32');
    if (p === undefined) throw new Error('prefix');
    m.setRoutes('r0', [{ prefix: p }]);
    m.setRoutes('r1', [{ prefix: p }]);
    await until('both hold the route', () =>
      [grRouter, plainRouter].every((r) => r.announced().includes('198.51.100.10/32')),
    );
    return m;
  }
  const last = (r: Router) => r.connections[0]?.received.at(-1);
  const shutdownCommunity = (r: Router) =>
    r.connections[0]?.received.some(
      (msg) =>
        msg.type === 'update' &&
        msg.attributes.some((a) => a.type === 'communities' && a.communities.includes(GRACEFUL_SHUTDOWN)),
    );

  it('on a restart closes a graceful-restart session silently and shuts the other down gracefully', async () => {
    const m = await running();
    const started = Date.now();
    await m.shutdown('restart', 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await until('both closed', () => grRouter.live().length === 0 && plainRouter.live().length === 0);
    // RFC 4724 4: no NOTIFICATION, so the router keeps the routes stale; the last message is our UPDATE.
    expect(last(grRouter)?.type).not.toBe('notification');
    expect(shutdownCommunity(grRouter)).toBe(false);
    // RFC 8326: GRACEFUL_SHUTDOWN first, then Cease / Administrative Shutdown.
    expect(shutdownCommunity(plainRouter)).toBe(true);
    expect(last(plainRouter)).toMatchObject({ type: 'notification', code: 6, subcode: 2 });
    expect(m.peers()).toEqual([]);
  });

  it('on a drain shuts every session down gracefully; with the N bit negotiated the Cease is a Hard Reset', async () => {
    const m = await running();
    await m.shutdown('drain', 100);
    await until('both closed', () => grRouter.live().length === 0 && plainRouter.live().length === 0);
    expect(shutdownCommunity(grRouter)).toBe(true);
    // RFC 8538 3: Hard Reset (6/9) encapsulating Cease / Administrative Shutdown (6/2) with its communication.
    const hard = last(grRouter);
    expect(hard).toMatchObject({ type: 'notification', code: 6, subcode: 9 });
    expect(hard?.type === 'notification' && [...hard.data.subarray(0, 2)]).toEqual([6, 2]);
    expect(last(plainRouter)).toMatchObject({ type: 'notification', code: 6, subcode: 2 });
  });

  it('with no wait sends no GRACEFUL_SHUTDOWN, only the Cease', async () => {
    const m = await running();
    await m.shutdown('drain', 0);
    await until('both closed', () => grRouter.live().length === 0 && plainRouter.live().length === 0);
    expect(shutdownCommunity(plainRouter)).toBe(false);
    expect(last(plainRouter)).toMatchObject({ type: 'notification', code: 6 });
  });
});

describe('a peer in a VRF', () => {
  it('dials bound to the device and takes the router ID from the connection (lo stands in for the VRF)', async () => {
    const stats = new Stats();
    const m = start(stats);
    const [r0] = routers;
    if (r0 === undefined) throw new Error('no router');
    m.sync(peersFor([r0], { 0: { vrf: 'lo' } }));
    await until('Established', () => stats.last.get('r0')?.state === 'Established');
    // Not the node's address 192.0.2.21: that is in the default table.
    expect(opens(r0)).toEqual([expect.objectContaining({ bgpId: '127.0.0.1' })]);
  });
});

describe('a peer in a VRF the node lacks', () => {
  it('stays Idle, logs one warning naming peer and VRF while it retries, and never dials', async () => {
    const stats = new Stats();
    const log = captureLogger('info');
    manager = new BGPSessionManager({ node: 'n1', logger: log.logger, observer: stats });
    const [r0] = routers;
    if (r0 === undefined) throw new Error('no router');
    manager.sync(peersFor([r0], { 0: { vrf: 'ilb-novrf' } }));
    // The backoff's first two retries: 1 s, then 2 s (x0.75-1 jitter).
    await new Promise((r) => setTimeout(r, 3500));
    expect(stats.last.get('r0')).toMatchObject({
      state: 'Idle',
      lastError: 'tcp connection failed: peer 127.0.0.1: VRF device "ilb-novrf" does not exist on this node',
    });
    const warnings = log.lines().filter((l) => l.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: 'cannot dial BGP peer, retrying with backoff',
        peer: 'r0',
        vrf: 'ilb-novrf',
        error: 'peer 127.0.0.1: VRF device "ilb-novrf" does not exist on this node',
      }),
    ]);
    expect(r0.connections).toHaveLength(0);
  });
});
