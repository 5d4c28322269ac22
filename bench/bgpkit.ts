// The BGP work of bench/bgp.bench.ts and of sxs.bench.ts's BGP rows, whoever the speaker is (bench/bgpsides.ts:
// ironlb's native speaker, ironlb or MetalLB in FRR mode with an FRR sidecar, MetalLB's native speaker).
// One node namespace of the harness's world holds the speaker, fed by a real kube-apiserver (loopback, reached
// through exposeRootPort); three FRR instances, each in its own namespace on the lan, peer with it (three real
// routers, one neighbour each: one FRR with three neighbours would need three speaker addresses). Services are
// single-stack LoadBalancer Services of one family with their addresses written into status and a ready
// EndpointSlice each, as the controller and the EndpointSlice controller would leave them (neither runs:
// feeding 30,000 objects through them on 2 cores takes minutes and measures them, not the speaker).
//
// The Services exist before the BGPAdvertisement does, so each trial starts once the speaker holds them all:
// - announce: create the BGPAdvertisement -> every FRR's pfxRcd is SERVICES (a speaker re-decides every
//   Service on a configuration change, so this is its whole path: config, decisions, and then either its own
//   Adj-RIB-Out, packer and TCP, or frr.conf, the reloader and the sidecar's bgpd);
// - session reset: `clear bgp *` on every FRR -> from each session's Established (the first poll that sees it)
//   until its pfxRcd is SERVICES again, and from the clear (the reconnect included);
// - withdraw: delete the BGPAdvertisement -> every FRR's pfxRcd is 0;
// - UPDATEs: FRR's updatesRecv per phase and peer (and the speaker's metallb_bgp_updates_total where the
//   speaker itself speaks BGP);
// - RSS of the speaker (and of its FRR sidecar's daemons) with SERVICES prefixes on 3 sessions, once settled.
// FRR is polled with vtysh every pollMs, so times carry up to that much (plus one vtysh run) of resolution.
// Needs root. Figures only; nothing is asserted (bench/README.md).
import * as fs from 'node:fs';
import { z } from 'zod';
import { startControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { createWorld, exposeNamespacePort, exposeRootPort, type World } from '../e2e/harness/net';
import type { Host } from '../e2e/harness/net/world/links';
import { startFrr, type FrrRouter } from '../e2e/harness/routers/frr';
import type { ControlPlane } from '../e2e/harness/controlplane';
import type { ManagedProcess } from '../e2e/harness/processes';
import { NS, create, stopCluster, type Cluster } from '../testkit/metallbcluster';

export type Family = 'ipv4' | 'ipv6';

export const ROUTER_AS = 64512;
export const NODE_AS = 64513;
export const PEERS = ['frr1', 'frr2', 'frr3'] as const;
export const METRICS_PORT = 7472;

/** Per family: the pool, where Service i's address comes from, and the ClusterIP range. */
const FAMILY = {
  // 2001:db8::/32 is the documentation prefix: 65,536 addresses here, more than any run asks for.
  ipv6: {
    pool: '2001:db8:200::/112',
    address: (i: number): string => `2001:db8:200::${(i + 1).toString(16)}`,
    capacity: 65_535,
    serviceCidr: '2001:db8:fd::/108',
    k8sFamily: 'IPv6',
  },
  // The IPv4 documentation ranges are three /24s and the world uses the lan's and the far segment's; the BGP
  // pool of the world's plan (203.0.113.128/25) is the most one run can announce: 128 prefixes.
  ipv4: {
    pool: '203.0.113.128/25',
    address: (i: number): string => `203.0.113.${128 + i}`,
    capacity: 128,
    serviceCidr: '198.51.100.0/24',
    k8sFamily: 'IPv4',
  },
} as const;

export const familyCapacity = (family: Family): number => FAMILY[family].capacity;

export interface Workload {
  readonly family: Family;
  readonly services: number;
  readonly repeat: number;
  readonly pollMs: number;
  readonly say: (line: string) => void;
}

/** What a side's speaker gets to start in: the world, its node, the control plane, the peers' addresses. */
export interface SpeakerContext {
  readonly world: World;
  readonly node: Host;
  readonly cp: ControlPlane;
  readonly api: HarnessRestClient;
  readonly family: Family;
}

export interface RunningSpeaker {
  /** The speaker process (CPU settle, RSS; the run fails as soon as it exits). */
  readonly proc: ManagedProcess;
  /** Processes that speak BGP for it (FRR mode: the sidecar's daemons), for their RSS; none when native. */
  readonly sidecarPids: () => number[];
  /** Whether it serves metallb_bgp_updates_total itself (a native speaker does; in FRR mode FRR sends). */
  readonly countsUpdates: boolean;
}

/** One speaker implementation on this work (bench/bgpsides.ts). */
export interface BgpSide {
  readonly label: string;
  /** Versions, flags, mode, what was changed: printed with the figures. */
  readonly describe: string;
  /** Installs the metallb.io CRDs this side ships (each side's own: they are the API it reads). */
  installCrds(api: HarnessRestClient): Promise<void>;
  start(ctx: SpeakerContext): Promise<RunningSpeaker>;
}

export interface UpdateCounts {
  readonly phase: string;
  /** Per peer, from the speaker's metallb_bgp_updates_total; NaN where the speaker does not count them. */
  readonly sent: number[];
  /** Per peer, from FRR's updatesRecv. */
  readonly received: number[];
}

export interface BgpFigures {
  readonly side: string;
  readonly family: Family;
  readonly services: number;
  readonly loadAverage: string;
  /** Services, statuses and EndpointSlices written, ms (before the trials; not a figure of the speaker). */
  readonly fedMs: number;
  readonly announceFirst: number[];
  readonly announce: number[];
  readonly reset: number[];
  readonly resetTotal: number[];
  readonly withdraw: number[];
  readonly rssMiB: number[];
  readonly hwmMiB: number[];
  /** Sum of the sidecar daemons' RSS (FRR mode), MiB; empty when native. */
  readonly sidecarRssMiB: number[];
  readonly updates: UpdateCounts[];
}

export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `work(i)` for i in [0, n) with `width` in flight. */
async function pool(n: number, width: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

const summaryJson = z.looseObject({
  peers: z
    .record(
      z.string(),
      z.looseObject({
        state: z.string(),
        pfxRcd: z.number().optional(),
        peerUptimeMsec: z.number().optional(),
      }),
    )
    .optional(),
});
const neighborJson = z.record(
  z.string(),
  z.looseObject({ messageStats: z.looseObject({ updatesRecv: z.number() }).optional() }),
);

interface PeerView {
  state: string;
  received: number;
  /** When FRR's session came up (wall clock), from peerUptimeMsec; NaN when not Established. */
  establishedAt: number;
}

class Router {
  constructor(
    readonly frr: FrrRouter,
    readonly neighbor: string,
    readonly family: Family,
  ) {}

  async view(): Promise<PeerView> {
    const asked = Date.now();
    const raw = summaryJson.parse(
      JSON.parse(await this.frr.vtysh(`show bgp ${this.family} unicast summary json`)),
    );
    const p = raw.peers?.[this.neighbor];
    const up = p?.state === 'Established' && p.peerUptimeMsec !== undefined;
    return {
      state: p?.state ?? 'absent',
      received: p?.pfxRcd ?? 0,
      establishedAt: up ? asked - (p.peerUptimeMsec ?? 0) : NaN,
    };
  }

  async updatesReceived(): Promise<number> {
    const raw = neighborJson.parse(
      JSON.parse(await this.frr.vtysh(`show bgp neighbors ${this.neighbor} json`)),
    );
    return raw[this.neighbor]?.messageStats?.updatesRecv ?? NaN;
  }
}

/** Polls every router until `done` holds for each; returns when each first did (wall clock). */
async function untilEach(
  what: string,
  routers: readonly Router[],
  done: (v: PeerView) => boolean,
  pollMs: number,
  speaker: ManagedProcess,
  timeoutMs = 600_000,
): Promise<{ at: number[]; views: PeerView[] }> {
  const at = routers.map(() => NaN);
  const views: PeerView[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!speaker.running) throw new Error(`${what}: the speaker exited; its log:\n${speaker.logTail(20)}`);
    const now = await Promise.all(routers.map((r) => r.view()));
    const seen = Date.now();
    now.forEach((v, i) => {
      views[i] = v;
      if (Number.isNaN(at[i]) && done(v)) at[i] = seen;
    });
    if (at.every((t) => !Number.isNaN(t))) return { at, views };
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify(now)}`);
    await sleep(pollMs);
  }
}

export function procStatus(pid: number): { rssMiB: number; hwmMiB: number; cpuTicks: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s*(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN);
  // /proc/<pid>/stat fields 14 and 15 (utime, stime), after the parenthesised command name.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    rssMiB: kib('VmRSS') / 1024,
    hwmMiB: kib('VmHWM') / 1024,
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

/** Waits until the speaker used under 5% of a core over 2 s (its API writes for the last change are done). */
async function speakerSettled(pid: number, timeoutMs = 600_000): Promise<number> {
  const start = Date.now();
  let before = procStatus(pid).cpuTicks;
  for (;;) {
    await sleep(2_000);
    const now = procStatus(pid).cpuTicks;
    // USER_HZ is 100 on Linux: 10 ticks in 2 s is 5%.
    if (now - before < 10) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error('speaker never settled');
    before = now;
  }
}

/** The speaker's metallb_bgp_updates_total per peer (PEERS order); `peer` is addr:port (or [addr]:port). */
function updatesFromMetrics(text: string, peers: readonly string[]): number[] {
  return peers.map((addr) => {
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('metallb_bgp_updates_total{') &&
          (l.includes(`"${addr}:`) || l.includes(`"[${addr}]:`)),
      );
    return Number(line?.slice(line.lastIndexOf(' ') + 1) ?? NaN);
  });
}

/** A control plane without scheduler, the MetalLB namespace and the side's CRDs. */
async function startSideCluster(side: BgpSide, serviceCidr: string): Promise<Cluster> {
  const cp = await startControlPlane({ scheduler: false, serviceCidrs: [serviceCidr] });
  const api = cp.adminClient();
  const cluster = { cp, api };
  try {
    await create(api, '/api/v1/namespaces', { metadata: { name: NS } });
    await side.installCrds(api);
    return cluster;
  } catch (err) {
    await stopCluster(cluster);
    throw err;
  }
}

/** One side on the work: a fresh world and control plane, `w.repeat` trials, figures. */
export async function runBgpWork(side: BgpSide, w: Workload): Promise<BgpFigures> {
  const fam = FAMILY[w.family];
  if (w.services > fam.capacity)
    throw new Error(`${w.services} ${w.family} Services: the pool ${fam.pool} holds ${fam.capacity}`);
  const say = (line: string): void => w.say(`${side.label}: ${line}`);
  const pick = (h: Host): string => (w.family === 'ipv4' ? h.primary.v4 : h.primary.v6);
  let world: World | undefined;
  let cluster: Cluster | undefined;
  try {
    const t0 = Date.now();
    world = await createWorld({ nodes: 1, peers: PEERS.map((role) => ({ role, segment: 'lan' as const })) });
    const wd = world;
    const node = wd.nodes[0];
    if (node === undefined) throw new Error('no node in the world');
    cluster = await startSideCluster(side, fam.serviceCidr);
    const { api, cp } = cluster;
    await exposeRootPort(wd, Number(new URL(cp.server).port), [node.role]);
    const routers = await Promise.all(
      PEERS.map(async (role) => {
        const frr = await startFrr(wd, role, {
          hostname: role,
          asn: ROUTER_AS,
          routerId: wd.host(role).primary.v4,
          connectRetry: 1,
          neighbors: [{ address: pick(node), asn: NODE_AS }],
        });
        return new Router(frr, pick(node), w.family);
      }),
    );
    say(`world, control plane and ${PEERS.length} FRR up after ${Date.now() - t0} ms`);

    await create(api, '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.role, labels: { 'kubernetes.io/hostname': node.role } },
    });
    await create(api, `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`, {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'bench' },
      spec: { addresses: [fam.pool] },
    });
    for (const role of PEERS)
      await create(api, `/apis/metallb.io/v1beta2/namespaces/${NS}/bgppeers`, {
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: role },
        spec: { myASN: NODE_AS, peerASN: ROUTER_AS, peerAddress: pick(wd.host(role)) },
      });

    const speaker = await side.start({ world: wd, node, cp, api, family: w.family });
    const metricsPort = (await exposeNamespacePort(wd, node.role, METRICS_PORT, node.primary.v4)).port;
    const peerAddresses = PEERS.map((role) => pick(wd.host(role)));
    const updatesSent = async (): Promise<number[]> =>
      speaker.countsUpdates
        ? updatesFromMetrics(
            await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
            peerAddresses,
          )
        : peerAddresses.map(() => NaN);
    await untilEach(
      'sessions Established',
      routers,
      (v) => v.state === 'Established',
      w.pollMs,
      speaker.proc,
      120_000,
    );
    say(
      `Established with ${PEERS.length} FRR; idle RSS ${procStatus(speaker.proc.pid).rssMiB.toFixed(1)} MiB`,
    );

    const feedStart = Date.now();
    const services = `/api/v1/namespaces/default/services`;
    await pool(w.services, 16, async (i) => {
      const name = `bench-${i}`;
      await api.request({
        method: 'POST',
        path: services,
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: 'default' },
          spec: {
            type: 'LoadBalancer',
            ipFamilies: [fam.k8sFamily],
            ipFamilyPolicy: 'SingleStack',
            allocateLoadBalancerNodePorts: false,
            ports: [{ port: 80, protocol: 'TCP' }],
          },
        },
      });
      await api.request({
        method: 'PATCH',
        path: `${services}/${name}/status`,
        contentType: 'application/merge-patch+json',
        body: { status: { loadBalancer: { ingress: [{ ip: fam.address(i) }] } } },
      });
      await api.request({
        method: 'POST',
        path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
        body: {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name,
            labels: {
              'kubernetes.io/service-name': name,
              'endpointslice.kubernetes.io/managed-by': 'bgp.bench',
            },
          },
          addressType: fam.k8sFamily,
          endpoints: [{ addresses: [pick(node)], nodeName: node.role, conditions: { ready: true } }],
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      });
      if ((i + 1) % 1000 === 0) say(`${i + 1} Services written`);
    });
    const fedMs = Date.now() - feedStart;
    const settledAfter = await speakerSettled(speaker.proc.pid);
    say(
      `${w.services} Services, statuses and EndpointSlices written in ${fedMs} ms; speaker idle ${settledAfter} ms later`,
    );

    const advertisement = `/apis/metallb.io/v1beta1/namespaces/${NS}/bgpadvertisements`;
    const f = {
      announce: [] as number[],
      announceFirst: [] as number[],
      reset: [] as number[],
      resetTotal: [] as number[],
      withdraw: [] as number[],
      rssMiB: [] as number[],
      hwmMiB: [] as number[],
      sidecarRssMiB: [] as number[],
      updates: [] as UpdateCounts[],
    };
    const received = (): Promise<number[]> => Promise.all(routers.map((r) => r.updatesReceived()));
    const counted = async (phase: string, step: () => Promise<void>): Promise<void> => {
      const sent0 = await updatesSent();
      const recv0 = await received();
      await step();
      // The counters are read once the speaker settled and FRR's count stood still over one poll, so the
      // phase's late UPDATEs (a sidecar's bgpd sends after the speaker is done) are in.
      await speakerSettled(speaker.proc.pid);
      let recv1 = await received();
      for (;;) {
        await sleep(2_000);
        const again = await received();
        if (again.every((v, i) => v === recv1[i])) break;
        recv1 = again;
      }
      const sent1 = await updatesSent();
      const row = {
        phase,
        sent: sent1.map((v, i) => v - (sent0[i] ?? NaN)),
        received: recv1.map((v, i) => v - (recv0[i] ?? NaN)),
      };
      f.updates.push(row);
      say(`${phase}: UPDATEs sent ${row.sent.join(', ')}; received by FRR ${row.received.join(', ')}`);
    };

    for (let t = 0; t < w.repeat; t++) {
      await counted('announce', async () => {
        const start = Date.now();
        await api.request({
          method: 'POST',
          path: advertisement,
          body: {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'BGPAdvertisement',
            metadata: { name: 'bench' },
            spec: { ipAddressPools: ['bench'] },
          },
        });
        const first = await untilEach('first prefix', routers, (v) => v.received > 0, w.pollMs, speaker.proc);
        const all = await untilEach(
          `${w.services} prefixes`,
          routers,
          (v) => v.received >= w.services,
          w.pollMs,
          speaker.proc,
        );
        f.announceFirst.push(Math.max(...first.at) - start);
        f.announce.push(Math.max(...all.at) - start);
        say(
          `trial ${t + 1}: all ${w.services} on every FRR ${Math.max(...all.at) - start} ms after the advertisement`,
        );
      });
      const held = procStatus(speaker.proc.pid);
      f.rssMiB.push(held.rssMiB);
      f.hwmMiB.push(held.hwmMiB);
      const sidecar = speaker.sidecarPids();
      if (sidecar.length > 0)
        f.sidecarRssMiB.push(sidecar.reduce((sum, pid) => sum + procStatus(pid).rssMiB, 0));
      say(
        `trial ${t + 1}: settled with ${w.services} prefixes on ${PEERS.length} sessions, RSS ${held.rssMiB.toFixed(1)} MiB`,
      );

      await counted('session reset', async () => {
        const cleared = Date.now();
        await Promise.all(routers.map((r) => r.frr.vtysh('clear bgp *')));
        // FRR's peerUptimeMsec counts whole seconds, so Established is the first poll that sees the new session
        // (at most pollMs plus one vtysh run late: the figure errs low by that much).
        const up = await untilEach(
          'Established after the reset',
          routers,
          (v) => v.establishedAt > cleared,
          w.pollMs,
          speaker.proc,
        );
        const all = await untilEach(
          `${w.services} prefixes after the reset`,
          routers,
          (v) => v.received >= w.services,
          w.pollMs,
          speaker.proc,
        );
        const took = Math.max(...all.at.map((at, i) => at - (up.at[i] ?? NaN)));
        f.reset.push(took);
        f.resetTotal.push(Math.max(...all.at) - cleared);
        say(`trial ${t + 1}: after clear bgp, Established -> all ${w.services} ${took} ms (slowest peer)`);
      });

      await counted('withdraw', async () => {
        const start = Date.now();
        await api.request({ method: 'DELETE', path: `${advertisement}/bench` });
        const none = await untilEach(
          '0 prefixes',
          routers,
          (v) => v.state === 'Established' && v.received === 0,
          w.pollMs,
          speaker.proc,
        );
        f.withdraw.push(Math.max(...none.at) - start);
        say(`trial ${t + 1}: every FRR at 0 ${Math.max(...none.at) - start} ms after the delete`);
      });
    }
    const loadAverage = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    return { side: side.label, family: w.family, services: w.services, loadAverage, fedMs, ...f };
  } finally {
    await world?.destroy();
    await stopCluster(cluster);
  }
}

/** The figures as bench/bgp.bench.ts has always printed them: p50, max and every trial. */
export function printBgpFigures(f: BgpFigures, header: string): void {
  const line = (name: string, xs: readonly number[], unit = 'ms', digits = 0): void =>
    console.log(
      `  ${name.padEnd(58)} p50 ${pct(xs, 50).toFixed(digits)} ${unit}  max ${Math.max(...xs).toFixed(digits)} ${unit}  (${xs.map((x) => x.toFixed(digits)).join(', ')})`,
    );
  console.log(`${header}, load average ${f.loadAverage}`);
  console.log(
    `  Services fed through the API server in ${f.fedMs} ms before the trials (not in the figures)`,
  );
  line('advertisement created -> first prefix on every FRR', f.announceFirst);
  line(`advertisement created -> all ${f.services} on every FRR`, f.announce);
  line(`clear bgp: Established -> all ${f.services} (slowest peer)`, f.reset);
  line(`clear bgp -> all ${f.services} again (reconnect included)`, f.resetTotal);
  line('advertisement deleted -> 0 on every FRR', f.withdraw);
  line(`speaker RSS, ${f.services} prefixes on ${PEERS.length} sessions, settled`, f.rssMiB, 'MiB', 1);
  line('speaker VmHWM (peak so far)', f.hwmMiB, 'MiB', 1);
  if (f.sidecarRssMiB.length > 0) line('FRR sidecar daemons RSS (sum), settled', f.sidecarRssMiB, 'MiB', 1);
  for (const phase of ['announce', 'session reset', 'withdraw']) {
    const rows = f.updates.filter((u) => u.phase === phase);
    const sent = rows.flatMap((u) => u.sent);
    const received = rows.flatMap((u) => u.received);
    console.log(
      `  UPDATEs per peer, ${phase.padEnd(14)} sent (metallb_bgp_updates_total) ${sent.join(', ')}; received (FRR updatesRecv) ${received.join(', ')}`,
    );
  }
}
