// The announcer for real: two network namespaces joined by a veth pair, the announcer in one, arping,
// ndisc6 and tcpdump in the other. Needs root. Everything created here is named ilb-<random> and removed in
// afterAll, whatever happened.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { promisify } from 'node:util';
import { parseArping, parseNdisc6 } from '../../e2e/harness/net/probe';
import { solicitedNodeGroup } from './codec/address';
import { type Frame, decode, encode } from './codec/frame';
import { mldv2ReportGroups, readPcap } from '../../testkit/l2/pcap';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const id = randomBytes(3).toString('hex');
const NS_SPEAKER = `ilb-${id}-s`;
const NS_PEER = `ilb-${id}-p`;
const IF_SPEAKER = `ilb-${id}s`;
const IF_PEER = `ilb-${id}p`;
const VIP4 = '192.0.2.200';
const VIP6 = '2001:db8:1::200';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ilb-l2-'));
const PCAP = path.join(tmp, 'peer.pcap');
const children: ChildProcess[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const inNs = (ns: string, cmd: string[], timeout = 15_000) =>
  run('ip', ['netns', 'exec', ns, ...cmd], { timeout }).catch((e: { stdout?: string; stderr?: string }) => ({
    stdout: e.stdout ?? '',
    stderr: e.stderr ?? '',
  }));

/** A testkit/l2/announcerprocess.ts process inside a namespace, spoken to one JSON line at a time. */
class Harness {
  private seq = 0;
  private readonly waiting = new Map<number, (msg: Record<string, unknown>) => void>();
  readonly ready: Promise<void>;
  private readonly proc: ChildProcess;
  stderr = '';

  constructor(ns: string) {
    const script = path.join(__dirname, '..', '..', 'testkit', 'l2', 'announcerprocess.ts');
    this.proc = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, '-r', 'ts-node/register/transpile-only', script],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    children.push(this.proc);
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    let onReady: () => void = () => undefined;
    this.ready = new Promise((r) => (onReady = r));
    readline.createInterface({ input: this.proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.ready === true) onReady();
      const cb = this.waiting.get(Number(msg.id));
      this.waiting.delete(Number(msg.id));
      cb?.(msg);
    });
  }

  async call(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    const n = ++this.seq;
    const reply = new Promise<Record<string, unknown>>((r) => this.waiting.set(n, r));
    this.proc.stdin?.write(`${JSON.stringify({ id: n, ...cmd })}\n`);
    const msg = await reply;
    if (msg.ok !== true) throw new Error(`harness ${String(cmd.op)}: ${String(msg.error)}\n${this.stderr}`);
    return msg;
  }
}

async function macOf(ns: string, ifname: string): Promise<string> {
  const { stdout } = await inNs(ns, ['ip', '-j', 'link', 'show', ifname]);
  return (JSON.parse(stdout) as { address: string }[])[0]?.address ?? '';
}

/** The link's IPv6 link-local, waiting for the kernel to add it after the link comes up. */
async function linkLocalOf(ns: string, ifname: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const { stdout } = await inNs(ns, ['ip', '-j', '-6', 'addr', 'show', 'dev', ifname, 'scope', 'link']);
    const [entry] = JSON.parse(stdout) as { addr_info: { local?: string }[] }[];
    const local = entry?.addr_info.find((a) => a.local !== undefined)?.local; // ip -j pads with {} entries
    if (local !== undefined) return local;
    await sleep(100);
  }
  throw new Error(`no link-local on ${ifname} in ${ns}`);
}

function captured(): { timeMs: number; frame?: Frame; bytes: Uint8Array }[] {
  if (!fs.existsSync(PCAP)) return [];
  return readPcap(fs.readFileSync(PCAP)).map((c) => {
    const d = decode(c.bytes);
    return d.ok ? { ...c, frame: d.value } : c;
  });
}

let speaker: Harness;
let peer: Harness;
let speakerMac = '';
let peerMac = '';
let peerLinkLocal = '';
let announcedAt = 0;

beforeAll(async () => {
  for (const ns of [NS_SPEAKER, NS_PEER]) {
    await run('ip', ['netns', 'add', ns]);
    // No DAD, so link-local addresses are usable as soon as the links are up.
    await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  await run('ip', [
    'link',
    'add',
    IF_SPEAKER,
    'netns',
    NS_SPEAKER,
    'type',
    'veth',
    'peer',
    'name',
    IF_PEER,
    'netns',
    NS_PEER,
  ]);
  for (const [ns, ifname, n] of [
    [NS_SPEAKER, IF_SPEAKER, 1],
    [NS_PEER, IF_PEER, 2],
  ] as const) {
    await run('ip', ['-n', ns, 'addr', 'add', `192.0.2.${n}/24`, 'dev', ifname]);
    await run('ip', ['-n', ns, 'addr', 'add', `2001:db8:1::${n}/64`, 'dev', ifname]);
    await run('ip', ['-n', ns, 'link', 'set', ifname, 'up']);
  }
  speakerMac = await macOf(NS_SPEAKER, IF_SPEAKER);
  peerMac = await macOf(NS_PEER, IF_PEER);
  peerLinkLocal = await linkLocalOf(NS_PEER, IF_PEER);

  const tcpdump = spawn(
    'ip',
    ['netns', 'exec', NS_PEER, 'tcpdump', '-i', IF_PEER, '-n', '-U', '-s', '512', '-w', PCAP, 'arp or ip6'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(tcpdump);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    tcpdump.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) resolve();
    });
    tcpdump.on('exit', (code) => reject(new Error(`tcpdump exited ${code}: ${err}`)));
  });

  speaker = new Harness(NS_SPEAKER);
  peer = new Harness(NS_PEER);
  await Promise.all([speaker.ready, peer.ready]);
  for (let i = 0; i < 50; i++) {
    const state = await speaker.call({ op: 'state' });
    const ifs = state.interfaces as { name: string; ndp: boolean }[];
    if (ifs.some((x) => x.name === IF_SPEAKER && x.ndp)) break;
    await sleep(200);
  }
  announcedAt = Date.now();
  await speaker.call({ op: 'announce', ip: VIP4, interfaces: [IF_SPEAKER] });
  await speaker.call({ op: 'announce', ip: VIP6, interfaces: [IF_SPEAKER] });
}, 60_000);

afterAll(async () => {
  try {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null) c.kill('SIGTERM');
    await sleep(200);
  } finally {
    for (const ns of [NS_SPEAKER, NS_PEER]) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

describe('Layer 2 announcer between two network namespaces', () => {
  it('lists the veth as usable for ARP and NDP, with its MAC and link-local', async () => {
    const state = await speaker.call({ op: 'state' });
    expect(state.interfaces).toEqual([
      expect.objectContaining({
        name: IF_SPEAKER,
        mac: speakerMac,
        arp: true,
        ndp: true,
        linkLocal: await linkLocalOf(NS_SPEAKER, IF_SPEAKER),
      }),
    ]);
  });

  it('answers arping for the announced IPv4 with exactly its MAC', async () => {
    const { stdout } = await inNs(NS_PEER, ['arping', '-c', '3', '-w', '5', '-i', IF_PEER, VIP4]);
    const replies = parseArping(stdout);
    expect(replies).toHaveLength(3);
    expect(new Set(replies.map((r) => r.mac))).toEqual(new Set([speakerMac]));
    const times = [...stdout.matchAll(/time=([0-9.]+) (usec|msec)/g)].map(
      (m) => Number(m[1]) * (m[2] === 'msec' ? 1000 : 1),
    );
    console.log(`arping round trips (us): ${times.join(', ')}`);
  });

  it('answers ndisc6 for the announced IPv6 with exactly its MAC', async () => {
    const { stdout } = await inNs(NS_PEER, ['ndisc6', '-m', '-n', '-r', '2', '-w', '1000', VIP6, IF_PEER]);
    expect(new Set(parseNdisc6(stdout))).toEqual(new Set([speakerMac]));
  });

  it('sent gratuitous ARP (request and reply) and an unsolicited NA, and joined the solicited-node group', async () => {
    const frames = captured();
    const garp = frames.filter(
      (c) =>
        c.frame?.protocol === 'arp' &&
        c.frame.arp.senderIp === VIP4 &&
        c.frame.arp.targetIp === VIP4 &&
        c.frame.arp.senderMac === speakerMac,
    );
    expect(new Set(garp.map((c) => c.frame?.protocol === 'arp' && c.frame.arp.operation))).toEqual(
      new Set(['request', 'reply']),
    );
    const una = frames.filter(
      (c) =>
        c.frame?.protocol === 'ndp' &&
        c.frame.ndp.type === 'neighbor-advertisement' &&
        c.frame.ndp.target === VIP6 &&
        c.frame.ipv6.destination === 'ff02::1',
    );
    expect(una.length).toBeGreaterThanOrEqual(1);
    expect(una[0]?.frame).toMatchObject({
      ipv6: { hopLimit: 255 },
      ndp: { solicited: false, override: true, options: [{ kind: 'target-lla', mac: speakerMac }] },
    });
    const mld = frames.flatMap((c) =>
      mldv2ReportGroups(c.bytes).map((g) => ({
        ...g,
        source: Buffer.from(c.bytes.subarray(6, 12)).toString('hex'),
      })),
    );
    expect(mld.map((g) => g.group)).toContain(solicitedNodeGroup(VIP6));
  });

  it('repeats the gratuitous burst about every 1.1 s for 5 s, then stops', async () => {
    await sleep(Math.max(0, announcedAt + 6500 - Date.now()));
    const requests = captured().filter(
      (c) =>
        c.frame?.protocol === 'arp' &&
        c.frame.arp.operation === 'request' &&
        c.frame.arp.senderIp === VIP4 &&
        c.frame.arp.targetIp === VIP4,
    );
    expect(requests).toHaveLength(5);
    const gaps = requests.slice(1).map((c, i) => Math.round(c.timeMs - (requests[i]?.timeMs ?? 0)));
    console.log(`gratuitous ARP gaps (ms): ${gaps.join(', ')}`);
    for (const g of gaps) expect(Math.abs(g - 1100)).toBeLessThan(250);
  }, 15_000);

  it('ignores a solicitation with hop limit 64 but answers the same one with 255 (RFC 4861 §7.1.1)', async () => {
    const solicit = (hopLimit: number): string =>
      Buffer.from(
        encode({
          ethernet: { destination: '33:33:ff:00:02:00', source: peerMac, etherType: 0x86dd },
          protocol: 'ndp',
          ipv6: {
            trafficClass: 0,
            flowLabel: 0,
            hopLimit,
            source: peerLinkLocal,
            destination: solicitedNodeGroup(VIP6),
          },
          ndp: {
            type: 'neighbor-solicitation',
            target: VIP6,
            options: [{ kind: 'source-lla', mac: peerMac }],
          },
        }),
      ).toString('hex');
    const answers = (since: number) =>
      captured().filter(
        (c) =>
          c.timeMs >= since &&
          c.frame?.protocol === 'ndp' &&
          c.frame.ndp.type === 'neighbor-advertisement' &&
          c.frame.ndp.solicited &&
          c.frame.ipv6.destination === peerLinkLocal,
      );
    const before = Date.now() - 50;
    await peer.call({ op: 'send', ifname: IF_PEER, protocol: 'ndp', hex: solicit(64) });
    await sleep(800);
    expect(answers(before)).toHaveLength(0);
    const state = await speaker.call({ op: 'state' });
    expect(
      (state.counters as { ignored: Record<string, number> }).ignored[`ns-hop-limit/${IF_SPEAKER}`],
    ).toBeGreaterThanOrEqual(1);

    const control = Date.now() - 50;
    await peer.call({ op: 'send', ifname: IF_PEER, protocol: 'ndp', hex: solicit(255) });
    // The capture reaches the test a little after the wire: wait for the answer rather than a fixed time
    // (a fixed 800 ms missed it in about one run in three), then let a second one show if there were two.
    for (const end = Date.now() + 5_000; answers(control).length === 0 && Date.now() < end;) await sleep(50);
    await sleep(300);
    expect(answers(control)).toHaveLength(1);
  });

  it('counts requests, responses and gratuitous frames per address', async () => {
    const { counters } = (await speaker.call({ op: 'state' })) as unknown as {
      counters: Record<string, Record<string, number>>;
    };
    expect(counters.requestsReceived?.[VIP4]).toBeGreaterThanOrEqual(3);
    expect(counters.responsesSent?.[VIP4]).toBeGreaterThanOrEqual(3);
    expect(counters.responsesSent?.[VIP6]).toBeGreaterThanOrEqual(1);
    expect(counters.gratuitousSent?.[VIP4]).toBe(10);
    expect(counters.gratuitousSent?.[VIP6]).toBe(5);
  });

  it('still answers after its link went down and came back (the socket error on link down does not end the poll)', async () => {
    // A packet socket bound to a device that goes down gets ENETDOWN as a pending error (POLLERR); libuv
    // stops a poll handle on POLLERR, so without a restart the socket would never be read again. Addresses
    // kept across the flap (as the harness's world and many hosts keep them) leave the interface looking the
    // same to the next scan, so nothing reopens the socket either.
    await inNs(NS_SPEAKER, ['sysctl', '-qw', `net.ipv6.conf.${IF_SPEAKER}.keep_addr_on_down=1`]);
    for (const hold of [100, 600]) {
      await inNs(NS_SPEAKER, ['ip', 'link', 'set', IF_SPEAKER, 'down']);
      await sleep(hold);
      await inNs(NS_SPEAKER, ['ip', 'link', 'set', IF_SPEAKER, 'up']);
      await sleep(300);
      const { stdout } = await inNs(NS_PEER, ['arping', '-c', '2', '-w', '4', '-i', IF_PEER, VIP4]);
      expect(new Set(parseArping(stdout).map((r) => r.mac))).toEqual(new Set([speakerMac]));
      const { stdout: n } = await inNs(NS_PEER, [
        'ndisc6',
        '-m',
        '-n',
        '-r',
        '2',
        '-w',
        '1000',
        VIP6,
        IF_PEER,
      ]);
      expect(new Set(parseNdisc6(n))).toEqual(new Set([speakerMac]));
    }
  }, 30_000);

  it('stops answering at once after withdraw', async () => {
    await speaker.call({ op: 'withdraw', ip: VIP4 });
    await speaker.call({ op: 'withdraw', ip: VIP6 });
    const { stdout: a } = await inNs(NS_PEER, ['arping', '-c', '2', '-w', '3', '-i', IF_PEER, VIP4]);
    expect(parseArping(a)).toEqual([]);
    const { stdout: n } = await inNs(NS_PEER, ['ndisc6', '-m', '-n', '-r', '1', '-w', '1000', VIP6, IF_PEER]);
    expect(parseNdisc6(n)).toEqual([]);
    await sleep(300);
    const leaves = captured()
      .flatMap((c) => mldv2ReportGroups(c.bytes))
      .filter((g) => g.group === solicitedNodeGroup(VIP6));
    // RFC 3810 §5.2.12: CHANGE_TO_INCLUDE_MODE (3) with no sources is a leave.
    expect(leaves.map((g) => g.recordType)).toContain(3);
  }, 20_000);
});
