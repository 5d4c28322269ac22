import { expectedBFD, expectedPeer } from '../../testkit/configfixtures';
import { DEFAULT_MINIMUM_TTL, bfdSpecFor } from './manager';

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
