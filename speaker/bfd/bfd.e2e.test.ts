// speaker/bfd against FRR bfdd 8.4 over real UDP in two network namespaces (testkit/bfd/frrpair.ts): the
// session comes Up in FRR's `show bfd peers` with the profile's 100 ms x 3, a cut link is detected on both
// sides within about the detection time, the session comes back with the link, and a stopped speaker is seen
// by FRR as AdminDown (RFC 5880 6.8.16), not as a failure. Needs root.
import { startFrrPair, until, type FrrPair } from '../../testkit/bfd/frrpair';

jest.setTimeout(60_000);
let pair: FrrPair;

beforeAll(async () => {
  pair = await startFrrPair({ rx: 100, tx: 100, mult: 3 });
});
afterAll(() => pair?.close());

test('comes Up in FRR with the negotiated 100 ms timers', async () => {
  await until('ironlb Up', () => pair.events.some((e) => e.event === 'up'));
  await until('FRR Up', () => pair.frrPeer()?.status === 'up');
  const frr = pair.frrPeer();
  expect(frr?.['remote-receive-interval']).toBe(100);
  expect(frr?.['remote-transmit-interval']).toBe(100);
});

test('a cut link is detected on both sides within the detection time, and the session returns', async () => {
  const mark = pair.events.length;
  const cut = pair.setLink(false);
  const frrDown = await until('FRR Down', () => pair.frrPeer()?.status === 'down', 5000, 5);
  await until('ironlb Down', () => pair.events.slice(mark).some((e) => e.event === 'down'), 5000);
  const ours = (pair.events.slice(mark).find((e) => e.event === 'down')?.at ?? NaN) - cut;
  // 3 x 100 ms after the last packet, which came at most one interval before the cut; slack for scheduling.
  expect(ours).toBeLessThan(450);
  expect(frrDown - cut).toBeLessThan(450);
  expect(pair.frrPeer()?.diagnostic).toBe('control detection time expired');
  pair.setLink(true);
  await until('ironlb Up again', () => pair.events.slice(mark).some((e) => e.event === 'up'), 5000);
  await until('FRR Up again', () => pair.frrPeer()?.status === 'up', 5000);
});

test('a stopped speaker shows in FRR as remote AdminDown', async () => {
  pair.stopSpeaker();
  await until('FRR Down', () => pair.frrPeer()?.status === 'down', 5000);
  expect(pair.frrPeer()?.['remote-diagnostic']).toBe('administratively down');
});
