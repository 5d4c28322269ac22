// One BFD session in Asynchronous mode (RFC 5880 section 6.8), pure: every function takes the session, the
// time `now` (milliseconds, any monotonic origin) and, where jitter is needed, a `random` in [0, 1), and
// returns the new session, the Control packets to send now and the state changes. The caller owns the
// socket and one timer, set to `nextDeadline(session)`, at which it calls `expire`.
//
// Not implemented: Demand mode, the Echo function, authentication.
import { BfdState, type ControlPacket } from './packet';

/** RFC 5880 section 4.1 "Diagnostic" values used here. */
export enum BfdDiag {
  None = 0,
  ControlDetectionTimeExpired = 1,
  NeighborSignaledSessionDown = 3,
  AdministrativelyDown = 7,
}

/** What the owner configures (the BFDProfile); intervals in microseconds, as on the wire. */
export interface SessionConfig {
  localDiscriminator: number; // nonzero, unique on this system (RFC 5880 6.8.1 bfd.LocalDiscr)
  desiredMinTxInterval: number;
  requiredMinRxInterval: number;
  detectMult: number;
  isPassive: boolean; // RFC 5880 6.1: do not send until the remote's discriminator is known
}

/** RFC 5880 6.8.3: while not Up, DesiredMinTxInterval is at least one second. */
export const SLOW_TX_INTERVAL = 1_000_000;

/** The state variables of RFC 5880 6.8.1 plus the bookkeeping of Poll sequences and the two timers. */
export interface Session {
  readonly config: SessionConfig;
  readonly state: BfdState; // bfd.SessionState
  readonly remoteState: BfdState; // bfd.RemoteSessionState
  readonly remoteDiscriminator: number; // bfd.RemoteDiscr
  readonly localDiag: BfdDiag; // bfd.LocalDiag
  readonly remoteMinRxInterval: number; // bfd.RemoteMinRxInterval
  readonly remoteDesiredMinTxInterval: number; // last received Desired Min TX Interval
  readonly remoteDetectMult: number;
  /** The intervals carried in our packets (bfd.DesiredMinTxInterval and bfd.RequiredMinRxInterval). */
  readonly advertisedTx: number;
  readonly advertisedRx: number;
  /** The values in force while a Poll sequence runs (6.8.3: an increased Tx and a reduced Rx wait for it). */
  readonly txInUse: number;
  readonly rxInUse: number;
  readonly isPolling: boolean;
  readonly nextTxAt: number | null;
  readonly detectAt: number | null;
}

export interface Transition {
  from: BfdState;
  to: BfdState;
  diagnostic: BfdDiag;
}

export interface Step {
  session: Session;
  send: ControlPacket[];
  transitions: Transition[];
}

export function createSession(config: SessionConfig, now: number, random: () => number): Step {
  const tx = Math.max(config.desiredMinTxInterval, SLOW_TX_INTERVAL);
  const session: Session = {
    config,
    state: BfdState.Down,
    remoteState: BfdState.Down,
    remoteDiscriminator: 0,
    localDiag: BfdDiag.None,
    remoteMinRxInterval: 1, // RFC 5880 6.8.1: initialised to 1
    remoteDesiredMinTxInterval: 0,
    remoteDetectMult: 0,
    advertisedTx: tx,
    advertisedRx: config.requiredMinRxInterval,
    txInUse: tx,
    rxInUse: config.requiredMinRxInterval,
    isPolling: false,
    nextTxAt: null,
    detectAt: null,
  };
  return transmitNow({ session, send: [], transitions: [] }, now, random);
}

/** The earliest time `expire` has work to do, or null when nothing is scheduled. */
export function nextDeadline(s: Session): number | null {
  if (s.nextTxAt === null) return s.detectAt;
  if (s.detectAt === null) return s.nextTxAt;
  return Math.min(s.nextTxAt, s.detectAt);
}

/** RFC 5880 6.8.4 (Asynchronous mode): remote Detect Mult times the agreed receive interval, in ms. */
export function detectionTime(s: Session): number {
  return (s.remoteDetectMult * Math.max(s.rxInUse, s.remoteDesiredMinTxInterval)) / 1000;
}

/** RFC 5880 6.8.7: the interval between our periodic packets before jitter, in ms; null means do not send. */
export function transmitInterval(s: Session): number | null {
  if (s.remoteMinRxInterval === 0) return null;
  if (s.config.isPassive && s.remoteDiscriminator === 0) return null;
  return Math.max(s.txInUse, s.remoteMinRxInterval) / 1000;
}

/** RFC 5880 6.8.7: 75-100% of the interval, at most 90% when bfd.DetectMult is 1. */
export function jittered(intervalMs: number, detectMult: number, random: () => number): number {
  const spread = detectMult === 1 ? 0.15 : 0.25;
  return intervalMs * (0.75 + spread * random());
}

/** Timers: the detection time (6.8.4) and the periodic transmission (6.8.7). */
export function expire(s: Session, now: number, random: () => number): Step {
  let step: Step = { session: s, send: [], transitions: [] };
  if (s.detectAt !== null && now >= s.detectAt) {
    // 6.8.1: bfd.RemoteDiscr goes back to zero when a Detection Time passes without a packet.
    const quiet = { ...s, detectAt: null, remoteDiscriminator: 0, remoteState: BfdState.Down };
    step = { ...step, session: quiet };
    if (s.state === BfdState.Up || s.state === BfdState.Init) {
      step = goDown(step, BfdDiag.ControlDetectionTimeExpired);
      step = transmitNow(step, now, random);
    }
  }
  const t = step.session.nextTxAt;
  if (t !== null && now >= t) step = transmitNow(step, now, random);
  return step;
}

/** RFC 5880 6.8.6, from "set bfd.RemoteDiscr" on: the caller has already picked this session. */
export function receive(s: Session, p: ControlPacket, now: number, random: () => number): Step {
  let session: Session = {
    ...s,
    remoteDiscriminator: p.myDiscriminator,
    remoteState: p.state,
    remoteMinRxInterval: p.requiredMinRxInterval,
    remoteDesiredMinTxInterval: p.desiredMinTxInterval,
    remoteDetectMult: p.detectMult,
  };
  let pollEnded = false;
  if (p.final && s.isPolling) {
    session = { ...session, isPolling: false, txInUse: session.advertisedTx, rxInUse: session.advertisedRx };
    pollEnded = true;
  }
  if (s.state === BfdState.AdminDown) return { session, send: [], transitions: [] };
  let step: Step = { session, send: [], transitions: [] };
  const before = s.state;
  if (p.state === BfdState.AdminDown) {
    if (before !== BfdState.Down) step = goDown(step, BfdDiag.NeighborSignaledSessionDown);
  } else if (before === BfdState.Down) {
    if (p.state === BfdState.Down) step = moveTo(step, BfdState.Init, step.session.localDiag);
    else if (p.state === BfdState.Init) step = goUp(step);
  } else if (before === BfdState.Init) {
    if (p.state === BfdState.Init || p.state === BfdState.Up) step = goUp(step);
  } else if (p.state === BfdState.Down) {
    step = goDown(step, BfdDiag.NeighborSignaledSessionDown);
  }
  step = { ...step, session: { ...step.session, detectAt: now + detectionTime(step.session) } };
  if (pollEnded) step = startPollIfNeeded(step);
  if (p.poll) step = sendFinal(step);
  const changed = step.session.state !== before || (step.session.isPolling && !s.isPolling);
  // The first packet of a passive session, a state change and a new Poll go out at once; the interval may also
  // have shrunk (a faster remote Rx), so never wait longer than one new interval.
  if (changed || s.nextTxAt === null) return transmitNow(step, now, random);
  return { ...step, session: clampNextTx(step.session, now, random) };
}

/** The owner changed the profile. 6.8.3: a change while Up goes through a Poll sequence. */
export function configure(s: Session, config: SessionConfig, now: number, random: () => number): Step {
  let step: Step = { session: { ...s, config }, send: [], transitions: [] };
  if (s.state !== BfdState.Up) {
    const tx = Math.max(config.desiredMinTxInterval, SLOW_TX_INTERVAL);
    const rx = config.requiredMinRxInterval;
    const session = { ...step.session, advertisedTx: tx, txInUse: tx, advertisedRx: rx, rxInUse: rx };
    return transmitNow({ ...step, session }, now, random);
  }
  const wasPolling = s.isPolling;
  step = startPollIfNeeded(step);
  return step.session.isPolling && !wasPolling ? transmitNow(step, now, random) : step;
}

/** RFC 5880 6.8.16: AdminDown with diagnostic 7. The caller keeps sending for a Detection Time, then stops. */
export function adminDown(s: Session, now: number, random: () => number): Step {
  if (s.state === BfdState.AdminDown) return { session: s, send: [], transitions: [] };
  const tx = Math.max(s.config.desiredMinTxInterval, SLOW_TX_INTERVAL);
  let step = moveTo(
    { session: s, send: [], transitions: [] },
    BfdState.AdminDown,
    BfdDiag.AdministrativelyDown,
  );
  step = {
    ...step,
    session: { ...step.session, detectAt: null, isPolling: false, advertisedTx: tx, txInUse: tx },
  };
  return transmitNow(step, now, random);
}

/** RFC 5880 6.8.16: leaving AdminDown goes to Down. */
export function adminUp(s: Session, now: number, random: () => number): Step {
  if (s.state !== BfdState.AdminDown) return { session: s, send: [], transitions: [] };
  const step = moveTo({ session: s, send: [], transitions: [] }, BfdState.Down, s.localDiag);
  return transmitNow(step, now, random);
}

/** The packet this session sends periodically (6.8.7), with P set while a Poll sequence runs. */
export function controlPacket(s: Session): ControlPacket {
  return {
    diagnostic: s.localDiag,
    state: s.state,
    poll: s.isPolling,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    detectMult: s.config.detectMult,
    myDiscriminator: s.config.localDiscriminator,
    yourDiscriminator: s.remoteDiscriminator,
    desiredMinTxInterval: s.advertisedTx,
    requiredMinRxInterval: s.advertisedRx,
    requiredMinEchoRxInterval: 0, // no Echo function (6.8.3: zero means "do not send me Echo packets")
  };
}

function moveTo(step: Step, to: BfdState, diagnostic: BfdDiag): Step {
  const from = step.session.state;
  if (from === to) return step;
  return {
    ...step,
    session: { ...step.session, state: to, localDiag: diagnostic },
    transitions: [...step.transitions, { from, to, diagnostic }],
  };
}

// Back to the slow rate (6.8.3). No Poll: the remote is, or is about to be, Down as well.
function goDown(step: Step, diagnostic: BfdDiag): Step {
  const moved = moveTo(step, BfdState.Down, diagnostic);
  const tx = Math.max(moved.session.config.desiredMinTxInterval, SLOW_TX_INTERVAL);
  return {
    ...moved,
    session: { ...moved.session, advertisedTx: tx, txInUse: tx, isPolling: false },
  };
}

// Up: the configured Tx replaces the slow one through a Poll sequence (6.8.3).
function goUp(step: Step): Step {
  return startPollIfNeeded(moveTo(step, BfdState.Up, BfdDiag.None));
}

// 6.8.3: change the advertised intervals and start a Poll, unless one is running (then it starts when that one
// ends). A faster Tx and a larger Rx take effect at once; a slower Tx and a smaller Rx wait for the Final.
function startPollIfNeeded(step: Step): Step {
  const s = step.session;
  if (s.isPolling || s.state !== BfdState.Up) return step;
  const tx = s.config.desiredMinTxInterval;
  const rx = s.config.requiredMinRxInterval;
  if (tx === s.advertisedTx && rx === s.advertisedRx) return step;
  return {
    ...step,
    session: {
      ...s,
      advertisedTx: tx,
      advertisedRx: rx,
      txInUse: tx < s.txInUse ? tx : s.txInUse,
      rxInUse: rx > s.rxInUse ? rx : s.rxInUse,
      isPolling: true,
    },
  };
}

// 6.8.7: a packet with Final answers a Poll "as soon as practicable", P clear.
function sendFinal(step: Step): Step {
  const packet = { ...controlPacket(step.session), poll: false, final: true };
  return { ...step, send: [...step.send, packet] };
}

function transmitNow(step: Step, now: number, random: () => number): Step {
  const s = step.session;
  const interval = transmitInterval(s);
  if (interval === null) return { ...step, session: { ...s, nextTxAt: null } };
  const next = now + jittered(interval, s.config.detectMult, random);
  // A Final just queued already carries the current state: do not send a second copy in the same turn.
  const hasFinal = step.send.some((p) => p.final);
  const send = hasFinal && !s.isPolling ? step.send : [...step.send, controlPacket(s)];
  return { ...step, send, session: { ...s, nextTxAt: next } };
}

function clampNextTx(s: Session, now: number, random: () => number): Session {
  const interval = transmitInterval(s);
  if (interval === null) return { ...s, nextTxAt: null };
  const latest = now + interval;
  if (s.nextTxAt !== null && s.nextTxAt <= latest) return s;
  return { ...s, nextTxAt: now + jittered(interval, s.config.detectMult, random) };
}
