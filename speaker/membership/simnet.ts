// A simulated network for protocol tests: a fake clock, an event queue, per-packet latency, cuts and kills.
// Every packet goes through the real codec (encode, HMAC, decode), so the simulation exercises the wire path.
// It also keeps the announcement trace: which member would answer each test address at every instant, using
// the election module, so tests can assert "at most one announcer per address" over the whole run.
import { electL2Winner } from '../election/candidates';
import { decode, encode } from './codec';
import { MembershipProtocol, type ProtocolConfig, type Step } from './protocol';

interface Event {
  readonly at: number;
  readonly order: number;
  readonly run: () => void;
}

interface SimMember {
  proto: MembershipProtocol;
  up: boolean;
  wakeAt: number;
  announced: Set<string>;
  sentPackets: number;
}

export interface Overlap {
  readonly at: number;
  readonly ip: string;
  readonly members: string[];
}

/** Deterministic PRNG (mulberry32) so every run of a test is the same run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimNetwork {
  now = 0;
  private order = 0;
  private readonly queue: Event[] = [];
  readonly members = new Map<string, SimMember>();
  private readonly cut = new Set<string>();
  /** Directed links that drop everything: "a>b". */
  private readonly blocked = new Set<string>();
  readonly key = Buffer.alloc(32, 7);
  readonly overlaps: Overlap[] = [];
  /** Per address, when it had no announcer at all while some member was up (for make-before-break checks). */
  readonly gaps: { at: number; ip: string }[] = [];
  readonly log: { at: number; member: string; event: string }[] = [];
  private readonly random: () => number;

  constructor(
    readonly names: readonly string[],
    readonly addresses: readonly string[],
    readonly config: Partial<ProtocolConfig> = {},
    seed = 1,
  ) {
    this.random = rng(seed);
  }

  static named(n: number, addresses = 16, config: Partial<ProtocolConfig> = {}, seed = 1): SimNetwork {
    const names = Array.from({ length: n }, (_, i) => `node-${i}`);
    const ips = Array.from({ length: addresses }, (_, i) => `192.0.2.${i + 1}`);
    return new SimNetwork(names, ips, config, seed);
  }

  /** Starts every member at a random offset within one interval. */
  startAll(): void {
    for (const name of this.names) this.startAt(name, this.now + Math.floor(this.random() * 100));
  }

  startAt(name: string, at: number): void {
    this.schedule(at, () => {
      const proto = new MembershipProtocol(name, 1_700_000_000_000 + this.now, this.now, this.config);
      const m: SimMember = {
        proto,
        up: true,
        wakeAt: Number.POSITIVE_INFINITY,
        announced: new Set(),
        sentPackets: 0,
      };
      this.members.set(name, m);
      this.handle(name, proto.start(this.now, this.names));
    });
  }

  member(name: string): MembershipProtocol {
    const m = this.members.get(name);
    if (!m) throw new Error(`no member ${name}`);
    return m.proto;
  }

  /** SIGKILL: the process stops; its addresses stop being answered at once. */
  kill(name: string): void {
    const m = this.members.get(name);
    if (!m) return;
    m.up = false;
    this.setAnnounced(name, new Set());
  }

  isolate(name: string): void {
    this.cut.add(name);
  }

  heal(name: string): void {
    this.cut.delete(name);
  }

  block(from: string, to: string): void {
    this.blocked.add(`${from}>${to}`);
  }

  unblock(from: string, to: string): void {
    this.blocked.delete(`${from}>${to}`);
  }

  leave(name: string): void {
    this.handle(name, this.member(name).leave(this.now));
  }

  sentPackets(name: string): number {
    return this.members.get(name)?.sentPackets ?? 0;
  }

  /** Runs events until `until` (absolute ms). Bounded: a runaway protocol fails the test, not the machine. */
  runUntil(until: number): void {
    let budget = 5_000_000;
    while (this.queue.length > 0) {
      const next = this.peek();
      if (!next || next.at > until) break;
      this.pop();
      this.now = next.at;
      next.run();
      if (--budget === 0) throw new Error('simulation did not settle');
    }
    this.now = until;
  }

  run(ms: number): void {
    this.runUntil(this.now + ms);
  }

  /** Runs until `cond` holds or `limit` ms pass; returns the time it took, or undefined. */
  runUntilTrue(cond: () => boolean, limit: number, step = 1): number | undefined {
    const start = this.now;
    while (this.now - start <= limit) {
      if (cond()) return this.now - start;
      this.run(step);
    }
    return undefined;
  }

  upMembers(): string[] {
    return [...this.members.entries()].filter(([, m]) => m.up).map(([n]) => n);
  }

  /** Every up member (except those listed) sees exactly `expected` alive and is active. */
  agree(expected: readonly string[], except: readonly string[] = []): boolean {
    const want = [...expected].sort().join(',');
    return this.upMembers()
      .filter((n) => !except.includes(n))
      .every((n) => {
        const p = this.member(n);
        return p.state() === 'active' && [...p.aliveSpeakers()].sort().join(',') === want;
      });
  }

  announcers(ip: string): string[] {
    return [...this.members.entries()].filter(([, m]) => m.announced.has(ip)).map(([n]) => n);
  }

  private handle(name: string, step: Step): void {
    const m = this.members.get(name);
    if (!m || !m.up) return;
    for (const e of step.events) this.log.push({ at: this.now, member: name, event: JSON.stringify(e) });
    this.recomputeAnnounced(name);
    for (const out of step.send) {
      m.sentPackets++;
      const bytes = encode(out.message, this.key);
      if (this.cut.has(name) || this.cut.has(out.to) || this.blocked.has(`${name}>${out.to}`)) continue;
      const latency = 1 + this.random();
      this.schedule(this.now + latency, () => this.deliver(out.to, bytes));
    }
    const wake = m.proto.nextWakeAt();
    if (wake < m.wakeAt || m.wakeAt <= this.now) {
      m.wakeAt = wake;
      if (Number.isFinite(wake)) {
        this.schedule(Math.max(wake, this.now), () => {
          if (m.wakeAt !== wake) return;
          m.wakeAt = Number.POSITIVE_INFINITY;
          this.handle(name, m.proto.tick(this.now));
        });
      }
    }
  }

  private deliver(to: string, bytes: Buffer): void {
    const m = this.members.get(to);
    if (!m || !m.up) return;
    const decoded = decode(bytes, this.key);
    if (!decoded.ok) throw new Error(`simulated packet failed to decode: ${decoded.reason}`);
    this.handle(to, m.proto.receive(this.now, decoded.message));
  }

  /** What this member would announce now: the addresses the election gives it over its own alive set. */
  private recomputeAnnounced(name: string): void {
    const m = this.members.get(name);
    if (!m) return;
    const alive = m.proto.aliveSpeakers();
    const mine = new Set<string>();
    if (m.up && alive.has(name)) {
      for (const ip of this.addresses) if (electL2Winner(alive, ip, []) === name) mine.add(ip);
    }
    this.setAnnounced(name, mine);
  }

  private setAnnounced(name: string, next: Set<string>): void {
    const m = this.members.get(name);
    if (!m) return;
    const before = m.announced;
    m.announced = next;
    for (const ip of next) {
      if (before.has(ip)) continue;
      const who = this.announcers(ip);
      if (who.length > 1) this.overlaps.push({ at: this.now, ip, members: who });
    }
    for (const ip of before) {
      if (next.has(ip)) continue;
      if (this.announcers(ip).length === 0 && this.upMembers().length > 0)
        this.gaps.push({ at: this.now, ip });
    }
  }

  private schedule(at: number, run: () => void): void {
    const e = { at, order: this.order++, run };
    // Binary insertion keeps the queue sorted by (at, order).
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid];
      if (q && (q.at < at || (q.at === at && q.order < e.order))) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, e);
  }

  private peek(): Event | undefined {
    return this.queue[0];
  }

  private pop(): void {
    this.queue.shift();
  }
}
