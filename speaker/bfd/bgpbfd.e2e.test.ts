// BGP and BFD together against FRR bgpd + bfdd in the e2e world (multihop: a far router one hop behind the
// router). Each node runs the speaker's BGP and BFD halves (testkit/bgp/speakerhost.ts with `bfd`: a BGPPeer
// with a 100 ms x 3 BFDProfile, wired as speaker/app/speaker.ts wires them) against an FRR neighbour with
// `neighbor X bfd profile` of the same timers: node1 over IPv4 single hop (RFC 5881), node2 over IPv6 single
// hop, node3 and node4 over IPv4 and IPv6 multihop (RFC 5883, UDP 4784, ebgp-multihop on both sides, minimum
// TTL 254) to the far router. BFD comes Up in FRR's `show bfd peers`, FRR learns each node's prefix, and
// when the node drops off the network (its links cut) or its speaker is frozen (SIGSTOP, so the kernel keeps
// the TCP session alive), FRR's BFD goes Down within the detection time and bgpd drops the session and
// withdraws the prefix long before the 9 s hold timer; BFD, the session and the prefix come back afterwards.
// Upstream: e2etest/bgptests/bfd.go ("BFD should work with the given bfd profile"). Needs root.
import * as fs from 'node:fs';
import { createWorld, type World } from '../../e2e/harness/net';
import type { ManagedProcess } from '../../e2e/harness/processes';
import { momentOf, waitFor } from '../../e2e/harness/readiness';
import type { BgpNeighborBfd } from '../../e2e/harness/routers/bgp';
import { type FrrRouter, startFrr } from '../../e2e/harness/routers/frr';
import type { FrrBfdPeer } from '../../e2e/harness/routers/frrbfd';
import { NODE_AS, ROUTER_AS, spawnSpeakerHost, startRouterFrr } from '../../testkit/bgp/speakerworld';

jest.setTimeout(60_000);

/** The same timers as testkit/bgp/speakerhost.ts's `bfd` profile. */
const BFD: BgpNeighborBfd = {
  receiveInterval: 100,
  transmitInterval: 100,
  detectMultiplier: 3,
  minimumTtl: 254,
};
const DETECTION_MS = 300;
const HOLD_TIME_S = 9;

interface Case {
  role: 'node1' | 'node2' | 'node3' | 'node4';
  family: 'ipv4' | 'ipv6';
  prefix: string;
  isMultihop: boolean;
}
const CASES = {
  v4: { role: 'node1', family: 'ipv4', prefix: '198.51.100.41/32', isMultihop: false },
  v6: { role: 'node2', family: 'ipv6', prefix: '2001:db8:5::42/128', isMultihop: false },
  multihop: { role: 'node3', family: 'ipv4', prefix: '198.51.100.43/32', isMultihop: true },
  multihop6: { role: 'node4', family: 'ipv6', prefix: '2001:db8:5::44/128', isMultihop: true },
} satisfies Record<string, Case>;

let world: World | undefined;
let router: FrrRouter | undefined;
let farRouter: FrrRouter | undefined;
const speakers = new Map<string, ManagedProcess>();

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

const say = (line: string): void => {
  process.stderr.write(`[bgpbfd.e2e] ${line}\n`);
};

/** The node's address its FRR neighbour is configured with, and that FRR. */
function sideOf(c: Case): { address: string; frr: FrrRouter } {
  return {
    address: addressOf(c, need(world, 'world').host(c.role).primary),
    frr: c.isMultihop ? need(farRouter, 'far router') : need(router, 'router'),
  };
}

async function bfdPeer(c: Case): Promise<FrrBfdPeer | undefined> {
  const { address, frr } = sideOf(c);
  return (await frr.bfdPeers()).find((p) => p.peer === address);
}

async function hasPrefix(c: Case): Promise<boolean> {
  const { frr } = sideOf(c);
  return (await frr.routes(c.family)).has(c.prefix);
}

async function isEstablished(c: Case): Promise<boolean> {
  const { address, frr } = sideOf(c);
  return (await frr.peers()).some((p) => p.address === address && p.state === 'Established');
}

async function waitAllUp(c: Case, timeoutMs: number): Promise<void> {
  await waitFor(
    `${c.role}: BFD Up, session Established, ${c.prefix} learnt`,
    async () => (await bfdPeer(c))?.status === 'up' && (await isEstablished(c)) && (await hasPrefix(c)),
    { timeoutMs, intervalMs: 100, maxIntervalMs: 250 },
  );
}

/** From `cut` (the wall clock just before the failure): FRR's BFD Down, then the prefix withdrawn. */
async function measureFailure(c: Case, cut: number): Promise<{ bfdDownMs: number; withdrawnMs: number }> {
  const down = await momentOf(
    `${c.role}: FRR BFD Down`,
    async () => (await bfdPeer(c))?.status !== 'up',
    5_000,
  );
  const withdrawn = await momentOf(
    `${c.role}: ${c.prefix} withdrawn`,
    async () => !(await hasPrefix(c)),
    5_000,
  );
  return { bfdDownMs: down - cut, withdrawnMs: withdrawn - cut };
}

function expectFast(what: string, c: Case, m: { bfdDownMs: number; withdrawnMs: number }): void {
  say(
    `${what} (${c.role}, ${c.family}${c.isMultihop ? ' multihop' : ''}): FRR BFD Down after ${m.bfdDownMs} ms, prefix withdrawn after ${m.withdrawnMs} ms (hold time ${HOLD_TIME_S} s)`,
  );
  // The detection time after the last packet, which left at most one interval before the cut, plus vtysh's
  // polling (each call ~30 ms, 100-300 ms on a loaded machine) and scheduling.
  expect(m.bfdDownMs).toBeLessThan(DETECTION_MS + 900);
  // bgpd drops the session on bfdd's Down through zebra; far below the hold timer.
  expect(m.withdrawnMs).toBeLessThan(2_500);
}

/** The address family `c` peers over, on a host. */
const addressOf = (c: Case, h: { v4: string; v6: string }): string => (c.family === 'ipv6' ? h.v6 : h.v4);

beforeAll(async () => {
  world = await createWorld({ nodes: 4, multihop: true });
  const w = world;
  const far = need(w.farRouter, 'far router').primary;
  const neighbors = (isMultihop: boolean) =>
    Object.values<Case>(CASES)
      .filter((c) => c.isMultihop === isMultihop)
      .map((c) => ({
        address: addressOf(c, w.host(c.role).primary),
        asn: NODE_AS,
        holdTime: HOLD_TIME_S,
        multihop: isMultihop,
        bfd: BFD,
      }));
  [router, farRouter] = await Promise.all([
    startRouterFrr(w, neighbors(false)),
    startFrr(w, 'farrouter', {
      hostname: 'farrouter',
      asn: ROUTER_AS,
      routerId: far.v4,
      connectRetry: 1,
      neighbors: neighbors(true),
    }),
  ]);
  for (const c of Object.values<Case>(CASES)) {
    speakers.set(
      c.role,
      await spawnSpeakerHost(w, {
        role: c.role,
        name: `speakerhost-${c.role}`,
        peerAddress: addressOf(c, c.isMultihop ? far : w.router.primary),
        options: c.isMultihop ? 'bfd,multihop' : 'bfd',
        prefixes: [c.prefix],
        routesDelayMs: 0,
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  // A frozen speaker would never handle the SIGTERM of destroy().
  for (const p of speakers.values()) if (p.running) process.kill(p.pid, 'SIGCONT');
  await world?.destroy();
});

test('BFD comes Up in FRR with 100 ms x 3 on all four sessions (single hop and multihop, IPv4 and IPv6), and FRR learns the prefixes', async () => {
  await Promise.all(Object.values<Case>(CASES).map((c) => waitAllUp(c, 30_000)));
  for (const c of Object.values<Case>(CASES)) {
    const p = need(await bfdPeer(c), `${c.role} BFD peer`);
    expect(p).toMatchObject({
      isMultihop: c.isMultihop,
      remoteReceiveInterval: 100,
      remoteTransmitInterval: 100,
      remoteDetectMultiplier: 3,
    });
    if (c.isMultihop) expect(p.minimumTtl).toBe(254);
  }
});

/**
 * Cuts `c`'s node off the network, measures FRR's side, checks that the speaker's BFD saw the cut too (its
 * `{"bfd": "down"}` line, which also dropped its BGP session), and waits for everything to come back.
 */
async function cutLinkAndRestore(c: Case): Promise<void> {
  const w = need(world, 'world');
  const cut = Date.now();
  await w.linkDown(c.role);
  const m = await measureFailure(c, cut);
  expectFast('link cut', c, m);
  expect((await bfdPeer(c))?.diagnostic).toBe('control detection time expired');
  expect(await isEstablished(c)).toBe(false);
  const speakerDown = await momentOf(
    `${c.role}: the speaker's BFD Down`,
    async () => speakerBfdDowns(c).some((at) => at >= cut),
    5_000,
  ).then(() => (speakerBfdDowns(c).find((at) => at >= cut) ?? NaN) - cut);
  say(`${c.role}: the speaker's BFD Down after ${speakerDown} ms`);
  expect(speakerDown).toBeLessThan(DETECTION_MS + 400);
  const back = Date.now();
  await w.linkUp(c.role);
  await waitAllUp(c, 30_000);
  say(`${c.role}: BFD, session and prefix back ${Date.now() - back} ms after the link`);
}

/** The wall clocks of the speaker's BFD Down lines (testkit/bgp/speakerhost.ts stdout, in its log file). */
function speakerBfdDowns(c: Case): number[] {
  const log = fs.readFileSync(need(speakers.get(c.role), c.role).logFile, 'utf8');
  return log.split('\n').flatMap((line) => {
    const m = /^\{"bfd":"down","at":(\d+)\}$/.exec(line);
    return m?.[1] !== undefined ? [Number(m[1])] : [];
  });
}

test('IPv4 single hop: the node drops off the network; both BFD ends Down within the detection time, FRR withdraws the prefix long before the hold timer; all back with the link', async () => {
  await cutLinkAndRestore(CASES.v4);
});

test('IPv6 single hop: a frozen speaker (SIGSTOP, TCP still alive) is detected by BFD and the session dropped; all back after SIGCONT', async () => {
  const c = CASES.v6;
  const p = need(speakers.get(c.role), c.role);
  const cut = Date.now();
  process.kill(p.pid, 'SIGSTOP');
  let m: { bfdDownMs: number; withdrawnMs: number };
  try {
    m = await measureFailure(c, cut);
  } finally {
    process.kill(p.pid, 'SIGCONT');
  }
  expectFast('speaker frozen', c, m);
  const back = Date.now();
  await waitAllUp(c, 30_000);
  say(`${c.role}: BFD, session and prefix back ${Date.now() - back} ms after SIGCONT`);
});

test('IPv4 multihop through the router: the node drops off the network; both BFD ends Down within the detection time, the far router withdraws the prefix; all back with the link', async () => {
  await cutLinkAndRestore(CASES.multihop);
});

test('IPv6 multihop through the router: the node drops off the network; both BFD ends Down within the detection time, the far router withdraws the prefix; all back with the link', async () => {
  await cutLinkAndRestore(CASES.multihop6);
});

test("IPv4 single hop: only FRR's BFD packets lost (nft drops them on the node): the speaker detects it first and closes with Cease / BFD Down, which FRR receives", async () => {
  const c = CASES.v4;
  const w = need(world, 'world');
  const { address, frr } = sideOf(c);
  const nft = (...args: string[]) => w.exec(c.role, ['nft', ...args]);
  // bgpd logs each NOTIFICATION it receives (code/subcode and name) to its log file.
  await frr.configure([`router bgp ${ROUTER_AS}`, 'bgp log-neighbor-changes']);
  await waitAllUp(c, 30_000);
  const logStart = fs.statSync(frr.bgpd.logFile).size;
  // A table of this test's own inside the node's namespace, deleted with it (and below).
  await nft('add table inet ilbbfd');
  await nft('add chain inet ilbbfd in { type filter hook input priority 0 ; }');
  const cut = Date.now();
  await nft('add rule inet ilbbfd in udp dport 3784 drop');
  try {
    const down = await momentOf(
      `${c.role}: the speaker's BFD Down`,
      async () => speakerBfdDowns(c).some((at) => at >= cut),
      5_000,
    );
    const withdrawn = await momentOf(
      `${c.role}: ${c.prefix} withdrawn`,
      async () => !(await hasPrefix(c)),
      5_000,
    );
    say(
      `FRR's packets dropped (${c.role}): the speaker's BFD Down after ${down - cut} ms, prefix withdrawn after ${withdrawn - cut} ms`,
    );
    expect(down - cut).toBeLessThan(DETECTION_MS + 400);
    expect(withdrawn - cut).toBeLessThan(2_500);
    // The speaker's NOTIFICATION went over the TCP session, which the nft rule leaves alone.
    const received = fs.readFileSync(frr.bgpd.logFile, 'utf8').slice(logStart);
    const line = received.split('\n').find((l) => l.includes('NOTIFICATION') && l.includes(address));
    say(`FRR's bgpd: ${line ?? '(no NOTIFICATION logged)'}`);
    expect(line).toMatch(/received.*6\/10/);
  } finally {
    await nft('delete table inet ilbbfd');
  }
  await waitAllUp(c, 30_000);
});
