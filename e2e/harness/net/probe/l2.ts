// L2 probes run from inside a namespace (normally the client): arping, ndisc6, the neighbour table, and
// tcpdump captures. These are the test's eyes on what the speakers put on the wire.
import * as fs from 'node:fs';
import { assertTestIp } from '../../cidr';
import {
  type ArpReply,
  type CapturedPacket,
  type Neighbour,
  parseArping,
  parseNdisc6,
  parseNeighbours,
  parseTcpdump,
} from './parse';
import type { World } from '../world';
import type { ManagedProcess } from '../../processes';
import { waitFor } from '../../readiness';

export interface ArpingResult {
  replies: ArpReply[];
  /** Distinct MACs that answered (more than one means two nodes claim the address). */
  macs: string[];
  output: string;
}

/** Sends `count` ARP requests for `ip` from `fromRole` (default client) and collects every reply. */
export async function arping(
  world: World,
  ip: string,
  opts: { from?: string; count?: number; deadlineS?: number; iface?: string; intervalS?: number } = {},
): Promise<ArpingResult> {
  assertTestIp(ip);
  if (ip.includes(':')) throw new Error(`arping: ${ip} is IPv6; use ndisc6`);
  const count = opts.count ?? 1;
  const r = await world.exec(
    opts.from ?? 'client',
    [
      'arping',
      '-c',
      String(count),
      '-w',
      String(opts.deadlineS ?? count + 1),
      '-i',
      opts.iface ?? 'eth0',
      ...(opts.intervalS !== undefined ? ['-W', String(opts.intervalS)] : []),
      ip,
    ],
    { allowFailure: true },
  );
  const replies = parseArping(r.stdout);
  return { replies, macs: [...new Set(replies.map((x) => x.mac))], output: r.stdout + r.stderr };
}

export interface Ndisc6Result {
  macs: string[];
  output: string;
}

/** Sends a neighbour solicitation for `ip` and waits `waitMs` for every advertisement (ndisc6 -m). */
export async function ndisc6(
  world: World,
  ip: string,
  opts: { from?: string; waitMs?: number; retries?: number; iface?: string } = {},
): Promise<Ndisc6Result> {
  assertTestIp(ip);
  if (!ip.includes(':')) throw new Error(`ndisc6: ${ip} is IPv4; use arping`);
  const r = await world.exec(
    opts.from ?? 'client',
    [
      'ndisc6',
      '-m',
      '-n',
      '-r',
      String(opts.retries ?? 1),
      '-w',
      String(opts.waitMs ?? 1000),
      ip,
      opts.iface ?? 'eth0',
    ],
    { allowFailure: true },
  );
  const macs = parseNdisc6(r.stdout);
  return { macs: [...new Set(macs)], output: r.stdout + r.stderr };
}

/** The neighbour (ARP + NDP) table of `role` (default client), optionally for one device. */
export async function neighbours(
  world: World,
  opts: { role?: string; dev?: string } = {},
): Promise<Neighbour[]> {
  const args = ['-j', 'neigh', 'show', ...(opts.dev !== undefined ? ['dev', opts.dev] : [])];
  const r = await world.ip(opts.role ?? 'client', args);
  return parseNeighbours(r.stdout);
}

/** The MAC `role` currently maps `ip` to, if any. */
export async function neighbourMac(world: World, ip: string, role = 'client'): Promise<string | undefined> {
  return (await neighbours(world, { role })).find((n) => n.ip === ip)?.mac;
}

export async function flushNeighbours(world: World, role = 'client', dev = 'eth0'): Promise<void> {
  await world.ip(role, ['neigh', 'flush', 'dev', dev]);
}

export interface Capture {
  process: ManagedProcess;
  /** Packets captured so far. */
  packets(): CapturedPacket[];
  /** Waits until some captured packet satisfies `match`; returns it. */
  waitFor(what: string, match: (p: CapturedPacket) => boolean, timeoutMs?: number): Promise<CapturedPacket>;
  /** Stops tcpdump and returns everything it captured. */
  stop(): Promise<CapturedPacket[]>;
}

let captureSeq = 0;

/**
 * Starts `tcpdump -n -e -tt` in `role`'s namespace (default client) with a pcap filter, and resolves once it
 * is capturing (it prints "listening on" only after the socket is bound, so nothing sent afterwards is missed).
 */
export async function startCapture(
  world: World,
  filter: string,
  opts: { role?: string; iface?: string; timeoutMs?: number } = {},
): Promise<Capture> {
  const role = opts.role ?? 'client';
  captureSeq += 1;
  // --immediate-mode: deliver each packet at once instead of filling a buffer, so waitFor sees it promptly.
  const p = await world.spawnIn(role, `tcpdump-${role}-${captureSeq}`, [
    'tcpdump',
    '-i',
    opts.iface ?? 'eth0',
    '-n',
    '-e',
    '-tt',
    '-l',
    '--immediate-mode',
    ...filter.split(/\s+/).filter((w) => w !== ''),
  ]);
  const read = (): string => (fs.existsSync(p.logFile) ? fs.readFileSync(p.logFile, 'utf8') : '');
  await waitFor(`netprobe: tcpdump in ${role} capturing`, async () => read().includes('listening on'), {
    timeoutMs: opts.timeoutMs ?? 15_000,
    watch: [p],
  });
  const packets = (): CapturedPacket[] => parseTcpdump(read());
  return {
    process: p,
    packets,
    async waitFor(what, match, timeoutMs = 10_000) {
      let found: CapturedPacket | undefined;
      await waitFor(
        `netprobe: capture in ${role}: ${what}`,
        async () => {
          found = packets().find(match);
          return found !== undefined;
        },
        { timeoutMs, watch: [p] },
      );
      if (found === undefined) throw new Error(`netprobe: ${what}: lost the match`);
      return found;
    },
    async stop() {
      await p.stop(5_000);
      return packets();
    },
  };
}
