// What the speaker wiring uses: the membership protocol driven by real time and a UDP socket. This is the
// thin shell around protocol.ts (pure) and codec.ts (pure): it owns the timer, the socket and the callbacks.
import { systemClock, type Clock, type TimerHandle } from '../../kube/clock';
import { decode, encode, type DecodeFailure } from './codec';
import type { Message } from './messages';
import {
  MembershipProtocol,
  type MembershipEvent,
  type Outgoing,
  type PeerStatus,
  type ProtocolConfig,
  type SelfState,
  type Step,
} from './protocol';
import { DEFAULT_PORT, UdpTransport, type Datagram } from './transport';

/** A speaker pod as the API server lists it: the node it runs on and its pod IP. */
export interface SpeakerEndpoint {
  readonly name: string;
  readonly address: string;
  readonly port?: number;
}

export interface MembershipOptions {
  /** This speaker's node name (spec.nodeName), the member name. */
  readonly self: string;
  /** --ml-bindaddr: the pod IP. */
  readonly bindAddress: string;
  /** --ml-bindport; 7946 by default. */
  readonly bindPort?: number;
  /** The memberlist Secret's key bytes (METALLB_ML_SECRET_KEY). */
  readonly secretKey: Buffer;
  readonly clock?: Clock;
  readonly config?: Partial<ProtocolConfig>;
  /** Process start by default; must grow across restarts of the same speaker. */
  readonly incarnation?: number;
  readonly onEvent?: (event: MembershipEvent) => void;
  /**
   * Told of every failed bind (address not on this node yet or any more, port taken) with the delay before
   * the next try, and once with `undefined` when a bind succeeds after failures.
   */
  readonly onBindError?: (error: Error | undefined, retryInMs: number) => void;
  /** First delay between bind tries; doubles up to BIND_RETRY_MAX_MS. */
  readonly bindRetryMs?: number;
}

/** Longest wait between bind tries: an address that comes back is used within this. */
export const BIND_RETRY_MAX_MS = 5_000;
const BIND_RETRY_FIRST_MS = 500;

export interface MembershipMetrics {
  /** Other members currently seen alive. */
  readonly peersSeen: number;
  /** Deaths this member detected itself. */
  readonly failoversDetected: number;
  /** Deaths learned from others. */
  readonly deathsLearned: number;
  /** Silence before each death this member detected (ms), the most recent 100. */
  readonly detectionTimesMs: readonly number[];
  readonly packetsSent: number;
  readonly packetsReceived: number;
  /** Refused packets by reason: badMac (wrong key), replay, malformed, unknownSender, ... */
  readonly rejected: Readonly<Record<string, number>>;
  /** Every listed speaker pod's node but this one, with its status in this member's view. */
  readonly peers: ReadonlyMap<string, PeerStatus>;
  /** This member's own standing (joining, active, isolated, leaving, left). */
  readonly selfState: SelfState;
}

export class Membership {
  private readonly clock: Clock;
  private readonly proto: MembershipProtocol;
  private readonly transport = new UdpTransport();
  private readonly endpoints = new Map<string, { address: string; port: number }>();
  private readonly listeners = new Set<(alive: ReadonlySet<string>) => void | Promise<void>>();
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastAlive = '';
  private closed = false;
  private boundPort = 0;
  private binding: Promise<number> | undefined;
  private bindError: Error | undefined;
  private bindRetry: TimerHandle | undefined;
  private protocolStarted = false;
  /** start() was called while unbound: the protocol starts on the first successful bind. */
  private startWhenBound = false;
  private leftWaiters: (() => void)[] = [];
  /** Settles when every listener has applied the changes so far; acknowledgements wait for it. */
  private applying: Promise<void> | undefined;
  private readonly counters = {
    failoversDetected: 0,
    deathsLearned: 0,
    packetsSent: 0,
    packetsReceived: 0,
    detectionTimesMs: [] as number[],
    rejected: {} as Record<string, number>,
  };

  constructor(private readonly options: MembershipOptions) {
    this.clock = options.clock ?? systemClock();
    const now = this.clock.now();
    this.proto = new MembershipProtocol(options.self, options.incarnation ?? now, now, options.config);
  }

  /**
   * Binds the socket; resolves with the bound port (useful with port 0), or with 0 when the first try failed.
   * A failed bind never throws: the pod IP of a host-network speaker is the node's address, which is missing
   * while its link is down (IPv6 addresses go with the link) or not yet configured at boot, so the speaker
   * retries with backoff instead of crash-looping. Until bound it sends and hears nothing, which the protocol
   * treats as a partition: its peers see it dead and take its addresses; it hears no one, is isolated and
   * answers nothing (protocol.ts), so an unbound speaker can never answer beside the owner.
   */
  bind(): Promise<number> {
    this.binding ??= this.tryBind(this.options.bindRetryMs ?? BIND_RETRY_FIRST_MS);
    return this.binding;
  }

  /** The last bind failure while the socket is unbound; undefined once bound. */
  bindFailure(): Error | undefined {
    return this.bindError;
  }

  /**
   * Starts with the speakers the API server lists; binds first if bind() was not called. While the socket is
   * unbound the protocol does not start (it would time its join out hearing no one and turn active beside
   * the owners); it starts with the latest candidates once a retry binds.
   */
  async start(speakers: readonly SpeakerEndpoint[]): Promise<void> {
    await this.bind();
    this.recordEndpoints(speakers);
    if (this.boundPort === 0) this.startWhenBound = true;
    else this.startProtocol();
  }

  setCandidates(speakers: readonly SpeakerEndpoint[]): void {
    this.recordEndpoints(speakers);
    if (!this.protocolStarted) return;
    this.process(
      this.proto.setCandidates(
        this.clock.now(),
        speakers.map((s) => s.name),
      ),
    );
  }

  setApiReachable(reachable: boolean): void {
    this.proto.setApiReachable(reachable);
  }

  aliveSpeakers(): Set<string> {
    return this.proto.aliveSpeakers();
  }

  /** Cut off: isolated by the protocol, or not started because the socket cannot bind. */
  isIsolated(): boolean {
    return this.startWhenBound || this.proto.isIsolated();
  }

  /** Whether the announcer may answer now (protocol.ts mayAnswer: active, and no stall since the last tick). */
  mayAnswer(): boolean {
    return !this.closed && this.protocolStarted && this.proto.mayAnswer(this.clock.now());
  }

  state(): SelfState {
    return this.proto.state();
  }

  private startProtocol(): void {
    this.protocolStarted = true;
    this.process(this.proto.start(this.clock.now(), [...this.endpoints.keys()]));
  }

  private async tryBind(retryMs: number): Promise<number> {
    if (this.closed) return 0;
    try {
      this.boundPort = await this.transport.bind(
        this.options.bindAddress,
        this.options.bindPort ?? DEFAULT_PORT,
        (d) => this.onDatagram(d),
      );
      if (this.bindError !== undefined) this.options.onBindError?.(undefined, 0);
      this.bindError = undefined;
      if (this.startWhenBound) {
        this.startWhenBound = false;
        this.startProtocol();
      }
      return this.boundPort;
    } catch (err) {
      this.bindError = err instanceof Error ? err : new Error(String(err));
      this.options.onBindError?.(this.bindError, retryMs);
      this.bindRetry = this.clock.setTimeout(() => {
        this.bindRetry = undefined;
        void this.tryBind(Math.min(retryMs * 2, BIND_RETRY_MAX_MS));
      }, retryMs);
      return 0;
    }
  }

  /**
   * Called with the new alive set whenever it changes; returns an unsubscribe function. A listener that
   * returns a promise holds this member's acknowledgements back until it settles, so an ack keeps meaning
   * "applied" when the speaker spreads a large recompute over several turns of the event loop.
   */
  onChange(cb: (alive: ReadonlySet<string>) => void | Promise<void>): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  metrics(): MembershipMetrics {
    const alive = this.proto.aliveSpeakers();
    alive.delete(this.options.self);
    return {
      ...this.counters,
      detectionTimesMs: [...this.counters.detectionTimesMs],
      rejected: { ...this.counters.rejected },
      peersSeen: alive.size,
      peers: this.proto.peerStatuses(),
      selfState: this.proto.state(),
    };
  }

  /** Planned leave: resolves once the successors have taken over (or the leave timeout passed). */
  leave(): Promise<void> {
    // Never started (unbound): nobody holds this member alive, so there is nothing to hand over.
    if (!this.protocolStarted) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.leftWaiters.push(resolve));
    this.process(this.proto.leave(this.clock.now()));
    if (this.proto.state() === 'left') this.flushLeft();
    return done;
  }

  /** Stops at once, without telling anyone (the others detect the silence). */
  close(): void {
    this.closed = true;
    if (this.bindRetry) this.clock.clearTimeout(this.bindRetry);
    this.bindRetry = undefined;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.transport.close();
    this.flushLeft();
  }

  private sendOut(name: string, message: Message): void {
    const to = this.endpoints.get(name);
    if (!to) return;
    this.counters.packetsSent++;
    this.transport.send(encode(message, this.options.secretKey), to.address, to.port);
  }

  private recordEndpoints(speakers: readonly SpeakerEndpoint[]): void {
    this.endpoints.clear();
    for (const s of speakers)
      this.endpoints.set(s.name, { address: s.address, port: s.port ?? DEFAULT_PORT });
  }

  private onDatagram(d: Datagram): void {
    if (this.closed) return;
    this.counters.packetsReceived++;
    const decoded = decode(d.bytes, this.options.secretKey);
    if (!decoded.ok) {
      this.count(decoded.reason);
      return;
    }
    this.process(this.proto.receive(this.clock.now(), decoded.message));
  }

  private count(reason: DecodeFailure | string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
  }

  private process(step: Step): void {
    if (this.closed) return;
    for (const e of step.events) {
      if (e.type === 'rejected') this.count(e.reason);
      if (e.type === 'memberDead') {
        if (e.declaredByMe) {
          this.counters.failoversDetected++;
          if (e.silenceMs !== undefined) this.counters.detectionTimesMs.push(e.silenceMs);
          if (this.counters.detectionTimesMs.length > 100) this.counters.detectionTimesMs.shift();
        } else {
          this.counters.deathsLearned++;
        }
      }
      this.options.onEvent?.(e);
    }
    // Listeners run before the acknowledgements go out, and acks wait for what they return: an ack then
    // means "I have applied it", which a joiner waits for before it answers and a leaver before it stops.
    const alive = this.proto.aliveSpeakers();
    const key = [...alive].sort().join(',');
    const applying: Promise<void>[] = [];
    if (key !== this.lastAlive) {
      this.lastAlive = key;
      for (const cb of this.listeners) {
        const result = cb(alive);
        if (result instanceof Promise) applying.push(result);
      }
    }
    if (applying.length > 0) {
      const all = Promise.all([this.applying, ...applying]).then(
        () => undefined,
        () => undefined,
      );
      this.applying = all;
      void all.then(() => {
        if (this.applying === all) this.applying = undefined;
      });
    }
    const held: Outgoing[] = [];
    for (const out of step.send) {
      if (out.message.type === 'ack' && this.applying !== undefined) held.push(out);
      else this.sendOut(out.to, out.message);
    }
    const waitFor = this.applying;
    if (held.length > 0 && waitFor !== undefined) {
      void waitFor.then(() => {
        for (const out of held) if (!this.closed) this.sendOut(out.to, this.proto.restamp(out.message));
      });
    }
    if (this.proto.state() === 'left') this.flushLeft();
    this.arm();
  }

  private arm(): void {
    const at = this.proto.nextWakeAt();
    if (at >= this.timerAt && this.timer) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    this.timer = this.clock.setTimeout(() => {
      // Tick one turn later, after the poll phase: when the loop was blocked, the heartbeats that queued in
      // the socket meanwhile are read first, so a late timer does not judge peers silent who were not.
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.process(this.proto.tick(this.clock.now()));
      }, 0);
    }, at - this.clock.now());
  }

  private flushLeft(): void {
    const waiters = this.leftWaiters;
    this.leftWaiters = [];
    for (const w of waiters) w();
  }
}
