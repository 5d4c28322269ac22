import { captureLogger } from '../../testkit/capturedlogger';
import { expectedBFD, expectedPeer } from '../../testkit/configfixtures';
import { BfdManager, DEFAULT_MINIMUM_TTL, bfdSpecFor, routeSource } from './manager';

const base = { name: 'p', myASN: 64500, peerASN: 64501, address: '192.0.2.1' };

test('a peer without a bfdProfile has no BFD session', () => {
  expect(bfdSpecFor(expectedPeer(base))).toBeUndefined();
});

test('unset profile fields take the upstream defaults: 300 ms, x3, active, minimumTtl 254', () => {
  expect(bfdSpecFor(expectedPeer({ ...base, bfdProfile: expectedBFD({ name: 'b' }) }))).toEqual({
    ok: true,
    spec: {
      peerAddress: '192.0.2.1',
      multihop: false,
      minimumTtl: DEFAULT_MINIMUM_TTL,
      txIntervalMs: 300,
      rxIntervalMs: 300,
      detectMultiplier: 3,
      isPassive: false,
    },
  });
});

test('profile values, the source address and eBGP multihop carry over', () => {
  const profile = expectedBFD({
    name: 'b',
    receiveInterval: 100,
    transmitInterval: 200,
    detectMultiplier: 5,
    passiveMode: true,
    minimumTtl: 250,
  });
  const r = bfdSpecFor(
    expectedPeer({ ...base, sourceAddress: '192.0.2.2', ebgpMultiHop: true, bfdProfile: profile }),
  );
  expect(r).toEqual({
    ok: true,
    spec: {
      peerAddress: '192.0.2.1',
      localAddress: '192.0.2.2',
      multihop: true,
      minimumTtl: 250,
      txIntervalMs: 200,
      rxIntervalMs: 100,
      detectMultiplier: 5,
      isPassive: true,
    },
  });
});

test('echo mode is refused with the profile named', () => {
  const r = bfdSpecFor(expectedPeer({ ...base, bfdProfile: expectedBFD({ name: 'e', echoMode: true }) }));
  expect(r).toEqual({ ok: false, reason: 'BFDProfile e: echo mode is not implemented' });
});

test("a peer's VRF carries over: both sockets are bound to it", () => {
  const r = bfdSpecFor(expectedPeer({ ...base, vrf: 'red', bfdProfile: expectedBFD({ name: 'b' }) }));
  expect(r?.ok === true && r.spec.vrf).toBe('red');
  expect(bfdSpecFor(expectedPeer({ ...base, bfdProfile: expectedBFD({ name: 'b' }) }))).not.toHaveProperty(
    'spec.vrf',
  );
});

describe('a peer whose VRF device is missing', () => {
  it('logs one warning naming peer and VRF, retries quietly while wanted, and stops retrying on stop', async () => {
    const log = captureLogger('info');
    const asked: (string | undefined)[] = [];
    const manager = new BfdManager({
      logger: log.logger,
      onDown: () => undefined,
      vrfRetryMs: 20,
      // The real lookup: a UDP socket bound to the (missing) device, connected.
      sourceFor: (peer, vrf) => {
        asked.push(vrf);
        return routeSource(peer, vrf);
      },
    });
    const peer = expectedPeer({ ...base, vrf: 'ilb-novrf', bfdProfile: expectedBFD({ name: 'b' }) });
    manager.sync([peer]);
    await new Promise((r) => setTimeout(r, 200));
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(new Set(asked)).toEqual(new Set(['ilb-novrf']));
    expect(manager.peers()).toEqual([]);
    expect(log.lines().filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'cannot open the BFD socket for this peer, retrying',
        peer: 'p',
        vrf: 'ilb-novrf',
        error: 'peer 192.0.2.1: VRF device "ilb-novrf" does not exist on this node',
      }),
    ]);
    manager.stop();
    const after = asked.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(asked.length).toBe(after);
  });
});
