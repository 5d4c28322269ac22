// The Layer 2 announcer: answers ARP and NDP for the addresses this node announces, on the interfaces it
// was told to use, and announces takeovers with gratuitous ARP / unsolicited NA. All I/O goes through an
// injected `L2Io` and all timing through an injected Clock, so the state machine is tested without root.
//
// State is level-triggered: every scan, announce and withdraw recomputes which responders and multicast
// memberships should exist and converges to that, as upstream `internal/layer2/announcer.go` does on its
// interface scan (every 10 s upstream; 1 s here by default, see `scanIntervalMs`).
import { parseIP } from '../../addr/ip';
import { type Clock, type TimerHandle, systemClock } from '../../kube/clock';
import { solicitedNodeGroup } from './codec/address';
import { decode, encode } from './codec/frame';
import { gratuitousArp, unsolicitedNeighborAdvertisement } from './gratuitous';
import { type UsableInterface, selectUsableInterfaces } from './interfaces';
import type { InterfaceAddress, Link } from './netlink';
import { respond } from './responder';

export type L2Protocol = 'arp' | 'ndp';

export interface ResponderHandle {
  send(frame: Uint8Array): void;
  close(): void;
}

/** The edges the announcer drives; `linuxL2Io()` in io.ts is the real one. */
export interface L2Io {
  readInterfaces(): { links: readonly Link[]; addresses: readonly InterfaceAddress[] };
  openResponder(
    iface: UsableInterface,
    protocol: L2Protocol,
    onFrame: (frame: Uint8Array) => void,
  ): ResponderHandle;
  joinGroup(group: string, ifname: string): void;
  leaveGroup(group: string, ifname: string): void;
  close(): void;
}

/** What the speaker wiring turns into metallb_layer2_* metrics. */
export interface L2Metrics {
  requestReceived(ip: string): void;
  responseSent(ip: string): void;
  gratuitousSent(ip: string): void;
  /** A frame that did not decode (the reason is the codec's). */
  malformedFrame(reason: string, iface: string): void;
  /** A well-formed frame not answered (the reason is the responder's DropReason). */
  requestIgnored(reason: string, iface: string): void;
}

const bump = (m: Map<string, number>, key: string): void => {
  m.set(key, (m.get(key) ?? 0) + 1);
};

/** Plain counters, the default L2Metrics; keys are IPs, or `reason/iface` for drops. */
export class L2Counters implements L2Metrics {
  readonly requestsReceived = new Map<string, number>();
  readonly responsesSent = new Map<string, number>();
  readonly gratuitousSentByIp = new Map<string, number>();
  readonly malformed = new Map<string, number>();
  readonly ignored = new Map<string, number>();
  requestReceived(ip: string): void {
    bump(this.requestsReceived, ip);
  }
  responseSent(ip: string): void {
    bump(this.responsesSent, ip);
  }
  gratuitousSent(ip: string): void {
    bump(this.gratuitousSentByIp, ip);
  }
  malformedFrame(reason: string, iface: string): void {
    bump(this.malformed, `${reason}/${iface}`);
  }
  requestIgnored(reason: string, iface: string): void {
    bump(this.ignored, `${reason}/${iface}`);
  }
  toJSON(): Record<string, Record<string, number>> {
    return {
      requestsReceived: Object.fromEntries(this.requestsReceived),
      responsesSent: Object.fromEntries(this.responsesSent),
      gratuitousSent: Object.fromEntries(this.gratuitousSentByIp),
      malformed: Object.fromEntries(this.malformed),
      ignored: Object.fromEntries(this.ignored),
    };
  }
}

export interface AnnouncerOptions {
  readonly io: L2Io;
  readonly clock?: Clock;
  readonly metrics?: L2Metrics;
  /** Interfaces never used, upstream's exclude regex. */
  readonly excludeInterfaces?: RegExp;
  /**
   * How often to re-read links and addresses (default 1000 ms). A dump costs microseconds; polling is
   * level-triggered and cannot lose an event to a netlink ENOBUFS overrun the way a subscription can,
   * and 1 s is well inside the time a new or re-upped interface can wait.
   */
  readonly scanIntervalMs?: number;
  /** Gratuitous burst after a takeover: the first at once, then every `burstIntervalMs` for `burstWindowMs`. */
  readonly burstIntervalMs?: number; // upstream 1100
  readonly burstWindowMs?: number; // upstream 5000
  /** Re-announce every announced address this often; 0 (default, as upstream) never. */
  readonly refreshIntervalMs?: number;
  /** Something failed at an edge (a socket could not open, a send failed); reported once per distinct error. */
  readonly onError?: (err: Error) => void;
  /**
   * Asked before every reply and gratuitous frame: false holds everything back while the node may not answer
   * (membership fenced, or the event loop just stalled and membership has not looked again). Frames that
   * waited in the socket through a stall must not be answered on the strength of a view that is now stale.
   */
  readonly mayAnswer?: () => boolean;
}

interface Announcement {
  readonly family: 4 | 6;
  readonly interfaces: 'all' | ReadonlySet<string>;
  /** The solicited-node multicast group of an IPv6 address (RFC 4291 2.7.1), computed once. */
  readonly group?: string;
}

interface OpenResponder {
  readonly iface: UsableInterface;
  readonly handle: ResponderHandle;
}

export class Announcer {
  private readonly clock: Clock;
  readonly metrics: L2Metrics;
  private readonly announcements = new Map<string, Announcement>();
  private usable = new Map<string, UsableInterface>();
  private readonly responders = new Map<string, OpenResponder>(); // `${ifname}/${protocol}`
  // Joined multicast groups, `${group}%${ifname}`, each with the addresses that need it: addresses sharing their
  // low 24 bits share a solicited-node group, so a group is left only when its last address goes.
  private readonly groups = new Map<string, Set<string>>();
  private readonly bursts = new Map<string, { until: number; timer: TimerHandle }>();
  private readonly reported = new Set<string>();
  private scanTimer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  private running = false;

  constructor(private readonly opts: AnnouncerOptions) {
    this.clock = opts.clock ?? systemClock();
    this.metrics = opts.metrics ?? new L2Counters();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.scan();
    this.scheduleRefresh();
  }

  stop(): void {
    this.running = false;
    for (const t of [this.scanTimer, this.refreshTimer]) if (t !== undefined) this.clock.clearTimeout(t);
    for (const b of this.bursts.values()) this.clock.clearTimeout(b.timer);
    this.bursts.clear();
    this.announcements.clear();
    this.usable = new Map();
    this.converge();
    this.opts.io.close();
  }

  /** Starts answering for `ip` on `interfaces` (replacing any earlier list) and announces it at once. */
  announce(ip: string, interfaces: readonly string[] | 'all'): void {
    const parsed = parseIP(ip);
    if (parsed === undefined) throw new TypeError(`announce: ${JSON.stringify(ip)} is not an IP address`);
    this.announcements.set(ip, {
      family: parsed.family,
      interfaces: interfaces === 'all' ? 'all' : new Set(interfaces),
      ...(parsed.family === 6 ? { group: solicitedNodeGroup(ip) } : {}),
    });
    // Only this address's groups: a full converge per call made announcing N addresses cost O(N^2).
    this.convergeGroupsOf(ip);
    this.startBurst(ip);
  }

  /** Stops answering for `ip` immediately. */
  withdraw(ip: string): void {
    const was = this.announcements.get(ip);
    this.announcements.delete(ip);
    const burst = this.bursts.get(ip);
    if (burst !== undefined) this.clock.clearTimeout(burst.timer);
    this.bursts.delete(ip);
    if (was?.group !== undefined) this.convergeGroupsOf(ip, was.group);
  }

  isAnnounced(ip: string): boolean {
    return this.announcements.has(ip);
  }

  /** The interfaces currently answered on, as of the last scan. */
  interfaces(): UsableInterface[] {
    return [...this.usable.values()];
  }

  private covers(ip: string, ifname: string): boolean {
    const a = this.announcements.get(ip);
    return a !== undefined && (a.interfaces === 'all' || a.interfaces.has(ifname));
  }

  private report(key: string, err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const id = `${key}: ${e.message}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.opts.onError?.(e);
  }

  private scan(): void {
    if (!this.running) return;
    try {
      const { links, addresses } = this.opts.io.readInterfaces();
      const list = selectUsableInterfaces(links, addresses, this.opts.excludeInterfaces);
      this.usable = new Map(list.map((i) => [i.name, i]));
    } catch (err) {
      this.report('scan', err); // keep the last known list
    }
    this.converge();
    this.scanTimer = this.clock.setTimeout(() => this.scan(), this.opts.scanIntervalMs ?? 1000);
  }

  private converge(): void {
    const wanted = new Map<string, { iface: UsableInterface; protocol: L2Protocol }>();
    for (const iface of this.usable.values()) {
      if (iface.arp) wanted.set(`${iface.name}/arp`, { iface, protocol: 'arp' });
      if (iface.ndp) wanted.set(`${iface.name}/ndp`, { iface, protocol: 'ndp' });
    }
    for (const [key, open] of this.responders) {
      const want = wanted.get(key);
      if (want === undefined || !sameInterface(want.iface, open.iface)) {
        open.handle.close();
        this.responders.delete(key);
      }
    }
    for (const [key, { iface, protocol }] of wanted) {
      if (this.responders.has(key)) continue;
      try {
        const handle = this.opts.io.openResponder(iface, protocol, (bytes) =>
          this.onFrame(iface.name, bytes),
        );
        this.responders.set(key, { iface, handle });
        this.reported.forEach((id) => id.startsWith(`${key}:`) && this.reported.delete(id));
      } catch (err) {
        this.report(key, err);
      }
    }
    const wantedGroups = new Map<string, Set<string>>();
    for (const [ip, a] of this.announcements) {
      if (a.group === undefined) continue;
      for (const iface of this.usable.values()) {
        if (!iface.ndp || !this.covers(ip, iface.name)) continue;
        const key = `${a.group}%${iface.name}`;
        let ips = wantedGroups.get(key);
        if (ips === undefined) wantedGroups.set(key, (ips = new Set()));
        ips.add(ip);
      }
    }
    for (const key of [...this.groups.keys()]) if (!wantedGroups.has(key)) this.leave(key);
    for (const [key, ips] of wantedGroups) this.join(key, ips);
  }

  /** Converges the groups one address needs (after it was announced, changed or withdrawn). */
  private convergeGroupsOf(ip: string, group = this.announcements.get(ip)?.group): void {
    if (group === undefined) return;
    for (const iface of this.usable.values()) {
      const key = `${group}%${iface.name}`;
      const ips = this.groups.get(key);
      if (iface.ndp && this.covers(ip, iface.name)) {
        if (ips !== undefined) ips.add(ip);
        else this.join(key, new Set([ip]));
      } else if (ips?.delete(ip) === true && ips.size === 0) {
        this.leave(key);
      }
    }
  }

  private join(key: string, ips: Set<string>): void {
    if (this.groups.has(key)) {
      this.groups.set(key, ips);
      return;
    }
    const [group = '', ifname = ''] = key.split('%');
    try {
      this.opts.io.joinGroup(group, ifname);
      this.groups.set(key, ips);
    } catch (err) {
      this.report(`join ${key}`, err); // retried by the next scan
    }
  }

  private leave(key: string): void {
    const [group = '', ifname = ''] = key.split('%');
    this.groups.delete(key);
    try {
      this.opts.io.leaveGroup(group, ifname);
    } catch (err) {
      this.report(`leave ${key}`, err); // the interface may be gone, which leaves the group anyway
    }
  }

  private onFrame(ifname: string, bytes: Uint8Array): void {
    const iface = this.usable.get(ifname);
    if (iface === undefined) return;
    const frame = decode(bytes);
    if (!frame.ok) {
      this.metrics.malformedFrame(frame.reason, ifname);
      return;
    }
    const decision = respond(frame.value, iface, (ip) => this.covers(ip, ifname));
    if (decision.kind !== 'drop' && this.opts.mayAnswer?.() === false) {
      this.metrics.requestIgnored('fenced', ifname);
      return;
    }
    if (decision.kind === 'drop') {
      this.metrics.requestIgnored(decision.reason, ifname);
      return;
    }
    this.metrics.requestReceived(decision.ip);
    if (this.send(iface, frame.value.protocol, encode(decision.frame)))
      this.metrics.responseSent(decision.ip);
  }

  private send(iface: UsableInterface, protocol: L2Protocol, bytes: Uint8Array): boolean {
    const key = `${iface.name}/${protocol}`;
    const open = this.responders.get(key);
    if (open === undefined) return false;
    try {
      open.handle.send(bytes);
      return true;
    } catch (err) {
      this.report(`send ${key}`, err);
      return false;
    }
  }

  private sendGratuitous(ip: string): void {
    const a = this.announcements.get(ip);
    if (a === undefined || this.opts.mayAnswer?.() === false) return;
    for (const iface of this.usable.values()) {
      if (!this.covers(ip, iface.name)) continue;
      if (a.family === 4 && iface.arp) {
        for (const f of gratuitousArp(ip, iface.mac)) {
          if (this.send(iface, 'arp', encode(f))) this.metrics.gratuitousSent(ip);
        }
      } else if (a.family === 6 && iface.ndp) {
        const f = unsolicitedNeighborAdvertisement(ip, iface.mac);
        if (this.send(iface, 'ndp', encode(f))) this.metrics.gratuitousSent(ip);
      }
    }
  }

  // Upstream `spamLoop`: the first announce sends at once; each announce extends the window, so a
  // reconcile during the burst does not restart it but keeps it going.
  private startBurst(ip: string): void {
    const until = this.clock.now() + (this.opts.burstWindowMs ?? 5000);
    const running = this.bursts.get(ip);
    if (running !== undefined) {
      running.until = until;
      return;
    }
    this.sendGratuitous(ip);
    const tick = (): void => {
      const b = this.bursts.get(ip);
      if (b === undefined) return;
      if (!this.announcements.has(ip) || this.clock.now() >= b.until) {
        this.bursts.delete(ip);
        return;
      }
      this.sendGratuitous(ip);
      b.timer = this.clock.setTimeout(tick, this.opts.burstIntervalMs ?? 1100);
    };
    this.bursts.set(ip, { until, timer: this.clock.setTimeout(tick, this.opts.burstIntervalMs ?? 1100) });
  }

  private scheduleRefresh(): void {
    const every = this.opts.refreshIntervalMs ?? 0;
    if (every <= 0 || !this.running) return;
    this.refreshTimer = this.clock.setTimeout(() => {
      for (const ip of this.announcements.keys()) if (!this.bursts.has(ip)) this.sendGratuitous(ip);
      this.scheduleRefresh();
    }, every);
  }
}

function sameInterface(a: UsableInterface, b: UsableInterface): boolean {
  return a.index === b.index && a.mac === b.mac && a.linkLocal === b.linkLocal && a.arp === b.arp;
}
