// The BGP finite-state machine of RFC 4271 8, for one connection, as a pure function: (session, event) ->
// (session, actions). No clock, no socket: the session layer runs the timers and the TCP connection the
// actions name, and turns what happens into events. State and event names are the RFC's.
//
// Choices within what RFC 4271 8.1 leaves optional:
// - DampPeerOscillations (8.1.1) is on: every failure goes to Idle, and the session restarts itself after the
//   IdleHoldTimer, whose value grows with each consecutive failure (timers.ts connectRetryBackoff). Where
//   8.2.2 sends a failed OpenSent connection to Active, this FSM goes to Idle too, so every failure is paced
//   the same way. Success (Established) resets the count.
// - No DelayOpen, no SendNOTIFICATIONwithoutOPEN, no CollisionDetectEstablishedState.
// - PassiveTcpEstablishment (the `passive` config) keeps the session in Active, waiting for the peer.
// - An OPEN collision (6.8) is decided by the session layer with collision.ts, which then sends
//   OpenCollisionDump to the losing connection; that connection ends for good (no automatic restart).
// - A received ROUTE-REFRESH restarts the hold timer like KEEPALIVE and UPDATE (RouteRefreshMsg is not an
//   RFC 4271 event).
import { CeaseSubcode, ErrorCode, FsmSubcode } from '../codec/codes';
import type { Message } from '../codec/message';
import { adminShutdown, hardReset } from '../codec/notification';
import type { OpenMessage } from '../codec/open';
import type { Notification } from '../codec/result';
import { type Negotiated, type SessionConfig, buildOpen, checkOpen } from './open';
import { LARGE_HOLD_TIME, connectRetryBackoff } from './timers';

export type State = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
export type Timer = 'ConnectRetry' | 'Hold' | 'Keepalive' | 'IdleHold';

/** RFC 4271 8.1.2-8.1.5 events, by their RFC names. */
export type Event =
  | { readonly type: 'ManualStart' }
  | { readonly type: 'ManualStart_with_PassiveTcpEstablishment' }
  | { readonly type: 'AutomaticStart' }
  | { readonly type: 'AutomaticStart_with_PassiveTcpEstablishment' }
  /** Administrative stop: Cease / Administrative Shutdown with an optional RFC 9003 communication. */
  | { readonly type: 'ManualStop'; readonly communication?: string }
  /** The system stops the session (peer deconfigured, BFD down, ...): Cease with this subcode, then restart. */
  | { readonly type: 'AutomaticStop'; readonly subcode: number }
  | { readonly type: 'ConnectRetryTimer_Expires' }
  | { readonly type: 'HoldTimer_Expires' }
  | { readonly type: 'KeepaliveTimer_Expires' }
  | { readonly type: 'IdleHoldTimer_Expires' }
  | { readonly type: 'Tcp_CR_Acked' }
  | { readonly type: 'TcpConnectionConfirmed' }
  | { readonly type: 'TcpConnectionFails' }
  | { readonly type: 'BGPOpen'; readonly open: OpenMessage }
  | { readonly type: 'BGPHeaderErr'; readonly notification: Notification }
  | { readonly type: 'BGPOpenMsgErr'; readonly notification: Notification }
  | { readonly type: 'OpenCollisionDump' }
  | { readonly type: 'NotifMsgVerErr'; readonly notification: Notification }
  | { readonly type: 'NotifMsg'; readonly notification: Notification }
  | { readonly type: 'KeepAliveMsg' }
  | { readonly type: 'UpdateMsg' }
  | { readonly type: 'UpdateMsgErr'; readonly notification: Notification }
  | { readonly type: 'RouteRefreshMsg' };

export type Action =
  | { readonly type: 'connect' }
  | { readonly type: 'drop' }
  | { readonly type: 'send'; readonly message: Message }
  | { readonly type: 'startTimer'; readonly timer: Timer; readonly seconds: number }
  | { readonly type: 'stopTimer'; readonly timer: Timer }
  /** Entered Established: send the routes and End-of-RIB. */
  | { readonly type: 'established'; readonly negotiated: Negotiated }
  | { readonly type: 'stateChange'; readonly from: State; readonly to: State; readonly reason: string };

export interface Session {
  readonly state: State;
  /** Consecutive failures since the last Established (RFC 4271 8.1.1 ConnectRetryCounter). */
  readonly connectRetryCounter: number;
  /** Started and not stopped by hand: restart automatically after a failure. */
  readonly autoRestart: boolean;
  readonly negotiated?: Negotiated;
}

export interface Step {
  readonly session: Session;
  readonly actions: readonly Action[];
}

export const IDLE: Session = { state: 'Idle', connectRetryCounter: 0, autoRestart: false };

export interface Environment {
  readonly config: SessionConfig;
  /** Uniform in [0, 1): the jitter source (RFC 4271 10). */
  readonly random: () => number;
}

const ALL_TIMERS: readonly Timer[] = ['ConnectRetry', 'Hold', 'Keepalive'];

function fsmError(state: State): Notification {
  const subcode =
    state === 'OpenSent'
      ? FsmSubcode.UnexpectedMessageInOpenSent
      : state === 'OpenConfirm'
        ? FsmSubcode.UnexpectedMessageInOpenConfirm
        : FsmSubcode.UnexpectedMessageInEstablished;
  return { code: ErrorCode.FiniteStateMachineError, subcode, data: new Uint8Array(0) };
}

const HOLD_TIMER_EXPIRED: Notification = {
  code: ErrorCode.HoldTimerExpired,
  subcode: 0,
  data: new Uint8Array(0),
};

function change(from: State, to: State, reason: string): Action {
  return { type: 'stateChange', from, to, reason };
}

interface IdleOptions {
  readonly notify?: Notification;
  /** Counts as a failure and restarts after the backoff. */
  readonly failure: boolean;
  /** Ends automatic restarts (ManualStop, collision dump). */
  readonly stop?: boolean;
}

/** RFC 4271 8.2.2's common path to Idle: NOTIFICATION if any, timers off, connection dropped. */
function toIdle(s: Session, env: Environment, reason: string, opts: IdleOptions): Step {
  const actions: Action[] = [];
  if (opts.notify !== undefined)
    actions.push({ type: 'send', message: { type: 'notification', ...opts.notify } });
  for (const timer of ALL_TIMERS) actions.push({ type: 'stopTimer', timer });
  actions.push({ type: 'drop' });
  const counter = opts.failure ? s.connectRetryCounter + 1 : opts.stop ? 0 : s.connectRetryCounter;
  const autoRestart = s.autoRestart && !opts.stop;
  if (autoRestart) {
    actions.push({
      type: 'startTimer',
      timer: 'IdleHold',
      seconds: connectRetryBackoff(counter - 1, env.random),
    });
  }
  actions.push(change(s.state, 'Idle', reason));
  return { session: { state: 'Idle', connectRetryCounter: counter, autoRestart }, actions };
}

function start(s: Session, env: Environment, passive: boolean, manual: boolean): Step {
  const to: State = passive ? 'Active' : 'Connect';
  const actions: Action[] = [
    { type: 'stopTimer', timer: 'IdleHold' },
    { type: 'startTimer', timer: 'ConnectRetry', seconds: env.config.connectRetryTime },
  ];
  if (!passive) actions.push({ type: 'connect' });
  actions.push(change('Idle', to, manual ? 'manual start' : 'automatic start'));
  return {
    session: { state: to, connectRetryCounter: manual ? 0 : s.connectRetryCounter, autoRestart: true },
    actions,
  };
}

/** A TCP connection is up: send OPEN and wait for the peer's with the large hold timer (RFC 4271 8.2.2). */
function connected(s: Session, env: Environment): Step {
  return {
    session: { ...s, state: 'OpenSent' },
    actions: [
      { type: 'stopTimer', timer: 'ConnectRetry' },
      { type: 'send', message: buildOpen(env.config) },
      { type: 'startTimer', timer: 'Hold', seconds: LARGE_HOLD_TIME },
      change(s.state, 'OpenSent', 'tcp connection up'),
    ],
  };
}

/**
 * A deliberate Cease (ManualStop, AutomaticStop). When both sides set the N bit (RFC 8538 2), the peer would
 * keep our routes stale after any other NOTIFICATION, so it goes out as a Hard Reset (RFC 8538 3, 5): the
 * speaker means the routes to go. Only a restart (no NOTIFICATION at all) or a fault keeps them stale.
 */
function cease(s: Session, env: Environment, inner: Notification): Notification {
  const n = s.negotiated?.gracefulRestart?.notification === true;
  return n && env.config.gracefulRestart?.notification === true ? hardReset(inner) : inner;
}

/** Events every state with a BGP connection (OpenSent, OpenConfirm, Established) handles alike. */
function common(s: Session, event: Event, env: Environment): Step | undefined {
  switch (event.type) {
    case 'ManualStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      return { session: s, actions: [] };
    case 'ManualStop':
      return toIdle(s, env, 'manual stop', {
        notify: cease(s, env, adminShutdown(event.communication)),
        failure: false,
        stop: true,
      });
    case 'AutomaticStop':
      return toIdle(s, env, 'automatic stop', {
        notify: cease(s, env, adminShutdown(undefined, event.subcode)),
        failure: true,
      });
    case 'HoldTimer_Expires':
      return toIdle(s, env, 'hold timer expired', { notify: HOLD_TIMER_EXPIRED, failure: true });
    case 'TcpConnectionFails':
      return toIdle(s, env, 'tcp connection failed', { failure: true });
    case 'NotifMsg':
    case 'NotifMsgVerErr':
      return toIdle(
        s,
        env,
        `notification received ${event.notification.code}/${event.notification.subcode}`,
        {
          failure: true,
        },
      );
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
    case 'UpdateMsgErr':
      if (event.type === 'UpdateMsgErr' && s.state !== 'Established') break;
      return toIdle(s, env, event.type, { notify: event.notification, failure: true });
    case 'OpenCollisionDump':
      return toIdle(s, env, 'connection collision', {
        notify: adminShutdown(undefined, CeaseSubcode.ConnectionCollisionResolution),
        failure: false,
        stop: true,
      });
    case 'IdleHoldTimer_Expires':
      return { session: s, actions: [] }; // a stale timer from an earlier Idle: nothing to do
    default:
      break;
  }
  return undefined;
}

export function step(s: Session, event: Event, env: Environment): Step {
  switch (s.state) {
    case 'Idle':
      return idle(s, event, env);
    case 'Connect':
    case 'Active':
      return connecting(s, event, env);
    case 'OpenSent':
      return openSent(s, event, env);
    case 'OpenConfirm':
      return openConfirm(s, event, env);
    case 'Established':
      return established(s, event, env);
  }
}

function idle(s: Session, event: Event, env: Environment): Step {
  switch (event.type) {
    case 'ManualStart':
      return start(s, env, env.config.passive === true, true);
    case 'ManualStart_with_PassiveTcpEstablishment':
      return start(s, env, true, true);
    case 'AutomaticStart':
      return start(s, env, env.config.passive === true, false);
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      return start(s, env, true, false);
    case 'IdleHoldTimer_Expires':
      return s.autoRestart ? start(s, env, env.config.passive === true, false) : { session: s, actions: [] };
    case 'ManualStop':
      // RFC 4271 8.2.2: ignored in Idle, but it does end a pending automatic restart.
      return {
        session: { ...s, connectRetryCounter: 0, autoRestart: false },
        actions: [{ type: 'stopTimer', timer: 'IdleHold' }],
      };
    case 'TcpConnectionConfirmed':
    case 'Tcp_CR_Acked':
      return { session: s, actions: [{ type: 'drop' }] }; // RFC 4271 8.2.2: Idle refuses connections
    default:
      return { session: s, actions: [] };
  }
}

/** Connect and Active: waiting for a TCP connection (RFC 4271 8.2.2). */
function connecting(s: Session, event: Event, env: Environment): Step {
  switch (event.type) {
    case 'ManualStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'IdleHoldTimer_Expires':
      return { session: s, actions: [] };
    case 'ManualStop':
      return toIdle(s, env, 'manual stop', { failure: false, stop: true });
    case 'ConnectRetryTimer_Expires': {
      const restart: Action = {
        type: 'startTimer',
        timer: 'ConnectRetry',
        seconds: env.config.connectRetryTime,
      };
      if (env.config.passive === true) return { session: s, actions: [restart] };
      const actions: Action[] = [{ type: 'drop' }, restart, { type: 'connect' }];
      if (s.state === 'Active') actions.push(change('Active', 'Connect', 'connect retry'));
      return { session: { ...s, state: 'Connect' }, actions };
    }
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      return connected(s, env);
    case 'TcpConnectionFails':
      return toIdle(s, env, 'tcp connection failed', { failure: true });
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      return toIdle(s, env, event.type, { failure: true });
    default:
      // RFC 4271 8.2.2: any other event in Connect or Active drops to Idle.
      return toIdle(s, env, `unexpected ${event.type} in ${s.state}`, { failure: true });
  }
}

function openSent(s: Session, event: Event, env: Environment): Step {
  if (event.type === 'BGPOpen') {
    const check = checkOpen(event.open, env.config);
    if (!check.ok) return toIdle(s, env, check.reason, { notify: check.notification, failure: true });
    const n = check.negotiated;
    const actions: Action[] = [
      { type: 'stopTimer', timer: 'ConnectRetry' },
      { type: 'send', message: { type: 'keepalive' } },
    ];
    if (n.holdTime > 0) {
      actions.push({ type: 'startTimer', timer: 'Keepalive', seconds: n.keepaliveTime });
      actions.push({ type: 'startTimer', timer: 'Hold', seconds: n.holdTime });
    } else {
      actions.push({ type: 'stopTimer', timer: 'Hold' });
    }
    actions.push(change('OpenSent', 'OpenConfirm', 'open received'));
    return { session: { ...s, state: 'OpenConfirm', negotiated: n }, actions };
  }
  return (
    common(s, event, env) ??
    toIdle(s, env, `unexpected ${event.type} in OpenSent`, { notify: fsmError('OpenSent'), failure: true })
  );
}

function openConfirm(s: Session, event: Event, env: Environment): Step {
  const n = s.negotiated;
  if (event.type === 'KeepaliveTimer_Expires' && n !== undefined) {
    return { session: s, actions: [{ type: 'send', message: { type: 'keepalive' } }, keepaliveRestart(n)] };
  }
  if (event.type === 'KeepAliveMsg' && n !== undefined) {
    const actions: Action[] = [];
    if (n.holdTime > 0) actions.push({ type: 'startTimer', timer: 'Hold', seconds: n.holdTime });
    actions.push(change('OpenConfirm', 'Established', 'keepalive received'), {
      type: 'established',
      negotiated: n,
    });
    return { session: { ...s, state: 'Established', connectRetryCounter: 0 }, actions };
  }
  return (
    common(s, event, env) ??
    toIdle(s, env, `unexpected ${event.type} in OpenConfirm`, {
      notify: fsmError('OpenConfirm'),
      failure: true,
    })
  );
}

function established(s: Session, event: Event, env: Environment): Step {
  const n = s.negotiated;
  if (n !== undefined) {
    switch (event.type) {
      case 'KeepaliveTimer_Expires':
        return {
          session: s,
          actions: [{ type: 'send', message: { type: 'keepalive' } }, keepaliveRestart(n)],
        };
      case 'KeepAliveMsg':
      case 'UpdateMsg':
      case 'RouteRefreshMsg':
        // RFC 4271 8.2.2: each KEEPALIVE or UPDATE restarts the hold timer (when the hold time is not zero).
        return {
          session: s,
          actions: n.holdTime > 0 ? [{ type: 'startTimer', timer: 'Hold', seconds: n.holdTime }] : [],
        };
      default:
        break;
    }
  }
  return (
    common(s, event, env) ??
    toIdle(s, env, `unexpected ${event.type} in Established`, {
      notify: fsmError('Established'),
      failure: true,
    })
  );
}

function keepaliveRestart(n: Negotiated): Action {
  return { type: 'startTimer', timer: 'Keepalive', seconds: n.keepaliveTime };
}
