import { FakeClock } from '../../testkit/fakeclock';
import { Announcer, L2Counters, type L2Io, type L2Protocol } from './announcer';
import { decode, encode, type Frame } from './codec/frame';
import type { UsableInterface } from './interfaces';
import type { InterfaceAddress, Link } from './netlink';

const MAC = '02:00:00:00:00:0a';
const PEER = '02:00:00:00:00:0b';

/** An L2Io that records what would go on the wire and lets a test inject received frames. */
class FakeIo implements L2Io {
  links: Link[] = [{ index: 2, name: 'eth0', type: 1, flags: 0x3, mac: MAC }];
  addresses: InterfaceAddress[] = [
    { index: 2, family: 10, prefixLength: 64, scope: 253, flags: 0x80, address: 'fe80::ff:fe00:a' },
  ];
  readonly sent: { ifname: string; frame: Frame }[] = [];
  readonly open = new Map<string, (bytes: Uint8Array) => void>();
  readonly groups = new Set<string>();
  failOpen: Error | undefined;

  readInterfaces() {
    return { links: this.links, addresses: this.addresses };
  }
  openResponder(iface: UsableInterface, protocol: L2Protocol, onFrame: (b: Uint8Array) => void) {
    if (this.failOpen !== undefined) throw this.failOpen;
    const key = `${iface.name}/${protocol}`;
    this.open.set(key, onFrame);
    return {
      send: (bytes: Uint8Array) => {
        const d = decode(bytes);
        if (!d.ok) throw new Error(d.reason);
        this.sent.push({ ifname: iface.name, frame: d.value });
      },
      close: () => void this.open.delete(key),
    };
  }
  joins = 0;
  joinGroup(group: string, ifname: string) {
    this.joins++;
    this.groups.add(`${group}%${ifname}`);
  }
  leaveGroup(group: string, ifname: string) {
    this.groups.delete(`${group}%${ifname}`);
  }
  close() {}
  receive(key: string, frame: Frame | Uint8Array) {
    const cb = this.open.get(key);
    if (cb === undefined) throw new Error(`no responder ${key}`);
    cb(frame instanceof Uint8Array ? frame : encode(frame));
  }
}

function whoHas(ip: string): Frame {
  return {
    ethernet: { destination: 'ff:ff:ff:ff:ff:ff', source: PEER, etherType: 0x0806 },
    protocol: 'arp',
    arp: {
      operation: 'request',
      senderMac: PEER,
      senderIp: '192.0.2.2',
      targetMac: '00:00:00:00:00:00',
      targetIp: ip,
    },
  };
}

function setup(opts: { refreshIntervalMs?: number; mayAnswer?: () => boolean } = {}) {
  const io = new FakeIo();
  const clock = new FakeClock();
  const metrics = new L2Counters();
  const errors: Error[] = [];
  const announcer = new Announcer({ io, clock, metrics, onError: (e) => errors.push(e), ...opts });
  announcer.start();
  return { io, clock, metrics, errors, announcer };
}

describe('Announcer', () => {
  it('opens an ARP and an NDP responder on each usable interface', () => {
    const { io } = setup();
    expect([...io.open.keys()].sort()).toEqual(['eth0/arp', 'eth0/ndp']);
  });

  it('answers ARP for an announced address and counts the request and the response', () => {
    const { io, metrics, announcer } = setup();
    announcer.announce('192.0.2.200', ['eth0']);
    io.sent.length = 0;
    io.receive('eth0/arp', whoHas('192.0.2.200'));
    expect(io.sent).toMatchObject([
      { ifname: 'eth0', frame: { arp: { operation: 'reply', senderMac: MAC } } },
    ]);
    expect(metrics.requestsReceived.get('192.0.2.200')).toBe(1);
    expect(metrics.responsesSent.get('192.0.2.200')).toBe(1);
  });

  it('does not answer on an interface the address is not announced on', () => {
    const { io, metrics, announcer } = setup();
    announcer.announce('192.0.2.200', ['eth1']);
    io.receive('eth0/arp', whoHas('192.0.2.200'));
    expect(io.sent).toEqual([]);
    expect(metrics.ignored.get('not-announced/eth0')).toBe(1);
  });

  it('stops answering at once on withdraw', () => {
    const { io, announcer } = setup();
    announcer.announce('192.0.2.200', 'all');
    announcer.withdraw('192.0.2.200');
    io.sent.length = 0;
    io.receive('eth0/arp', whoHas('192.0.2.200'));
    expect(io.sent).toEqual([]);
  });

  it('counts malformed frames by reason and interface', () => {
    const { io, metrics } = setup();
    io.receive('eth0/arp', Uint8Array.of(1, 2, 3));
    expect(metrics.malformed.get('ethernet-truncated/eth0')).toBe(1);
  });

  it('sends a gratuitous request and reply at once, then every 1.1 s for 5 s (upstream spamLoop)', async () => {
    const { io, clock, metrics, announcer } = setup();
    announcer.announce('192.0.2.200', 'all');
    expect(io.sent.map((s) => s.frame.protocol === 'arp' && s.frame.arp.operation)).toEqual([
      'request',
      'reply',
    ]);
    await clock.advance(10_000);
    expect(io.sent).toHaveLength(10);
    expect(metrics.gratuitousSentByIp.get('192.0.2.200')).toBe(10);
  });

  it('extends the burst when the address is announced again during it', async () => {
    const { io, clock, announcer } = setup();
    announcer.announce('192.0.2.200', 'all');
    await clock.advance(3000);
    announcer.announce('192.0.2.200', 'all'); // no immediate extra frame, a later end instead
    expect(io.sent).toHaveLength(6);
    await clock.advance(10_000);
    expect(io.sent).toHaveLength(16); // bursts at t = 0, 1.1, … 7.7 s: the window now ends at 8 s
  });

  it('sends an unsolicited NA for IPv6 and joins and leaves its solicited-node group', () => {
    const { io, announcer } = setup();
    announcer.announce('2001:db8:1::200', 'all');
    expect(io.sent).toMatchObject([
      { frame: { ndp: { type: 'neighbor-advertisement', solicited: false, override: true } } },
    ]);
    expect([...io.groups]).toEqual(['ff02::1:ff00:200%eth0']);
    announcer.withdraw('2001:db8:1::200');
    expect(io.groups.size).toBe(0);
  });

  it('keeps a solicited-node group while any address that shares it is announced', () => {
    const { io, announcer } = setup();
    // Same low 24 bits, so the same group (RFC 4291 2.7.1).
    announcer.announce('2001:db8:1::200', 'all');
    announcer.announce('2001:db8:2::200', 'all');
    expect([...io.groups]).toEqual(['ff02::1:ff00:200%eth0']);
    announcer.withdraw('2001:db8:1::200');
    expect([...io.groups]).toEqual(['ff02::1:ff00:200%eth0']);
    announcer.withdraw('2001:db8:2::200');
    expect(io.groups.size).toBe(0);
  });

  it('moves the group of an address when its interface list changes, and joins once per group', () => {
    const { io, announcer } = setup();
    io.links.push({ index: 3, name: 'eth1', type: 1, flags: 0x3, mac: '02:00:00:00:00:0c' });
    io.addresses.push({ ...(io.addresses[0] as InterfaceAddress), index: 3, address: 'fe80::ff:fe00:c' });
    announcer.stop();
    const again = new Announcer({ io, clock: new FakeClock() });
    again.start();
    again.announce('2001:db8:1::200', ['eth0']);
    expect([...io.groups]).toEqual(['ff02::1:ff00:200%eth0']);
    again.announce('2001:db8:1::200', ['eth1']);
    expect([...io.groups]).toEqual(['ff02::1:ff00:200%eth1']);
    const joins = io.joins;
    for (let i = 1; i <= 50; i++) again.announce(`2001:db8:1::${(0x200 + i).toString(16)}`, ['eth1']);
    expect(io.joins - joins).toBe(50);
    again.announce('2001:db8:1::201', ['eth1']);
    expect(io.joins - joins).toBe(50);
  });

  it('answers and announces nothing while mayAnswer says no, and resumes when it says yes', async () => {
    let may = false;
    const { io, clock, metrics, announcer } = setup({ mayAnswer: () => may });
    announcer.announce('192.0.2.200', 'all');
    io.receive('eth0/arp', whoHas('192.0.2.200'));
    expect(io.sent).toEqual([]);
    expect(metrics.ignored.get('fenced/eth0')).toBe(1);
    may = true;
    io.receive('eth0/arp', whoHas('192.0.2.200'));
    expect(io.sent.map((s) => (s.frame.protocol === 'arp' ? s.frame.arp.operation : 'ndp'))).toEqual([
      'reply',
    ]);
    await clock.advance(1100);
    expect(io.sent.length).toBeGreaterThan(1); // the burst goes on once answering is allowed
  });

  it('re-announces at the refresh interval when one is configured', async () => {
    const { io, clock, announcer } = setup({ refreshIntervalMs: 30_000 });
    announcer.announce('192.0.2.200', 'all');
    await clock.advance(10_000);
    const afterBurst = io.sent.length;
    await clock.advance(25_000);
    expect(io.sent.length).toBe(afterBurst + 2);
  });

  it('follows interfaces that go down and come back on the next scan', async () => {
    const { io, clock, announcer } = setup();
    announcer.announce('2001:db8:1::200', 'all');
    io.links = [{ ...io.links[0], flags: 0x2 } as Link];
    await clock.advance(1000);
    expect(io.open.size).toBe(0);
    expect(io.groups.size).toBe(0);
    io.links = [{ ...io.links[0], flags: 0x3 } as Link];
    await clock.advance(1000);
    expect([...io.open.keys()].sort()).toEqual(['eth0/arp', 'eth0/ndp']);
    expect(io.groups.size).toBe(1);
  });

  it('reports a responder that cannot open once, and retries it on later scans', async () => {
    const io = new FakeIo();
    io.failOpen = new Error(
      'ARP socket on interface eth0: socket: EPERM; the speaker needs the CAP_NET_RAW capability',
    );
    const clock = new FakeClock();
    const errors: Error[] = [];
    new Announcer({ io, clock, onError: (e) => errors.push(e) }).start();
    await clock.advance(3000);
    expect(errors.map((e) => e.message)).toHaveLength(2); // eth0/arp and eth0/ndp, once each
    io.failOpen = undefined;
    await clock.advance(1000);
    expect(io.open.size).toBe(2);
  });

  it('refuses to announce something that is not an IP address', () => {
    const { announcer } = setup();
    expect(() => announcer.announce('192.0.2.300', 'all')).toThrow(TypeError);
  });
});
