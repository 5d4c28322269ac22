// Invariants of the FSM over arbitrary event sequences, with OPENs both acceptable and not.
import fc from 'fast-check';
import type { OpenMessage } from '../codec/open';
import { type Action, type Environment, type Event, IDLE, type State, step } from './fsm';
import { IPV4_UNICAST, type SessionConfig } from './open';

const CONFIG: SessionConfig = {
  localAs: 64512,
  peerAs: 64501,
  routerId: '192.0.2.1',
  holdTime: 90,
  connectRetryTime: 120,
  families: [IPV4_UNICAST],
};

const arbOpen: fc.Arbitrary<OpenMessage> = fc.record({
  type: fc.constant('open' as const),
  version: fc.constantFrom(4, 4, 4, 3),
  myAs: fc.constantFrom(64501, 64501, 64512, 1),
  holdTime: fc.constantFrom(0, 2, 3, 90, 180),
  bgpId: fc.constantFrom('192.0.2.2', '0.0.0.0', '192.0.2.1'),
  parameters: fc.constant([
    { type: 'capabilities' as const, capabilities: [{ kind: 'multiprotocol' as const, afi: 1, safi: 1 }] },
  ]),
});

const n = { code: 6, subcode: 2, data: new Uint8Array(0) };
const arbEvent: fc.Arbitrary<Event> = fc.oneof(
  fc.constantFrom<Event>(
    { type: 'ManualStart' },
    { type: 'ManualStart_with_PassiveTcpEstablishment' },
    { type: 'AutomaticStart' },
    { type: 'ManualStop' },
    { type: 'AutomaticStop', subcode: 10 },
    { type: 'ConnectRetryTimer_Expires' },
    { type: 'HoldTimer_Expires' },
    { type: 'KeepaliveTimer_Expires' },
    { type: 'IdleHoldTimer_Expires' },
    { type: 'Tcp_CR_Acked' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'TcpConnectionFails' },
    { type: 'BGPHeaderErr', notification: { code: 1, subcode: 2, data: new Uint8Array(0) } },
    { type: 'BGPOpenMsgErr', notification: { code: 2, subcode: 0, data: new Uint8Array(0) } },
    { type: 'OpenCollisionDump' },
    { type: 'NotifMsg', notification: n },
    { type: 'NotifMsgVerErr', notification: { code: 2, subcode: 1, data: new Uint8Array(0) } },
    { type: 'KeepAliveMsg' },
    { type: 'UpdateMsg' },
    { type: 'UpdateMsgErr', notification: { code: 3, subcode: 1, data: new Uint8Array(0) } },
    { type: 'RouteRefreshMsg' },
  ),
  arbOpen.map((open): Event => ({ type: 'BGPOpen', open })),
);

/** Random events, interleaved with the way up to Established so that the states past OpenSent are reached. */
const GOOD_OPEN: OpenMessage = {
  type: 'open',
  version: 4,
  myAs: 64501,
  holdTime: 90,
  bgpId: '192.0.2.2',
  parameters: [],
};
const WAY_UP: Event[] = [
  { type: 'ManualStart' },
  { type: 'Tcp_CR_Acked' },
  { type: 'BGPOpen', open: GOOD_OPEN },
  { type: 'KeepAliveMsg' },
];
const arbEvents: fc.Arbitrary<Event[]> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: arbEvent.map((e) => [e]) },
      { weight: 1, arbitrary: fc.constant(WAY_UP) },
    ),
    {
      maxLength: 30,
    },
  )
  .map((chunks) => chunks.flat());

const hasConnection = (s: State) => s === 'OpenSent' || s === 'OpenConfirm' || s === 'Established';

describe('FSM invariants over random event sequences', () => {
  it('hold for every step', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(arbEvents, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (events, r) => {
        const env: Environment = { config: CONFIG, random: () => r };
        let session = IDLE;
        for (const event of events) {
          const { session: next, actions } = step(session, event, env);
          const sends = actions.filter((a): a is Extract<Action, { type: 'send' }> => a.type === 'send');
          // RFC 4271 6.4: a NOTIFICATION is never answered with one.
          if (event.type === 'NotifMsg' || event.type === 'NotifMsgVerErr') expect(sends).toEqual([]);
          // Messages are only sent on a BGP connection, or when one comes up (our OPEN).
          if (!hasConnection(session.state)) expect(sends.every((a) => a.message.type === 'open')).toBe(true);
          // Leaving a connected state for Idle always drops the connection and stops the BGP timers.
          if (next.state === 'Idle' && session.state !== 'Idle') {
            expect(actions).toContainEqual({ type: 'drop' });
            expect(actions).toContainEqual({ type: 'stopTimer', timer: 'Hold' });
          }
          // Established is reached only from OpenConfirm, with the negotiated parameters.
          if (next.state === 'Established' && session.state !== 'Established') {
            expect(session.state).toBe('OpenConfirm');
            expect(next.negotiated).toBeDefined();
          }
          // An automatic restart is scheduled with a backoff between 1 s and 2 min.
          for (const a of actions) {
            if (a.type === 'startTimer') expect(a.seconds).toBeGreaterThan(0);
            if (a.type === 'startTimer' && a.timer === 'IdleHold') {
              expect(a.seconds).toBeGreaterThanOrEqual(1);
              expect(a.seconds).toBeLessThanOrEqual(120);
            }
          }
          // Timers never outlive a manual stop.
          if (event.type === 'ManualStop') expect(next.autoRestart).toBe(false);
          reached.add(next.state);
          session = next;
        }
      }),
      { seed: 8, numRuns: 3000 },
    );
    // Not vacuous: the sequences get all the way up.
    expect([...reached].sort()).toEqual([
      'Active',
      'Connect',
      'Established',
      'Idle',
      'OpenConfirm',
      'OpenSent',
    ]);
  });
});
