// The membership protocol as a pure state machine: inputs are received messages, timer ticks carrying `now`,
// candidate-list changes and the API-reachability hint; outputs are messages to send and events. No sockets,
// no timers, no clock: membership.ts wires it to UDP and time.
//
// Failure detection: heartbeats on a hash ring, every member sending to its k successors each interval T and
// watching its k predecessors; silence for D declares a predecessor dead, and that claim is sent once, directly,
// to every member (event-driven, not gossiped on a period). Views carry an 8-byte digest in every heartbeat; a
// mismatch triggers a push-pull sync with that peer, so a lost claim is repaired within an interval or two.
// Records are ordered (incarnation, version, status) so merging is commutative and idempotent; a member wrongly
// declared dead refutes by bumping its version (as SWIM does, Das et al. 2002, section 4.2).
import { createHash } from 'crypto';
import { chunkRecords } from './codec';
import { compareRecords, type MemberRecord, type Message } from './messages';
import { ReplayGuard } from './replay';
import { predecessors, ringOrder, successors } from './ring';

export interface ProtocolConfig {
  /** T: heartbeat period. */
  readonly intervalMs: number;
  /** k: successors each member heartbeats (and predecessors it watches). */
  readonly watchers: number;
  /** D: silence after which a watched predecessor is declared dead. */
  readonly detectionMs: number;
  /**
   * Silence from everyone after which a member fences itself (isolated). It must be shorter than D minus one
   * interval: a cut-off member's watchers heard its last heartbeat at most T before the cut, so fencing at
   * F < D - T (less scheduling slack) withdraws its addresses before anyone else takes them.
   */
  readonly fenceMs: number;
  /** How long a (re)joining member stays silent after announcing itself: at least D. */
  readonly holdDownMs: number;
  /** Longest a joining member waits for every live member's acknowledgement. */
  readonly joinTimeoutMs: number;
  /** Longest a leaving member keeps answering while waiting for acknowledgements (upstream Leave(1s)). */
  readonly leaveTimeoutMs: number;
  /** Least time between two syncs with the same peer. */
  readonly syncIntervalMs: number;
  /**
   * How long a death takes effect after this member learns it: the dead member stays among the alive speakers
   * (its addresses unclaimed) for this long. The claim goes to every member at once, the victim included, and a
   * victim that is alive (its heartbeats lost, one way) stops answering the moment the claim reaches it; the
   * grace lets it stop before anyone else starts, instead of at about the same moment.
   */
  readonly deathGraceMs: number;
}

export const DEFAULT_CONFIG: ProtocolConfig = {
  intervalMs: 100,
  watchers: 3,
  detectionMs: 350,
  fenceMs: 200,
  holdDownMs: 350,
  joinTimeoutMs: 1050,
  leaveTimeoutMs: 1000,
  syncIntervalMs: 500,
  deathGraceMs: 50,
};

/**
 * This member's own standing. Only `active` and `leaving` announce: a joining member waits out the hold-down
 * so every other member has seen it alive (and released what it now wins) before it answers; an isolated one
 * has heard nobody for D and withdraws everything.
 */
export type SelfState = 'joining' | 'active' | 'isolated' | 'leaving' | 'left';

/** A peer's standing in this member's view; 'unknown' for a listed speaker never heard of. */
export type PeerStatus = MemberRecord['status'] | 'unknown';

export type RejectReason = 'self' | 'unknownSender' | 'replay';

export type MembershipEvent =
  | { readonly type: 'memberAlive'; readonly name: string }
  | {
      readonly type: 'memberDead';
      readonly name: string;
      readonly declaredByMe: boolean;
      readonly silenceMs?: number;
    }
  | { readonly type: 'memberLeaving'; readonly name: string }
  | { readonly type: 'memberRemoved'; readonly name: string }
  | { readonly type: 'selfState'; readonly state: SelfState }
  /** This member did not run for `ms` (its last heartbeat older than D) and rejoins. */
  | { readonly type: 'stalled'; readonly ms: number }
  | { readonly type: 'rejected'; readonly reason: RejectReason; readonly from: string };

export interface Outgoing {
  readonly to: string;
  readonly message: Message;
}

export interface Step {
  readonly send: Outgoing[];
  readonly events: MembershipEvent[];
}

interface Handshake {
  since: number;
  lastSend: number;
  readonly acked: Set<string>;
}

export class MembershipProtocol {
  readonly config: ProtocolConfig;
  private me: MemberRecord;
  private selfState: SelfState = 'joining';
  private seq = 0;
  private readonly candidates = new Set<string>();
  private readonly records = new Map<string, MemberRecord>();
  private readonly lastHeard = new Map<string, number>();
  private readonly watchSince = new Map<string, number>();
  private readonly lastSync = new Map<string, number>();
  private readonly lastCorrection = new Map<string, number>();
  /** Members whose death this member learned less than deathGraceMs ago: when it learned each. */
  private readonly deathPending = new Map<string, number>();
  /** Members this member declared dead itself: it repeats the claim to them until they refute it. */
  private readonly declaredByMe = new Set<string>();
  private readonly replay = new ReplayGuard();
  private lastHeardAny: number;
  private nextHeartbeatAt: number;
  private apiReachable = true;
  private handshake: Handshake | undefined;
  private ring: string[] | undefined;
  private succ: string[] = [];
  private pred: string[] = [];
  private cachedDigest: Buffer | undefined;
  private lastTick = Number.NEGATIVE_INFINITY;
  /** When heartbeats last went out: watchers measure this member's silence from about then. */
  private lastHeartbeatAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly self: string,
    incarnation: number,
    now: number,
    config: Partial<ProtocolConfig> = {},
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    if (this.config.holdDownMs < this.config.detectionMs) {
      throw new RangeError(
        'holdDownMs must be at least detectionMs, or a rejoining member could answer early',
      );
    }
    if (this.config.fenceMs > this.config.detectionMs - this.config.intervalMs) {
      throw new RangeError(
        'fenceMs must be below detectionMs - intervalMs, or a cut-off member answers too long',
      );
    }
    this.me = { name: self, incarnation, version: 0, status: 'alive' };
    this.records.set(self, this.me);
    this.lastHeardAny = now;
    this.nextHeartbeatAt = now;
  }

  // ---- queries ------------------------------------------------------------------------------------------

  state(): SelfState {
    return this.selfState;
  }

  isIsolated(): boolean {
    return this.selfState === 'isolated';
  }

  /**
   * Whether this member may answer for its addresses at `now`: it is active (or leaving), and its last tick
   * is recent. A tick runs at least every interval, so a last tick older than the fence time means the event
   * loop stalled; until the next tick has looked at what arrived meanwhile (someone may have declared this
   * member dead and taken its addresses), answering would rest on a stale view.
   */
  mayAnswer(now: number): boolean {
    if (this.selfState !== 'active' && this.selfState !== 'leaving') return false;
    return now - this.lastTick <= this.config.fenceMs;
  }

  /** Node names of live speakers; this member counts only while it may announce (active or leaving). */
  aliveSpeakers(): Set<string> {
    const out = new Set<string>();
    for (const [name, r] of this.records) {
      if (name === this.self) continue;
      if (r.status === 'alive' || (r.status === 'dead' && this.deathPending.has(name))) out.add(name);
    }
    if (this.selfState === 'active' || this.selfState === 'leaving') out.add(this.self);
    return out;
  }

  /**
   * Every candidate's standing as this member holds it: its record's status, or 'unknown' when no record
   * exists yet (never heard of). For the on-call question "which peer does this speaker not see, and why".
   */
  peerStatuses(): Map<string, PeerStatus> {
    const out = new Map<string, PeerStatus>();
    for (const name of [...this.candidates].sort()) {
      const r = this.records.get(name);
      out.set(name, r === undefined ? 'unknown' : r.status);
    }
    return out;
  }

  record(name: string): MemberRecord | undefined {
    return this.records.get(name);
  }

  view(): MemberRecord[] {
    return [...this.records.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** 8 bytes summarising the view; equal digests mean equal views. */
  digest(): Buffer {
    if (this.cachedDigest === undefined) {
      const h = createHash('sha256');
      for (const r of this.view()) h.update(`${r.name}\0${r.incarnation}\0${r.version}\0${r.status}\n`);
      this.cachedDigest = h.digest().subarray(0, 8);
    }
    return this.cachedDigest;
  }

  /** Who this member heartbeats and who it watches. */
  neighbours(): { successors: string[]; predecessors: string[] } {
    this.refreshRing(this.lastHeardAny);
    return { successors: [...this.succ], predecessors: [...this.pred] };
  }

  /** When tick() next has something to do. */
  nextWakeAt(): number {
    if (this.selfState === 'left') return Number.POSITIVE_INFINITY;
    const D = this.config.detectionMs;
    // Deadlines already looked at in the last tick are not due again (a silence that did not lead to a
    // declaration waits for the isolation check or the next heartbeat instead of spinning).
    let at = Number.POSITIVE_INFINITY;
    const consider = (t: number): void => {
      if (t > this.lastTick && t < at) at = t;
    };
    if (this.selfState !== 'leaving') consider(Math.max(this.nextHeartbeatAt, this.lastTick + 1));
    if (this.selfState === 'active' || this.selfState === 'joining') {
      consider(this.lastHeardAny + this.config.fenceMs + 1);
      for (const p of this.pred) consider(this.lastSeen(p) + D + 1);
    }
    for (const at of this.deathPending.values()) consider(at + this.config.deathGraceMs);
    if (this.handshake) {
      consider(this.handshake.lastSend + this.config.intervalMs);
      const limit = this.selfState === 'leaving' ? this.config.leaveTimeoutMs : this.config.holdDownMs;
      consider(this.handshake.since + limit);
    }
    return at;
  }

  /**
   * The same message with this member's current record and a fresh sequence number: for a message held back
   * (an acknowledgement waiting for the speaker to apply a change) that would otherwise fall behind the
   * receiver's replay window.
   */
  restamp(message: Message): Message {
    this.seq++;
    return { ...message, from: this.me, seq: this.seq };
  }

  // ---- inputs -------------------------------------------------------------------------------------------

  /** Begins: announces this member to every candidate and waits out the hold-down. */
  start(now: number, candidates: Iterable<string>): Step {
    const step = this.setCandidates(now, candidates);
    this.startJoin(now, false, step);
    return step;
  }

  /** The speaker pods the API server lists (names are node names). */
  setCandidates(now: number, names: Iterable<string>): Step {
    const step = emptyStep();
    const next = new Set(names);
    next.delete(this.self);
    for (const name of this.candidates) {
      if (next.has(name)) continue;
      this.candidates.delete(name);
      this.records.delete(name);
      this.lastHeard.delete(name);
      this.watchSince.delete(name);
      this.deathPending.delete(name);
      this.declaredByMe.delete(name);
      this.replay.forget(name);
      step.events.push({ type: 'memberRemoved', name });
      this.dirty();
    }
    for (const name of next) {
      if (this.candidates.has(name)) continue;
      this.candidates.add(name);
      // Every newcomer hears from me at once, in any state: a member that started before my speaker Pod was
      // listed could not announce itself to me (I refused it as unknown), and its hold-down may be ending.
      // (start() announces to everyone itself, once its handshake exists.)
      if (this.handshake || this.selfState === 'active')
        this.send(step, name, { type: 'announce', from: this.me, seq: 0 });
    }
    this.refreshRing(now);
    return step;
  }

  /**
   * Whether the API server answers. It only breaks the tie a two-member cluster cannot: silence from the one
   * peer means either it died or I am cut off, and an unreachable API server says it is me.
   */
  setApiReachable(reachable: boolean): void {
    this.apiReachable = reachable;
  }

  /** Planned leave (SIGTERM): keep answering until every live member acknowledged, or leaveTimeoutMs. */
  leave(now: number): Step {
    const step = emptyStep();
    if (this.selfState === 'leaving' || this.selfState === 'left') return step;
    this.setSelf({ ...this.me, version: this.me.version + 1, status: 'leaving' });
    this.setState('leaving', step);
    this.handshake = { since: now, lastSend: now, acked: new Set() };
    for (const name of this.candidates) this.send(step, name, { type: 'announce', from: this.me, seq: 0 });
    return step;
  }

  receive(now: number, m: Message): Step {
    const step = emptyStep();
    const from = m.from.name;
    if (this.selfState === 'left') return step;
    if (from === this.self) return reject(step, 'self', from);
    if (!this.candidates.has(from)) return reject(step, 'unknownSender', from);
    if (!this.replay.accept(from, m.from.incarnation, m.seq)) return reject(step, 'replay', from);
    this.lastHeardAny = now;
    this.lastHeard.set(from, now);
    if (this.selfState === 'isolated') this.startJoin(now, true, step);

    this.apply(now, m.from, step);
    const held = this.records.get(from);
    if (held && held.status !== 'alive' && m.from.status === 'alive' && compareRecords(held, m.from) > 0) {
      // It believes itself alive but the cluster declared it dead (it was cut off): tell it, so it refutes.
      const last = this.lastCorrection.get(from) ?? Number.NEGATIVE_INFINITY;
      if (now - last >= this.config.intervalMs) {
        this.lastCorrection.set(from, now);
        this.sendStates(step, from, [held], false);
      }
    }

    switch (m.type) {
      case 'heartbeat':
        if (!m.digest.equals(this.digest())) {
          const last = this.lastSync.get(from) ?? Number.NEGATIVE_INFINITY;
          if (now - last >= this.config.syncIntervalMs) {
            this.lastSync.set(from, now);
            this.sendStates(step, from, this.view(), true);
          }
        }
        break;
      case 'announce': {
        const r = this.records.get(from) ?? m.from;
        this.send(step, from, {
          type: 'ack',
          from: this.me,
          seq: 0,
          incarnation: r.incarnation,
          version: r.version,
        });
        break;
      }
      case 'ack':
        if (this.handshake && m.incarnation === this.me.incarnation && m.version === this.me.version) {
          this.handshake.acked.add(from);
          this.advanceHandshake(now, step);
        }
        break;
      case 'states':
        for (const r of m.records) this.apply(now, r, step);
        if (m.syncRequest) {
          this.lastSync.set(from, now);
          this.sendStates(step, from, this.view(), false);
        }
        break;
    }
    this.refreshRing(now);
    return step;
  }

  tick(now: number): Step {
    const step = emptyStep();
    if (this.selfState === 'left') return step;
    const stalledMs = now - this.lastTick;
    const unheardMs = now - this.lastHeartbeatAt;
    this.lastTick = now;
    this.refreshRing(now);
    if (
      stalledMs > this.config.fenceMs &&
      unheardMs > this.config.detectionMs &&
      Number.isFinite(unheardMs) &&
      (this.selfState === 'active' || this.selfState === 'joining')
    ) {
      // A tick is due every interval while active or joining, so a long gap means this process did not run
      // (event loop blocked, process stopped, host starved). Once its last heartbeat is older than D, its
      // watchers may have declared it dead and handed its addresses on: treat the stall as an isolation that
      // just ended and rejoin (break-before-make) rather than resume answering, and do not judge peers by a
      // silence that was its own. A shorter stall cannot have been taken for a death: it only held answers
      // back until this tick (mayAnswer), which runs after the heartbeats that queued meanwhile were read.
      step.events.push({ type: 'stalled', ms: stalledMs });
      this.lastHeardAny = now;
      this.startJoin(now, true, step);
    }
    for (const [name, at] of this.deathPending)
      if (now - at >= this.config.deathGraceMs) this.deathPending.delete(name);
    if (this.selfState !== 'leaving' && now >= this.nextHeartbeatAt) {
      const digest = this.digest();
      for (const to of this.succ) this.send(step, to, { type: 'heartbeat', from: this.me, seq: 0, digest });
      this.repeatClaims(step);
      this.nextHeartbeatAt = now + this.config.intervalMs;
      this.lastHeartbeatAt = now;
    }
    if (this.selfState === 'active' || this.selfState === 'joining') {
      this.checkIsolation(now, step);
    }
    // A predecessor's silence means its death only while the others are still heard at their usual cadence.
    // When everything went quiet, the isolation check at lastHeardAny + D decides first; otherwise a cut-off
    // member would declare its neighbours dead one by one before noticing that it is the one cut off.
    const othersHeard =
      now - this.lastHeardAny <= 1.5 * this.config.intervalMs ||
      now - this.lastHeardAny > this.config.fenceMs;
    if ((this.selfState === 'active' || this.selfState === 'joining') && othersHeard) {
      for (const p of [...this.pred]) {
        // While joining, a predecessor that has not acknowledged this join may still hold me dead, and then
        // it heartbeats its ring without me: its silence is my standing, not its death. Judged by it, a
        // victim of one-way loss (hearing only its declarer's repeated claims) would declare the owner of its
        // addresses dead, and once the loss heals that owner would refute and withdraw while this member,
        // then active, already answers: two MACs for one request (layer2chaos.e2e, seed 20261202).
        if (this.selfState === 'joining' && this.handshake?.acked.has(p) !== true) continue;
        const silence = now - this.lastSeen(p);
        if (silence > this.config.detectionMs) this.declareDead(now, p, silence, step);
      }
    }
    if (this.handshake) {
      if (now - this.handshake.lastSend >= this.config.intervalMs) {
        this.handshake.lastSend = now;
        for (const name of this.candidates) {
          if (!this.handshake.acked.has(name))
            this.send(step, name, { type: 'announce', from: this.me, seq: 0 });
        }
      }
      this.advanceHandshake(now, step);
    }
    return step;
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private checkIsolation(now: number, step: Step): void {
    let othersAlive = 0;
    for (const [name, r] of this.records) if (name !== this.self && r.status === 'alive') othersAlive++;
    if (othersAlive === 0 || now - this.lastHeardAny <= this.config.fenceMs) return;
    // All k watched neighbours falling silent at once is far likelier to be my own link than k deaths; with
    // a single peer the API server's reachability decides.
    if (othersAlive >= 2 || !this.apiReachable) {
      this.handshake = undefined;
      this.setState('isolated', step);
    }
  }

  private declareDead(now: number, name: string, silenceMs: number, step: Step): void {
    const held = this.records.get(name);
    if (!held || held.status !== 'alive') return;
    const dead: MemberRecord = { ...held, status: 'dead' };
    this.records.set(name, dead);
    this.deathPending.set(name, now);
    this.declaredByMe.add(name);
    this.dirty();
    step.events.push({ type: 'memberDead', name, declaredByMe: true, silenceMs });
    for (const to of this.candidates) this.sendStates(step, to, [dead], false);
    this.refreshRing(now);
  }

  /**
   * A death claim goes to every member once; the digest sync repairs a lost one, but only between members that
   * hear each other. A victim heard by nobody (one-way loss) cannot be synced, so its declarers repeat the
   * claim to it with every heartbeat until it refutes (a newer record) or leaves the candidate list.
   */
  private repeatClaims(step: Step): void {
    for (const name of this.declaredByMe) {
      const r = this.records.get(name);
      if (r?.status === 'dead') this.sendStates(step, name, [r], false);
      else this.declaredByMe.delete(name);
    }
  }

  private startJoin(now: number, bump: boolean, step: Step): void {
    this.setSelf({ ...this.me, version: bump ? this.me.version + 1 : this.me.version, status: 'alive' });
    this.setState('joining', step);
    this.handshake = { since: now, lastSend: now, acked: new Set() };
    this.nextHeartbeatAt = now;
    // Coming back from isolation, my predecessors' silence was mine: give each a full detection time.
    for (const p of this.pred) this.watchSince.set(p, now);
    for (const name of this.candidates) this.send(step, name, { type: 'announce', from: this.me, seq: 0 });
  }

  private advanceHandshake(now: number, step: Step): void {
    const h = this.handshake;
    if (!h) return;
    const elapsed = now - h.since;
    let allAcked = true;
    for (const [name, r] of this.records) {
      if (name !== this.self && r.status === 'alive' && !h.acked.has(name)) allAcked = false;
    }
    // A joiner also waits for candidates it has not heard of at all (up to the join timeout): one that never
    // answered may still be alive and holding addresses this member would win, and answering beside it is
    // the split brain the handshake exists to prevent. A candidate known dead or leaving is not waited for.
    if (this.selfState === 'joining') {
      for (const name of this.candidates) if (!h.acked.has(name) && !this.records.has(name)) allAcked = false;
    }
    // The join timeout is for members that went quiet (dead, or cut off both ways: they will be declared dead
    // or fence themselves). A member heard from since this join began is alive and receiving nothing from me
    // if it never acknowledges: one-way loss, and its side of the cluster holds me dead and my addresses
    // given away. Becoming active then would answer beside their new owners, so wait, however long it lasts.
    let heardButSilentToMe = false;
    if (this.selfState === 'joining') {
      for (const [name, at] of this.lastHeard)
        if (at >= h.since && !h.acked.has(name)) heardButSilentToMe = true;
    }
    if (this.selfState === 'joining') {
      if (
        elapsed >= this.config.holdDownMs &&
        !heardButSilentToMe &&
        (allAcked || elapsed >= this.config.joinTimeoutMs)
      ) {
        this.handshake = undefined;
        // The others heartbeat me only since they acknowledged me: their silence is judged from now on.
        for (const p of this.pred) this.watchSince.set(p, now);
        this.setState('active', step);
      }
    } else if (this.selfState === 'leaving') {
      if (allAcked || elapsed >= this.config.leaveTimeoutMs) {
        this.handshake = undefined;
        this.setState('left', step);
      }
    }
  }

  private apply(now: number, r: MemberRecord, step: Step): void {
    if (r.name === this.self) {
      this.applyAboutSelf(now, r, step);
      return;
    }
    if (!this.candidates.has(r.name)) return;
    const held = this.records.get(r.name);
    if (held && compareRecords(r, held) <= 0) return;
    this.records.set(r.name, r);
    this.dirty();
    if (r.status !== 'dead') {
      this.deathPending.delete(r.name);
      this.declaredByMe.delete(r.name);
    }
    const was = held?.status;
    if (r.status === 'alive' && was !== 'alive') {
      step.events.push({ type: 'memberAlive', name: r.name });
    } else if (r.status === 'dead' && was !== 'dead') {
      this.deathPending.set(r.name, now);
      step.events.push({ type: 'memberDead', name: r.name, declaredByMe: false });
    } else if (r.status === 'leaving' && was !== 'leaving') {
      step.events.push({ type: 'memberLeaving', name: r.name });
    }
  }

  private applyAboutSelf(now: number, r: MemberRecord, step: Step): void {
    if (this.selfState === 'leaving' || this.selfState === 'left') return;
    if (r.incarnation !== this.me.incarnation || r.status === 'alive') return;
    if (r.version < this.me.version) return;
    // Declared dead while alive: refute with a newer version, then rejoin from scratch, since every owner
    // that took my addresses must see me alive (and release them) before I answer again.
    this.me = { ...this.me, version: r.version };
    this.startJoin(now, true, step);
  }

  private setSelf(r: MemberRecord): void {
    this.me = r;
    this.records.set(this.self, r);
    this.dirty();
  }

  private setState(state: SelfState, step: Step): void {
    if (this.selfState === state) return;
    this.selfState = state;
    step.events.push({ type: 'selfState', state });
  }

  private lastSeen(name: string): number {
    return Math.max(this.lastHeard.get(name) ?? Number.NEGATIVE_INFINITY, this.watchSince.get(name) ?? 0);
  }

  private dirty(): void {
    this.ring = undefined;
    this.cachedDigest = undefined;
  }

  private refreshRing(now: number): void {
    if (this.ring !== undefined) return;
    const members = [this.self];
    for (const [name, r] of this.records) if (name !== this.self && r.status === 'alive') members.push(name);
    this.ring = ringOrder(members);
    this.succ = successors(this.ring, this.self, this.config.watchers);
    const pred = predecessors(this.ring, this.self, this.config.watchers);
    // A member newly under my watch gets a full detection time from now: it may only just have learned
    // that I am its successor.
    for (const p of pred) if (!this.pred.includes(p)) this.watchSince.set(p, now);
    this.pred = pred;
  }

  private sendStates(step: Step, to: string, records: readonly MemberRecord[], syncRequest: boolean): void {
    chunkRecords(this.self, records).forEach((chunk, i) => {
      this.send(step, to, {
        type: 'states',
        from: this.me,
        seq: 0,
        syncRequest: syncRequest && i === 0,
        records: chunk,
      });
    });
  }

  /** Stamps the current self record and the next sequence number. */
  private send(step: Step, to: string, message: Message): void {
    this.seq++;
    step.send.push({ to, message: { ...message, from: this.me, seq: this.seq } });
  }
}

function emptyStep(): Step {
  return { send: [], events: [] };
}

function reject(step: Step, reason: RejectReason, from: string): Step {
  step.events.push({ type: 'rejected', reason, from });
  return step;
}
