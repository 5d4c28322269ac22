// LazyBgpSessions over real PeerSessions on the loopback, against a BGP listener played by the test: nothing
// is loaded or started while no peer selects the node, and the first peer brings the sessions up as the
// manager itself would.
import { silentLogger } from '../../kube/log';
import { buildOk, node, peer } from '../../testkit/configfixtures';
import { BgpListener } from '../../testkit/bgplistener';
import { LazyBgpSessions } from './bgpsessions';

jest.setTimeout(20_000);

const ROUTER_AS = 64513;

function lazy(): LazyBgpSessions {
  return new LazyBgpSessions({
    bgp: { node: 'n1', nodeAddress: '127.0.0.1', logger: silentLogger() },
    bfd: { logger: silentLogger() },
    startedAt: Date.now(),
    now: () => Date.now(),
  });
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let router: BgpListener | undefined;
let sessions: LazyBgpSessions | undefined;

afterEach(async () => {
  await sessions?.stop();
  await router?.close();
  sessions = undefined;
  router = undefined;
});

test('without a peer nothing is loaded, and stop and shutdown have nothing to do', async () => {
  sessions = lazy();
  expect(sessions.sync([])).toEqual([]);
  sessions.setRoutes('r0', []);
  expect(sessions.peers()).toEqual([]);
  expect(sessions.isLoaded).toBe(false);
  await expect(sessions.shutdown('drain', 0)).resolves.toBeUndefined();
  expect(sessions.isLoaded).toBe(false);
});

test('the first peer loads the sessions and starts one that reaches Established', async () => {
  router = new BgpListener(ROUTER_AS);
  await router.listen();
  const config = buildOk({
    nodes: [node('n1')],
    bgpPeers: [
      peer('r0', {
        myASN: 64512,
        peerASN: ROUTER_AS,
        peerAddress: '127.0.0.1',
        peerPort: router.port,
        holdTime: '9s',
      }),
    ],
  });
  sessions = lazy();
  expect(sessions.sync([...config.peers.values()])).toEqual(['r0']);
  expect(sessions.isLoaded).toBe(true);
  expect(sessions.peers()).toEqual(['r0']);
  const r = router;
  await until('a KEEPALIVE after the OPENs', () =>
    r.live().some((c) => c.received.some((m) => m.type === 'keepalive')),
  );
  // Back to no peers: the session goes (its connection closes), the loaded manager stays.
  expect(sessions.sync([])).toEqual([]);
  expect(sessions.peers()).toEqual([]);
  await until('the session closed', () => r.live().length === 0);
  expect(sessions.isLoaded).toBe(true);
});
