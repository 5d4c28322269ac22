import { AS_TRANS, CeaseSubcode, ErrorCode, FsmSubcode, OpenMessageSubcode } from '../codec/codes';
import type { OpenMessage } from '../codec/open';
import { type Action, type Environment, type Event, IDLE, type Session, type State, step } from './fsm';
import { IPV4_UNICAST, IPV6_UNICAST, type SessionConfig } from './open';

const CONFIG: SessionConfig = {
  localAs: 64512,
  peerAs: 64501,
  routerId: '192.0.2.1',
  holdTime: 90,
  connectRetryTime: 120,
  families: [IPV4_UNICAST, IPV6_UNICAST],
};
const ENV: Environment = { config: CONFIG, random: () => 0.5 };

function peerOpen(overrides: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: 'open',
    version: 4,
    myAs: 64501,
    holdTime: 180,
    bgpId: '192.0.2.2',
    parameters: [
      {
        type: 'capabilities',
        capabilities: [
          { kind: 'multiprotocol', afi: 1, safi: 1 },
          { kind: 'four-octet-as', asn: 64501 },
        ],
      },
    ],
    ...overrides,
  };
}

/** Runs events from `from`, returning the final session and the actions of the last event. */
function run(
  events: Event[],
  env: Environment = ENV,
  from: Session = IDLE,
): { session: Session; actions: readonly Action[] } {
  let session = from;
  let actions: readonly Action[] = [];
  for (const e of events) ({ session, actions } = step(session, e, env));
  return { session, actions };
}

const TO_OPEN_SENT: Event[] = [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }];
const TO_OPEN_CONFIRM: Event[] = [...TO_OPEN_SENT, { type: 'BGPOpen', open: peerOpen() }];
const TO_ESTABLISHED: Event[] = [...TO_OPEN_CONFIRM, { type: 'KeepAliveMsg' }];

const sent = (actions: readonly Action[]) => actions.flatMap((a) => (a.type === 'send' ? [a.message] : []));
const notification = (actions: readonly Action[]) => {
  const m = sent(actions).find((x) => x.type === 'notification');
  return m?.type === 'notification' ? { code: m.code, subcode: m.subcode } : undefined;
};
const started = (actions: readonly Action[], timer: string) =>
  actions.flatMap((a) => (a.type === 'startTimer' && a.timer === timer ? [a.seconds] : []))[0];

describe('RFC 4271 8 FSM: the way up', () => {
  it('ManualStart in Idle starts the ConnectRetryTimer, dials, and moves to Connect', () => {
    const { session, actions } = run([{ type: 'ManualStart' }]);
    expect(session.state).toBe('Connect');
    expect(actions).toEqual([
      { type: 'stopTimer', timer: 'IdleHold' },
      { type: 'startTimer', timer: 'ConnectRetry', seconds: 120 },
      { type: 'connect' },
      { type: 'stateChange', from: 'Idle', to: 'Connect', reason: 'manual start' },
    ]);
  });

  it('a passive start waits in Active without dialling', () => {
    const { session, actions } = run([{ type: 'ManualStart_with_PassiveTcpEstablishment' }]);
    expect(session.state).toBe('Active');
    expect(actions.some((a) => a.type === 'connect')).toBe(false);
    expect(
      run([{ type: 'ManualStart_with_PassiveTcpEstablishment' }, { type: 'TcpConnectionConfirmed' }]).session
        .state,
    ).toBe('OpenSent');
  });

  it('on TCP connect it sends our OPEN and waits with the 4-minute hold timer', () => {
    const { session, actions } = run(TO_OPEN_SENT);
    expect(session.state).toBe('OpenSent');
    const [open] = sent(actions);
    expect(open).toMatchObject({ type: 'open', version: 4, myAs: 64512, holdTime: 90, bgpId: '192.0.2.1' });
    expect(started(actions, 'Hold')).toBe(240);
  });

  it('sends AS_TRANS as My AS for a 4-octet local AS (RFC 6793 4.1)', () => {
    const { actions } = run(TO_OPEN_SENT, { ...ENV, config: { ...CONFIG, localAs: 4200000001 } });
    expect(sent(actions)[0]).toMatchObject({ myAs: AS_TRANS });
  });

  it('a good OPEN is answered with KEEPALIVE; hold is the smaller proposal, keepalive a third of it', () => {
    const { session, actions } = run(TO_OPEN_CONFIRM);
    expect(session.state).toBe('OpenConfirm');
    expect(sent(actions)).toEqual([{ type: 'keepalive' }]);
    expect(started(actions, 'Hold')).toBe(90);
    expect(started(actions, 'Keepalive')).toBe(30);
    expect(session.negotiated).toMatchObject({
      peerAs: 64501,
      holdTime: 90,
      fourOctetAs: true,
      families: [IPV4_UNICAST],
    });
  });

  it('KEEPALIVE in OpenConfirm establishes the session and resets the failure count', () => {
    const failed: Session = { ...IDLE, connectRetryCounter: 5, autoRestart: true };
    const { session, actions } = run(
      TO_ESTABLISHED.slice(1),
      ENV,
      run([{ type: 'AutomaticStart' }], ENV, failed).session,
    );
    expect(session.state).toBe('Established');
    expect(session.connectRetryCounter).toBe(0);
    expect(actions.some((a) => a.type === 'established')).toBe(true);
  });

  it('with a negotiated hold time of 0 it runs no hold or keepalive timer', () => {
    const { session, actions } = run([...TO_OPEN_SENT, { type: 'BGPOpen', open: peerOpen({ holdTime: 0 }) }]);
    expect(session.negotiated?.holdTime).toBe(0);
    expect(actions).toContainEqual({ type: 'stopTimer', timer: 'Hold' });
    expect(started(actions, 'Keepalive')).toBeUndefined();
    expect(
      run(
        [{ type: 'KeepAliveMsg' }, { type: 'UpdateMsg' }],
        ENV,
        run([{ type: 'KeepAliveMsg' }], ENV, session).session,
      ).actions,
    ).toEqual([]);
  });
});

describe('RFC 4271 8 FSM: timers in Established', () => {
  const est = run(TO_ESTABLISHED).session;

  it('sends a KEEPALIVE and restarts the timer when the KeepaliveTimer expires', () => {
    expect(step(est, { type: 'KeepaliveTimer_Expires' }, ENV).actions).toEqual([
      { type: 'send', message: { type: 'keepalive' } },
      { type: 'startTimer', timer: 'Keepalive', seconds: 30 },
    ]);
  });

  it.each(['KeepAliveMsg', 'UpdateMsg', 'RouteRefreshMsg'] as const)(
    'restarts the hold timer on %s',
    (type) => {
      expect(step(est, { type }, ENV)).toEqual({
        session: est,
        actions: [{ type: 'startTimer', timer: 'Hold', seconds: 90 }],
      });
    },
  );

  it('on HoldTimer_Expires sends Hold Timer Expired, drops, and schedules a restart', () => {
    const { session, actions } = step(est, { type: 'HoldTimer_Expires' }, ENV);
    expect(session.state).toBe('Idle');
    expect(notification(actions)).toEqual({ code: ErrorCode.HoldTimerExpired, subcode: 0 });
    expect(actions).toContainEqual({ type: 'drop' });
    expect(started(actions, 'IdleHold')).toBe(1); // first failure: 1 s x jitter 0.875, floored at 1 s
  });
});

describe('RFC 4271 8 FSM: errors and stops', () => {
  it.each<[string, Partial<OpenMessage>, number]>([
    ['version 3', { version: 3 }, OpenMessageSubcode.UnsupportedVersionNumber],
    ['the wrong peer AS', { myAs: 64999, parameters: [] }, OpenMessageSubcode.BadPeerAS],
    ['a zero BGP identifier', { bgpId: '0.0.0.0' }, OpenMessageSubcode.BadBGPIdentifier],
    ['a hold time of 2 s', { holdTime: 2 }, OpenMessageSubcode.UnacceptableHoldTime],
    [
      'an unknown optional parameter',
      { parameters: [{ type: 'unknown', code: 7, value: new Uint8Array(0) }] },
      OpenMessageSubcode.UnsupportedOptionalParameter,
    ],
  ])('refuses an OPEN with %s', (_name, overrides, subcode) => {
    const { session, actions } = run([...TO_OPEN_SENT, { type: 'BGPOpen', open: peerOpen(overrides) }]);
    expect(session.state).toBe('Idle');
    expect(notification(actions)).toEqual({ code: ErrorCode.OpenMessageError, subcode });
  });

  it.each<[State, Event[], number]>([
    ['OpenSent', TO_OPEN_SENT, FsmSubcode.UnexpectedMessageInOpenSent],
    ['OpenConfirm', TO_OPEN_CONFIRM, FsmSubcode.UnexpectedMessageInOpenConfirm],
  ])('an UPDATE in %s is a Finite State Machine Error (RFC 6608)', (_state, events, subcode) => {
    const { session, actions } = run([...events, { type: 'UpdateMsg' }]);
    expect(session.state).toBe('Idle');
    expect(notification(actions)).toEqual({ code: ErrorCode.FiniteStateMachineError, subcode });
  });

  it('an OPEN in Established is a Finite State Machine Error (RFC 6608)', () => {
    const { actions } = run([...TO_ESTABLISHED, { type: 'BGPOpen', open: peerOpen() }]);
    expect(notification(actions)).toEqual({
      code: ErrorCode.FiniteStateMachineError,
      subcode: FsmSubcode.UnexpectedMessageInEstablished,
    });
  });

  it('sends the NOTIFICATION an UPDATE error carries, then drops', () => {
    const n = { code: 3, subcode: 1, data: new Uint8Array(0) };
    const { session, actions } = run([...TO_ESTABLISHED, { type: 'UpdateMsgErr', notification: n }]);
    expect(session.state).toBe('Idle');
    expect(sent(actions)).toEqual([{ type: 'notification', ...n }]);
  });

  it('does not answer a NOTIFICATION with one (RFC 4271 6.4)', () => {
    const { session, actions } = run([
      ...TO_ESTABLISHED,
      { type: 'NotifMsg', notification: { code: 6, subcode: 2, data: new Uint8Array(0) } },
    ]);
    expect(session.state).toBe('Idle');
    expect(sent(actions)).toEqual([]);
  });

  it('ManualStop sends Cease / Administrative Shutdown with the communication and does not restart', () => {
    const { session, actions } = run([...TO_ESTABLISHED, { type: 'ManualStop', communication: 'bye' }]);
    expect(session).toEqual({ state: 'Idle', connectRetryCounter: 0, autoRestart: false });
    expect(sent(actions)).toEqual([
      {
        type: 'notification',
        code: ErrorCode.Cease,
        subcode: CeaseSubcode.AdministrativeShutdown,
        data: Uint8Array.of(3, 0x62, 0x79, 0x65),
      },
    ]);
    expect(started(actions, 'IdleHold')).toBeUndefined();
  });

  it('AutomaticStop (e.g. BFD down) sends Cease with its subcode and restarts after the backoff', () => {
    const { session, actions } = run([
      ...TO_ESTABLISHED,
      { type: 'AutomaticStop', subcode: CeaseSubcode.BfdDown },
    ]);
    expect(notification(actions)).toEqual({ code: ErrorCode.Cease, subcode: CeaseSubcode.BfdDown });
    expect(session.autoRestart).toBe(true);
    expect(started(actions, 'IdleHold')).toBeGreaterThanOrEqual(1);
  });

  it('OpenCollisionDump sends Cease / Connection Collision Resolution and ends this connection for good', () => {
    const { session, actions } = run([...TO_OPEN_CONFIRM, { type: 'OpenCollisionDump' }]);
    expect(notification(actions)).toEqual({
      code: ErrorCode.Cease,
      subcode: CeaseSubcode.ConnectionCollisionResolution,
    });
    expect(session.autoRestart).toBe(false);
  });

  it('ManualStop in Connect closes without a NOTIFICATION (no BGP connection yet)', () => {
    const { session, actions } = run([{ type: 'ManualStart' }, { type: 'ManualStop' }]);
    expect(session.state).toBe('Idle');
    expect(sent(actions)).toEqual([]);
  });
});

describe('RFC 4271 8 FSM: reconnecting', () => {
  it('retries the TCP connection in Connect when the ConnectRetryTimer expires', () => {
    const { session, actions } = run([{ type: 'ManualStart' }, { type: 'ConnectRetryTimer_Expires' }]);
    expect(session.state).toBe('Connect');
    expect(actions).toEqual([
      { type: 'drop' },
      { type: 'startTimer', timer: 'ConnectRetry', seconds: 120 },
      { type: 'connect' },
    ]);
  });

  it('backs off 1 s, 2 s, 4 s ... up to 2 min between failed attempts, then restarts from Idle', () => {
    const env = { ...ENV, random: () => 0.999999 };
    let session = run([{ type: 'ManualStart' }], env).session;
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const failed = step(session, { type: 'TcpConnectionFails' }, env);
      delays.push(Math.round(started(failed.actions, 'IdleHold') ?? -1));
      const restarted = step(failed.session, { type: 'IdleHoldTimer_Expires' }, env);
      expect(restarted.session.state).toBe('Connect');
      expect(restarted.actions).toContainEqual({ type: 'connect' });
      session = restarted.session;
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 120, 120, 120]);
  });

  it('refuses an inbound connection while Idle', () => {
    expect(step(IDLE, { type: 'TcpConnectionConfirmed' }, ENV)).toEqual({
      session: IDLE,
      actions: [{ type: 'drop' }],
    });
  });

  it('ManualStop while waiting to restart cancels the restart', () => {
    const failed = run([{ type: 'ManualStart' }, { type: 'TcpConnectionFails' }]).session;
    const stopped = step(failed, { type: 'ManualStop' }, ENV);
    expect(stopped.actions).toEqual([{ type: 'stopTimer', timer: 'IdleHold' }]);
    expect(step(stopped.session, { type: 'IdleHoldTimer_Expires' }, ENV).session.state).toBe('Idle');
  });
});
