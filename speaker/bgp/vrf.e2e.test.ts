// BGPPeer `vrf` against real FRR in the e2e world. node1 runs testkit/bgp/speakerhost.ts with three dual-stack
// peers on the world's router: one in the default table over the lan, two (IPv4 and IPv6 transport) whose
// `vrf` names a device that does not exist yet. The router gets a second segment to node1, a veth pair the
// test adds (node1 `ilbv0` 198.51.100.11 / 2001:db8:6::11, router `ilbv1` .1 / ::1), on which FRR has
// those two neighbours configured from the start.
//
// While the device is missing the two sessions stay Idle with VrfDeviceMissingError as their error, the speaker
// logs one warning per peer however often it retries, and the default-table session is Established. Then the
// device appears and the two sessions Establish on their next retry, reachable only through it: the default
// table of node1 has no route to 198.51.100.0/24. FRR holds the Service's prefixes from each session with
// the device's addresses as next hops (both families on each session, speaker/bgp/session/nexthop.ts), and
// the OPEN's identifier is the connection's IPv4 address, not the node's. Every peer has BFD (100 ms x 3):
// the device's BFD sessions, whose UDP sockets are bound to the device as well (speaker/bfd/udp.ts), come Up
// in FRR's bfdd once the device exists, after one warning each while it was missing.
//
// Two devices: a Linux VRF `red` (`ip link add red type vrf table 10`, ilbv0 enslaved), which moves the
// segment's connected routes to table 10; and, for kernels built without CONFIG_NET_VRF (this project's CI VM
// is one), `vrf` naming ilbv0 itself, with the main table's route to the segment deleted, so only a socket
// bound to the device reaches the router (the kernel takes an unrouted destination as on-link for a bound
// socket, net/ipv4/route.c ip_route_output_key_hash_rcu). The VRF case is skipped where the kernel cannot
// create a VRF device. Needs root.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createWorld, type World } from '../../e2e/harness/net';
import type { ManagedProcess } from '../../e2e/harness/processes';
import { waitFor } from '../../e2e/harness/readiness';
import type { FrrRouter } from '../../e2e/harness/routers/frr';
import { NODE_AS, spawnSpeakerHost, startRouterFrr } from '../../testkit/bgp/speakerworld';

jest.setTimeout(180_000);

const NODE_SIDE = { v4: '198.51.100.11', v6: '2001:db8:6::11' };
const ROUTER_SIDE = { v4: '198.51.100.1', v6: '2001:db8:6::1' };
const SERVICE = { v4: '203.0.113.200/32', v6: '2001:db8:100::5/128' };
/** The same timers as testkit/bgp/speakerhost.ts's `bfd` profile. */
const BFD = { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 };
const BGP_WARNING = 'cannot dial BGP peer, retrying with backoff';
const BFD_WARNING = 'cannot open the BFD socket for this peer, retrying';
const MISSING =
  /^tcp connection failed: peer [0-9a-f.:]+: VRF device "(red|ilbv0)" does not exist on this node$/;

/** Whether this kernel creates VRF devices (CONFIG_NET_VRF), tried in a throwaway network namespace. */
function kernelHasVrf(): boolean {
  try {
    execFileSync('unshare', ['--net', 'ip', 'link', 'add', 'ilbprobe', 'type', 'vrf', 'table', '1'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

interface Line {
  readonly peer?: string;
  readonly state?: string;
  readonly lastError?: string;
  readonly level?: string;
  /** The BGP half logs through winston (`message`), the BFD half through kube/log (`msg`). */
  readonly message?: string;
  readonly msg?: string;
  readonly vrf?: string;
}

function lines(proc: ManagedProcess): Line[] {
  return fs
    .readFileSync(proc.logFile, 'utf8')
    .split('\n')
    .flatMap((l) => {
      if (!l.startsWith('{')) return [];
      try {
        return [JSON.parse(l) as Line];
      } catch {
        return [];
      }
    });
}

const sessionLines = (proc: ManagedProcess, peer: string) =>
  lines(proc).filter((l) => l.peer === peer && l.state !== undefined);

interface Path {
  readonly nexthops?: { ip: string; scope?: string }[];
  readonly peer?: { peerId?: string };
}

/** FRR's paths for `prefix`: the neighbour each came from, with its global next hop. */
async function nextHopsByPeer(frr: FrrRouter, prefix: string): Promise<Record<string, string>> {
  const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
  const out = await frr.vtysh(`show bgp ${family} unicast ${prefix} json`);
  const paths = (JSON.parse(out) as { paths?: Path[] }).paths ?? [];
  return Object.fromEntries(
    paths.map((p) => [
      p.peer?.peerId ?? '?',
      (p.nexthops ?? []).find((h) => h.scope !== 'link-local')?.ip ?? '?',
    ]),
  );
}

async function remoteRouterId(frr: FrrRouter, neighbor: string): Promise<string | undefined> {
  const out = await frr.vtysh(`show bgp neighbors ${neighbor} json`);
  return (JSON.parse(out) as Record<string, { remoteRouterId?: string }>)[neighbor]?.remoteRouterId;
}

/** The second segment: a veth pair between node1 and the router, addresses on both ends. */
async function addSegment(w: World, enslave: (ifname: string) => Promise<void>): Promise<void> {
  await w.ip('node1', [
    'link',
    'add',
    'ilbv0',
    'type',
    'veth',
    'peer',
    'name',
    'ilbv1',
    'netns',
    w.ns('router'),
  ]);
  await enslave('ilbv0');
  for (const [role, ifname, a] of [
    ['node1', 'ilbv0', NODE_SIDE],
    ['router', 'ilbv1', ROUTER_SIDE],
  ] as const) {
    await w.ip(role, ['addr', 'add', `${a.v4}/24`, 'dev', ifname]);
    await w.ip(role, ['addr', 'add', `${a.v6}/64`, 'dev', ifname, 'nodad']);
    await w.ip(role, ['link', 'set', ifname, 'up']);
  }
}

interface DeviceCase {
  readonly desc: string;
  /** The BGPPeer's vrf. */
  readonly device: string;
  readonly supported: boolean;
  /** Creates the device (and the segment), leaving node1's default table without a route to the segment. */
  create(w: World): Promise<void>;
}

const CASES: DeviceCase[] = [
  {
    desc: 'a Linux VRF device',
    device: 'red',
    supported: kernelHasVrf(),
    create: async (w) => {
      await w.ip('node1', ['link', 'add', 'red', 'type', 'vrf', 'table', '10']);
      await w.ip('node1', ['link', 'set', 'red', 'up']);
      await addSegment(w, (ifname) => w.ip('node1', ['link', 'set', ifname, 'master', 'red']).then(() => {}));
    },
  },
  {
    desc: 'a plain device (kernels without CONFIG_NET_VRF)',
    device: 'ilbv0',
    supported: true,
    create: async (w) => {
      await addSegment(w, async () => {});
      await w.ip('node1', ['route', 'del', '198.51.100.0/24', 'dev', 'ilbv0']);
    },
  },
];

describe.each(CASES)('BGPPeer vrf naming $desc', (c) => {
  const run = c.supported ? test : test.skip;
  let world: World | undefined;
  let frr: FrrRouter | undefined;
  let speaker: ManagedProcess | undefined;

  afterAll(async () => {
    await world?.destroy();
  });

  run('stays Idle while the device is missing, then Establishes only through it', async () => {
    world = await createWorld({ nodes: 1 });
    const w = world;
    const n1 = w.host('node1').primary;
    frr = await startRouterFrr(w, [
      { address: n1.v4, asn: NODE_AS, families: ['ipv4', 'ipv6'], bfd: BFD },
      { address: NODE_SIDE.v4, asn: NODE_AS, families: ['ipv4', 'ipv6'], bfd: BFD },
      { address: NODE_SIDE.v6, asn: NODE_AS, families: ['ipv4', 'ipv6'], bfd: BFD },
    ]);
    const router = frr;
    speaker = await spawnSpeakerHost(w, {
      role: 'node1',
      name: 'speakerhost-vrf',
      peerAddress: [
        w.router.primary.v4,
        `${ROUTER_SIDE.v4}%${c.device}`,
        `${ROUTER_SIDE.v6}%${c.device}`,
      ].join(','),
      options: 'dual,bfd',
      prefixes: [SERVICE.v4, SERVICE.v6],
      routesDelayMs: 0,
      env: { LOG_LEVEL: 'warn' },
    });
    const proc = speaker;

    // Missing: every dial fails before a packet goes out; the session retries on the backoff (1 s, 2 s, ...).
    await router.waitEstablished(n1.v4, 40_000);
    await waitFor(
      'two failed retries of each device session',
      async () =>
        ['peer1', 'peer2'].every(
          (p) => sessionLines(proc, p).filter((l) => l.state === 'Connect').length >= 3,
        ),
      { timeoutMs: 30_000 },
    );
    for (const p of ['peer1', 'peer2']) {
      const last = sessionLines(proc, p).at(-1);
      expect(last?.state).toBe('Idle');
      expect(last?.lastError).toMatch(MISSING);
      const warnings = lines(proc)
        .filter((l) => l.level === 'warn' && l.peer === p)
        .map((l) => ({ text: l.message ?? l.msg, vrf: l.vrf }));
      expect(warnings.sort((a, b) => String(a.text).localeCompare(String(b.text)))).toEqual([
        { text: BGP_WARNING, vrf: c.device },
        { text: BFD_WARNING, vrf: c.device },
      ]);
    }
    expect((await router.peers()).find((p) => p.address === NODE_SIDE.v4)?.state).not.toBe('Established');

    // Created: the default table has no way to the segment; the device's sessions come up through it.
    await c.create(w);
    const unrouted = await w.exec('node1', ['ip', 'route', 'get', ROUTER_SIDE.v4], { allowFailure: true });
    expect(unrouted.code).not.toBe(0);
    await router.waitEstablished(NODE_SIDE.v4, 60_000);
    await router.waitEstablished(NODE_SIDE.v6, 60_000);

    await waitFor(
      'the Service prefixes from all three sessions',
      async () =>
        Object.keys(await nextHopsByPeer(router, SERVICE.v4)).length === 3 &&
        Object.keys(await nextHopsByPeer(router, SERVICE.v6)).length === 3,
      { timeoutMs: 30_000 },
    );
    expect(await nextHopsByPeer(router, SERVICE.v4)).toEqual({
      [n1.v4]: n1.v4,
      [NODE_SIDE.v4]: NODE_SIDE.v4,
      [NODE_SIDE.v6]: NODE_SIDE.v4,
    });
    expect(await nextHopsByPeer(router, SERVICE.v6)).toEqual({
      [n1.v4]: n1.v6,
      [NODE_SIDE.v4]: NODE_SIDE.v6,
      [NODE_SIDE.v6]: NODE_SIDE.v6,
    });
    // The default session's identifier is the node's address; the device's are the connection's IPv4 address.
    expect(await remoteRouterId(router, n1.v4)).toBe(n1.v4);
    expect(await remoteRouterId(router, NODE_SIDE.v4)).toBe(NODE_SIDE.v4);
    expect(await remoteRouterId(router, NODE_SIDE.v6)).toBe(NODE_SIDE.v4);
    await waitFor(
      'BFD Up with all three',
      async () => (await router.bfdPeers()).filter((p) => p.status === 'up').length === 3,
      { timeoutMs: 30_000 },
    );
    const bfd = await router.bfdPeers();
    expect(bfd.map((p) => [p.peer, p.local ?? '', p.status]).sort()).toEqual(
      [
        [n1.v4, w.router.primary.v4, 'up'],
        [NODE_SIDE.v4, ROUTER_SIDE.v4, 'up'],
        [NODE_SIDE.v6, ROUTER_SIDE.v6, 'up'],
      ].sort(),
    );
    // Still one warning of each kind per peer: success ended the runs of failures silently.
    expect(lines(proc).filter((l) => l.level === 'warn')).toHaveLength(4);
  });
});
