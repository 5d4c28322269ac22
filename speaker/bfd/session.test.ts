import { BfdState, type ControlPacket } from './packet';
import {
  BfdDiag,
  SLOW_TX_INTERVAL,
  adminDown,
  configure,
  createSession,
  detectionTime,
  expire,
  jittered,
  nextDeadline,
  receive,
  type Session,
  type SessionConfig,
  type Step,
  type Transition,
} from './session';

const MS = 1000; // microseconds per millisecond
const fixed = (r: number) => () => r;
const maxJitter = fixed(0.999999);

function config(over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    localDiscriminator: 1,
    desiredMinTxInterval: 100 * MS,
    requiredMinRxInterval: 100 * MS,
    detectMult: 3,
    isPassive: false,
    ...over,
  };
}

// Two sessions joined by a link of `delay` ms that can be cut; a discrete-event loop drives both timers.
class Link {
  now = 0;
  a: Session;
  b: Session;
  cut = false;
  log: { at: number; side: 'a' | 'b'; t: Transition }[] = [];
  sent: { at: number; from: 'a' | 'b'; p: ControlPacket }[] = [];
  private queue: { at: number; to: 'a' | 'b'; p: ControlPacket }[] = [];

  constructor(
    ca: SessionConfig,
    cb: SessionConfig,
    private readonly delay = 1,
    private readonly random = fixed(0.5),
  ) {
    const sa = createSession(ca, 0, random);
    const sb = createSession(cb, 0, random);
    this.a = sa.session;
    this.b = sb.session;
    this.apply('a', sa);
    this.apply('b', sb);
  }

  apply(side: 'a' | 'b', step: Step): void {
    if (side === 'a') this.a = step.session;
    else this.b = step.session;
    for (const t of step.transitions) this.log.push({ at: this.now, side, t });
    for (const p of step.send) {
      this.sent.push({ at: this.now, from: side, p });
      if (!this.cut) this.queue.push({ at: this.now + this.delay, to: side === 'a' ? 'b' : 'a', p });
    }
  }

  run(until: number): void {
    for (;;) {
      const da = nextDeadline(this.a) ?? Infinity;
      const db = nextDeadline(this.b) ?? Infinity;
      const dq = this.queue.reduce((m, e) => Math.min(m, e.at), Infinity);
      const t = Math.min(da, db, dq);
      if (t > until) break;
      this.now = t;
      if (dq === t) {
        const i = this.queue.findIndex((e) => e.at === t);
        const [e] = this.queue.splice(i, 1);
        if (e) this.apply(e.to, receive(e.to === 'a' ? this.a : this.b, e.p, t, this.random));
      } else if (da === t) this.apply('a', expire(this.a, t, this.random));
      else this.apply('b', expire(this.b, t, this.random));
    }
    this.now = until;
  }

  states(): [BfdState, BfdState] {
    return [this.a.state, this.b.state];
  }
}

const A = config({ localDiscriminator: 0x11 });
const B = config({ localDiscriminator: 0x22 });

test('the three-way handshake brings both sides Up within one slow interval', () => {
  const link = new Link(A, B);
  link.run(5);
  expect(link.states()).toEqual([BfdState.Up, BfdState.Up]);
  expect(link.log.map((e) => `${e.side}:${BfdState[e.t.from]}->${BfdState[e.t.to]}`)).toEqual([
    'b:Down->Init',
    'a:Down->Init',
    'a:Init->Up',
    'b:Init->Up',
  ]);
  expect(link.a.remoteDiscriminator).toBe(0x22);
  expect(link.b.remoteDiscriminator).toBe(0x11);
});

test('a session starts at the slow rate of one second (6.8.3) and sends its first packet at once', () => {
  const step = createSession(A, 0, fixed(0.5));
  expect(step.send).toHaveLength(1);
  expect(step.send[0]).toMatchObject({ state: BfdState.Down, yourDiscriminator: 0, myDiscriminator: 0x11 });
  expect(step.send[0]?.desiredMinTxInterval).toBe(SLOW_TX_INTERVAL);
  expect(step.send[0]?.requiredMinRxInterval).toBe(100 * MS);
  expect(step.session.nextTxAt).toBe(875); // 1 s x (0.75 + 0.25 x 0.5)
});

test('going Up switches to the configured interval through a Poll sequence answered with Final', () => {
  const link = new Link(A, B);
  link.run(5);
  const polls = link.sent.filter((s) => s.p.poll);
  const finals = link.sent.filter((s) => s.p.final);
  expect(polls.map((s) => s.from).sort()).toEqual(['a', 'b']);
  expect(finals.map((s) => s.from).sort()).toEqual(['a', 'b']);
  expect(polls.every((s) => s.p.desiredMinTxInterval === 100 * MS)).toBe(true);
  expect(link.a.isPolling).toBe(false);
  expect(link.a.txInUse).toBe(100 * MS);
  link.run(2000);
  // Steady state: about one packet per 100 ms x 0.875 each way, no more polls.
  const late = link.sent.filter((s) => s.at > 1000 && s.from === 'a');
  expect(late.length).toBeGreaterThanOrEqual(10);
  expect(late.length).toBeLessThanOrEqual(12);
  expect(late.every((s) => !s.p.poll && s.p.state === BfdState.Up)).toBe(true);
});

test('a slower Tx waits for the Final before it is used (6.8.3)', () => {
  const link = new Link(A, B, 1);
  link.run(1000);
  link.apply('a', configure(link.a, { ...A, desiredMinTxInterval: 500 * MS }, link.now, fixed(0.5)));
  expect(link.a.isPolling).toBe(true);
  expect(link.a.advertisedTx).toBe(500 * MS);
  expect(link.a.txInUse).toBe(100 * MS);
  link.run(1002);
  expect(link.a.isPolling).toBe(false);
  expect(link.a.txInUse).toBe(500 * MS);
  expect(link.b.remoteDesiredMinTxInterval).toBe(500 * MS);
  expect(detectionTime(link.b)).toBe(1500);
});

test('a smaller Rx keeps the old Rx in the detection time until the Final (6.8.3)', () => {
  const link = new Link(
    config({ localDiscriminator: 1, requiredMinRxInterval: 300 * MS }),
    config({ localDiscriminator: 2 }),
  );
  link.run(1000);
  expect(detectionTime(link.a)).toBe(900);
  link.cut = true; // the Final will not arrive
  link.apply('a', configure(link.a, config({ localDiscriminator: 1 }), link.now, fixed(0.5)));
  expect(link.a.advertisedRx).toBe(100 * MS);
  expect(link.a.rxInUse).toBe(300 * MS);
  expect(detectionTime(link.a)).toBe(900);
});

test('a change during a running Poll starts a second Poll after the Final', () => {
  const link = new Link(A, B, 5);
  link.run(1000);
  link.apply('a', configure(link.a, { ...A, desiredMinTxInterval: 200 * MS }, link.now, fixed(0.5)));
  link.apply('a', configure(link.a, { ...A, desiredMinTxInterval: 400 * MS }, link.now, fixed(0.5)));
  expect(link.a.advertisedTx).toBe(200 * MS);
  link.run(1011);
  expect(link.a.isPolling).toBe(true);
  expect(link.a.advertisedTx).toBe(400 * MS);
  link.run(1100);
  expect(link.a.isPolling).toBe(false);
  expect(link.a.txInUse).toBe(400 * MS);
});

test.each([
  [3, 100, 300],
  [5, 100, 500],
  [2, 300, 600],
])('detection expires at multiplier %i x %i ms after the last packet, with diag 1', (mult, ms, expected) => {
  const ca = config({ localDiscriminator: 1, desiredMinTxInterval: ms * MS, requiredMinRxInterval: ms * MS });
  const cb = { ...ca, localDiscriminator: 2, detectMult: mult };
  const link = new Link(ca, cb, 1);
  link.run(3000);
  link.cut = true;
  const lastFromB = Math.max(...link.sent.filter((s) => s.from === 'b').map((s) => s.at)) + 1;
  link.run(6000);
  const down = link.log.find((e) => e.side === 'a' && e.t.to === BfdState.Down);
  expect(down?.t.diagnostic).toBe(BfdDiag.ControlDetectionTimeExpired);
  expect(down && down.at - lastFromB).toBeCloseTo(expected, 6);
  expect(link.a.remoteDiscriminator).toBe(0);
  expect(link.a.advertisedTx).toBe(SLOW_TX_INTERVAL);
});

test('remote AdminDown takes the session Down with diag 3 (neighbor signaled session down)', () => {
  const link = new Link(A, B);
  link.run(1000);
  link.apply('b', adminDown(link.b, link.now, fixed(0.5)));
  expect(link.b.state).toBe(BfdState.AdminDown);
  expect(link.b.localDiag).toBe(BfdDiag.AdministrativelyDown);
  link.run(1002);
  expect(link.a.state).toBe(BfdState.Down);
  expect(link.a.localDiag).toBe(BfdDiag.NeighborSignaledSessionDown);
  // A stays Down: it does not climb back while B is AdminDown, and B ignores what A sends.
  link.run(5000);
  expect(link.states()).toEqual([BfdState.Down, BfdState.AdminDown]);
});

test('remote Down while Up takes the session Down with diag 3', () => {
  const link = new Link(A, B);
  link.run(1000);
  const p = {
    ...link.sent[link.sent.length - 1]?.p,
    state: BfdState.Down,
    myDiscriminator: 0x22,
  } as ControlPacket;
  const step = receive(link.a, p, link.now, fixed(0.5));
  expect(step.transitions).toEqual([
    { from: BfdState.Up, to: BfdState.Down, diagnostic: BfdDiag.NeighborSignaledSessionDown },
  ]);
  expect(step.send.at(-1)?.state).toBe(BfdState.Down);
});

test('a passive session sends nothing until it hears from the remote (6.1, 6.8.7)', () => {
  const passive = createSession(config({ localDiscriminator: 9, isPassive: true }), 0, fixed(0.5));
  expect(passive.send).toEqual([]);
  expect(nextDeadline(passive.session)).toBeNull();
  expect(expire(passive.session, 10_000, fixed(0.5)).send).toEqual([]);
  const link = new Link(A, config({ localDiscriminator: 0x22, isPassive: true }), 1);
  expect(link.sent.map((s) => s.from)).toEqual(['a']);
  link.run(5);
  expect(link.states()).toEqual([BfdState.Up, BfdState.Up]);
  // One side heard first: Down -> Init -> Up there, Down -> Up (on the Init it hears) on the other.
  expect(link.log.map((e) => `${e.side}:${BfdState[e.t.from]}->${BfdState[e.t.to]}`)).toEqual([
    'b:Down->Init',
    'a:Down->Up',
    'b:Init->Up',
  ]);
});

test('a passive session goes quiet again when detection expires and the remote discriminator is cleared', () => {
  const link = new Link(A, config({ localDiscriminator: 0x22, isPassive: true }), 1);
  link.run(1000);
  link.cut = true;
  link.run(2000);
  expect(link.b.state).toBe(BfdState.Down);
  expect(link.b.nextTxAt).toBeNull();
  const count = link.sent.filter((s) => s.from === 'b').length;
  link.run(10_000);
  expect(link.sent.filter((s) => s.from === 'b').length).toBe(count);
});

test('no periodic packets while the remote asks for Required Min RX 0 (6.8.7)', () => {
  const s = createSession(A, 0, fixed(0.5)).session;
  const p: ControlPacket = {
    diagnostic: 0,
    state: BfdState.Down,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    detectMult: 3,
    myDiscriminator: 7,
    yourDiscriminator: 0,
    desiredMinTxInterval: SLOW_TX_INTERVAL,
    requiredMinRxInterval: 0,
    requiredMinEchoRxInterval: 0,
  };
  const step = receive(s, p, 1, fixed(0.5));
  expect(step.session.state).toBe(BfdState.Init);
  expect(step.session.nextTxAt).toBeNull();
  expect(step.send).toEqual([]);
});

test('a Poll from the remote is answered at once with Final and P clear', () => {
  const link = new Link(A, B);
  link.run(1000);
  const last = link.sent.filter((s) => s.from === 'b').at(-1)?.p as ControlPacket;
  const step = receive(link.a, { ...last, poll: true }, link.now, fixed(0.5));
  expect(step.send).toHaveLength(1);
  expect(step.send[0]).toMatchObject({ final: true, poll: false, state: BfdState.Up });
});

test('jitter stays within 75-100% of the interval, and within 75-90% when detectMult is 1 (6.8.7)', () => {
  for (const r of [0, 0.25, 0.5, 0.999999]) {
    expect(jittered(100, 3, fixed(r))).toBeGreaterThanOrEqual(75);
    expect(jittered(100, 3, fixed(r))).toBeLessThan(100);
    expect(jittered(100, 1, fixed(r))).toBeGreaterThanOrEqual(75);
    expect(jittered(100, 1, fixed(r))).toBeLessThanOrEqual(90);
  }
  expect(jittered(100, 3, maxJitter)).toBeGreaterThan(99);
});

test('the transmit interval follows the larger of our Tx and the remote Rx (6.8.7)', () => {
  const link = new Link(A, config({ localDiscriminator: 2, requiredMinRxInterval: 400 * MS }));
  link.run(2000);
  const fromA = link.sent.filter((s) => s.from === 'a' && s.at > 1000).map((s) => s.at);
  const gaps = fromA.slice(1).map((t, i) => t - (fromA[i] ?? 0));
  expect(gaps.every((g) => g === 350)).toBe(true); // 400 ms x 0.875
});

test('AdminDown discards received packets and stops detection (6.8.6, 6.8.16)', () => {
  const link = new Link(A, B);
  link.run(1000);
  const down = adminDown(link.a, link.now, fixed(0.5));
  expect(down.send.at(-1)).toMatchObject({ state: BfdState.AdminDown, diagnostic: 7 });
  expect(down.session.detectAt).toBeNull();
  link.apply('a', down);
  link.run(3000);
  expect(link.a.state).toBe(BfdState.AdminDown);
});
