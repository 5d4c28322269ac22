// The native BGP speaker at 10,000 Services (issue 10): one real speaker process (compiled when
// `npm run build:release` left dist/, else under ts-node) in a node namespace of the harness's world, fed by a
// real kube-apiserver (loopback, reached through exposeRootPort), peering over IPv6 with three FRR instances,
// each in its own namespace on the lan (three real routers, one neighbour each: one FRR with three neighbours
// would need three speaker addresses). 10,000 single-stack IPv6 LoadBalancer Services with their addresses
// written into status and a ready EndpointSlice each, as the controller and the EndpointSlice controller would
// leave them (neither runs: feeding 30,000 objects through them on 2 cores takes minutes and measures them,
// not the speaker).
//
// The Services exist before the BGPAdvertisement does, so each trial starts once the speaker holds them all:
// - announce: create the BGPAdvertisement -> every FRR's pfxRcd is 10,000 (the speaker re-decides every
//   Service on a configuration change, so this is its whole path: config, decisions, Adj-RIB-Out, packer, TCP);
// - session reset: `clear bgp *` on every FRR -> from each session's Established (the first poll that sees it)
//   until its pfxRcd is 10,000 again, and from the clear (the speaker's reconnect included);
// - withdraw: delete the BGPAdvertisement -> every FRR's pfxRcd is 0;
// - UPDATEs: the speaker's metallb_bgp_updates_total and FRR's updatesRecv, per phase and peer;
// - RSS of the speaker with 10,000 prefixes on 3 sessions, once its CPU has settled.
// FRR is polled with vtysh every POLL_MS, so times carry up to that much (plus one vtysh run) of resolution.
// Needs root. Prints figures, asserts nothing (bench/README.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import {
  createWorld,
  exposeNamespacePort,
  exposeRootPort,
  nodeExecutable,
  type World,
} from '../e2e/harness/net';
import type { ManagedProcess } from '../e2e/harness/processes';
import { startFrr, type FrrRouter } from '../e2e/harness/routers/frr';
import { REPO_ROOT } from '../e2e/harness/paths';
import { SPEAKER_NODE_FLAGS } from '../speaker/runtimeflags';
import { NS, create, startCluster, stopCluster, type Cluster } from '../testkit/metallbcluster';

const SERVICES = Number(process.env['IRONLB_BENCH_BGP_SERVICES'] ?? 10_000);
const REPEAT = Number(process.env['IRONLB_BENCH_BGP_REPEAT'] ?? 3);
const POLL_MS = Number(process.env['IRONLB_BENCH_BGP_POLL_MS'] ?? 50);
const WRITERS = 16;
const ROUTER_AS = 64512;
const NODE_AS = 64513;
const PEERS = ['frr1', 'frr2', 'frr3'] as const;
const POOL = '2001:db8:200::/112';
const SERVICE_CIDR = '2001:db8:fd::/108';
const METRICS_PORT = 7472;

const say = (line: string): void => void process.stderr.write(`[bgp.bench] ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The i-th Service's address (i from 0): 2001:db8:200::1 upwards. */
const address = (i: number): string => `2001:db8:200::${(i + 1).toString(16)}`;

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

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
  ) {}

  async view(): Promise<PeerView> {
    const asked = Date.now();
    const raw = summaryJson.parse(JSON.parse(await this.frr.vtysh('show bgp ipv6 unicast summary json')));
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
  timeoutMs = 600_000,
): Promise<{ at: number[]; views: PeerView[] }> {
  const at = routers.map(() => NaN);
  const views: PeerView[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await Promise.all(routers.map((r) => r.view()));
    const seen = Date.now();
    now.forEach((v, i) => {
      views[i] = v;
      if (Number.isNaN(at[i]) && done(v)) at[i] = seen;
    });
    if (at.every((t) => !Number.isNaN(t))) return { at, views };
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify(now)}`);
    await sleep(POLL_MS);
  }
}

function procStatus(pid: number): { rssMiB: number; hwmMiB: number; cpuTicks: number } {
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

async function main(): Promise<void> {
  let world: World | undefined;
  let cluster: Cluster | undefined;
  try {
    const t0 = Date.now();
    world = await createWorld({ nodes: 1, peers: PEERS.map((role) => ({ role, segment: 'lan' as const })) });
    const w = world;
    const node = w.nodes[0];
    if (node === undefined) throw new Error('no node in the world');
    cluster = await startCluster([SERVICE_CIDR]);
    const { api, cp } = cluster;
    await exposeRootPort(w, Number(new URL(cp.server).port), [node.role]);
    const routers = await Promise.all(
      PEERS.map(async (role) => {
        const frr = await startFrr(w, role, {
          hostname: role,
          asn: ROUTER_AS,
          routerId: w.host(role).primary.v4,
          connectRetry: 1,
          neighbors: [{ address: node.primary.v6, asn: NODE_AS }],
        });
        return new Router(frr, node.primary.v6);
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
      spec: { addresses: [POOL] },
    });
    for (const role of PEERS)
      await create(api, `/apis/metallb.io/v1beta2/namespaces/${NS}/bgppeers`, {
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: role },
        spec: { myASN: NODE_AS, peerASN: ROUTER_AS, peerAddress: w.host(role).primary.v6 },
      });

    const compiled = path.join(REPO_ROOT, 'dist', 'speaker', 'main.js');
    const isCompiled = fs.existsSync(compiled);
    const speaker: ManagedProcess = await w.spawnIn(
      node.role,
      'speaker',
      [
        nodeExecutable(),
        ...SPEAKER_NODE_FLAGS,
        ...(isCompiled
          ? [compiled]
          : ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'speaker', 'main.ts')]),
        `--node-name=${node.role}`,
        `--host=${node.primary.v4}`,
        `--port=${METRICS_PORT}`,
        '--log-level=info',
      ],
      { cwd: REPO_ROOT, env: { KUBECONFIG: cp.kubeconfigPath, METALLB_NAMESPACE: NS } },
    );
    const metricsPort = (await exposeNamespacePort(w, node.role, METRICS_PORT, node.primary.v4)).port;
    const updatesSent = async (): Promise<number[]> => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      // One series per session, `peer` being addr:port (speaker/app/bgpmetrics.ts); matched by address.
      return PEERS.map((role) => {
        const v6 = w.host(role).primary.v6;
        const line = text
          .split('\n')
          .find(
            (l) =>
              l.startsWith('metallb_bgp_updates_total{') &&
              (l.includes(`"${v6}:`) || l.includes(`"[${v6}]:`)),
          );
        return Number(line?.slice(line.lastIndexOf(' ') + 1) ?? NaN);
      });
    };
    await untilEach('sessions Established', routers, (v) => v.state === 'Established', 120_000);
    say(
      `speaker (${isCompiled ? 'compiled' : 'ts-node'}) Established with ${PEERS.length} FRR; idle RSS ${procStatus(speaker.pid).rssMiB.toFixed(1)} MiB`,
    );

    const feedStart = Date.now();
    const services = `/api/v1/namespaces/default/services`;
    await pool(SERVICES, WRITERS, async (i) => {
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
            ipFamilies: ['IPv6'],
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
        body: { status: { loadBalancer: { ingress: [{ ip: address(i) }] } } },
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
          addressType: 'IPv6',
          endpoints: [{ addresses: [node.primary.v6], nodeName: node.role, conditions: { ready: true } }],
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      });
      if ((i + 1) % 1000 === 0) say(`${i + 1} Services written`);
    });
    const fed = Date.now() - feedStart;
    const settledAfter = await speakerSettled(speaker.pid);
    say(
      `${SERVICES} Services, statuses and EndpointSlices written in ${fed} ms; speaker idle ${settledAfter} ms later`,
    );

    const advertisement = `/apis/metallb.io/v1beta1/namespaces/${NS}/bgpadvertisements`;
    const announce: number[] = [];
    const announceFirst: number[] = [];
    const reset: number[] = [];
    const resetTotal: number[] = [];
    const withdraw: number[] = [];
    const rss: number[] = [];
    const hwm: number[] = [];
    const updates: { phase: string; sent: number[]; received: number[] }[] = [];
    const counted = async (phase: string, step: () => Promise<void>): Promise<void> => {
      const sent0 = await updatesSent();
      const recv0 = await Promise.all(routers.map((r) => r.updatesReceived()));
      await step();
      // The counters are read after the speaker settled, so late UPDATEs of the phase are in.
      await speakerSettled(speaker.pid);
      const sent1 = await updatesSent();
      const recv1 = await Promise.all(routers.map((r) => r.updatesReceived()));
      const row = {
        phase,
        sent: sent1.map((v, i) => v - (sent0[i] ?? NaN)),
        received: recv1.map((v, i) => v - (recv0[i] ?? NaN)),
      };
      updates.push(row);
      say(`${phase}: UPDATEs sent ${row.sent.join(', ')}; received by FRR ${row.received.join(', ')}`);
    };

    for (let t = 0; t < REPEAT; t++) {
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
        const first = await untilEach('first prefix', routers, (v) => v.received > 0);
        const all = await untilEach(`${SERVICES} prefixes`, routers, (v) => v.received >= SERVICES);
        announceFirst.push(Math.max(...first.at) - start);
        announce.push(Math.max(...all.at) - start);
        say(
          `trial ${t + 1}: all ${SERVICES} on every FRR ${Math.max(...all.at) - start} ms after the advertisement`,
        );
      });
      const held = procStatus(speaker.pid);
      rss.push(held.rssMiB);
      hwm.push(held.hwmMiB);
      say(
        `trial ${t + 1}: settled with ${SERVICES} prefixes on ${PEERS.length} sessions, RSS ${held.rssMiB.toFixed(1)} MiB`,
      );

      await counted('session reset', async () => {
        const cleared = Date.now();
        await Promise.all(routers.map((r) => r.frr.vtysh('clear bgp *')));
        // FRR's peerUptimeMsec counts whole seconds, so Established is the first poll that sees the new session
        // (at most POLL_MS plus one vtysh run late: the figure errs low by that much).
        const up = await untilEach('Established after the reset', routers, (v) => v.establishedAt > cleared);
        const all = await untilEach(
          `${SERVICES} prefixes after the reset`,
          routers,
          (v) => v.received >= SERVICES,
        );
        const took = Math.max(...all.at.map((at, i) => at - (up.at[i] ?? NaN)));
        reset.push(took);
        resetTotal.push(Math.max(...all.at) - cleared);
        say(`trial ${t + 1}: after clear bgp, Established -> all ${SERVICES} ${took} ms (slowest peer)`);
      });

      await counted('withdraw', async () => {
        const start = Date.now();
        await api.request({ method: 'DELETE', path: `${advertisement}/bench` });
        const none = await untilEach(
          '0 prefixes',
          routers,
          (v) => v.state === 'Established' && v.received === 0,
        );
        withdraw.push(Math.max(...none.at) - start);
        say(`trial ${t + 1}: every FRR at 0 ${Math.max(...none.at) - start} ms after the delete`);
      });
    }

    const uptime = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const line = (name: string, xs: readonly number[], unit = 'ms', digits = 0): void =>
      console.log(
        `  ${name.padEnd(58)} p50 ${pct(xs, 50).toFixed(digits)} ${unit}  max ${Math.max(...xs).toFixed(digits)} ${unit}  (${xs.map((x) => x.toFixed(digits)).join(', ')})`,
      );
    console.log(
      `native BGP speaker (${isCompiled ? 'compiled, dist/' : 'under ts-node'}), ${SERVICES} IPv6 Services, ${PEERS.length} FRR peers (one instance each), ${REPEAT} trials, FRR polled every ${POLL_MS} ms, load average ${uptime}`,
    );
    console.log(`  Services fed through the API server in ${fed} ms before the trials (not in the figures)`);
    line('advertisement created -> first prefix on every FRR', announceFirst);
    line(`advertisement created -> all ${SERVICES} on every FRR`, announce);
    line(`clear bgp: Established -> all ${SERVICES} (slowest peer)`, reset);
    line(`clear bgp -> all ${SERVICES} again (reconnect included)`, resetTotal);
    line('advertisement deleted -> 0 on every FRR', withdraw);
    line(`speaker RSS, ${SERVICES} prefixes on ${PEERS.length} sessions, settled`, rss, 'MiB', 1);
    line('speaker VmHWM (peak so far)', hwm, 'MiB', 1);
    for (const phase of ['announce', 'session reset', 'withdraw']) {
      const rows = updates.filter((u) => u.phase === phase);
      const sent = rows.flatMap((u) => u.sent);
      const received = rows.flatMap((u) => u.received);
      console.log(
        `  UPDATEs per peer, ${phase.padEnd(14)} sent (metallb_bgp_updates_total) ${sent.join(', ')}; received (FRR updatesRecv) ${received.join(', ')}`,
      );
    }
  } finally {
    await world?.destroy();
    await stopCluster(cluster);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
