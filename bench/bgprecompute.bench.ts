// What one speaker's BGP decisions and UPDATEs cost, in process: 10,000 IPv6 Services and 3 established peers,
// then the BGPAdvertisement arrives. The shipped BGPReconciler (speaker/reconcile/bgp.ts) decides every
// Service, the shipped BGPSessionManager and PeerSessions (speaker/bgp/) diff, pack and encode the UPDATEs,
// and each session writes into an in-memory peer that answered OPEN and KEEPALIVE (no sockets, so no root).
// Keys the reconciler enqueues run through the shipped WorkQueue and ReconcileRunner; the status writer is an
// in-memory apiserver answering on the next turn of the event loop. The logger is the speaker's JSON logger at
// `info`, writing to a discarding stream, so the cost of every line is counted.
// Figures: advertisement -> every route handed to the 3 sessions, the longest synchronous stretch (event loop
// delay), and the heap with 10,000 Services (after gc when run with --expose-gc). Prints, asserts nothing.
// Run it under the speaker's flags (speaker/runtimeflags.ts) as `make bench-bgprecompute` does.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { writeHeapSnapshot } from 'node:v8';
import { buildConfig } from '../config/build';
import type { Config } from '../config/types';
import { systemClock } from '../kube/clock';
import { createLogger } from '../kube/log';
import { Registry } from '../kube/prometheus/registry';
import { ReconcileRunner } from '../kube/reconciler';
import { WorkQueue } from '../kube/workqueue';
import { bgpMetrics } from '../speaker/app/bgpmetrics';
import { encode, frame } from '../speaker/bgp/codec/message';
import { buildOpen } from '../speaker/bgp/fsm/open';
import { BGPSessionManager } from '../speaker/bgp/manager';
import { type Connector, PeerSession } from '../speaker/bgp/session/session';
import type { SessionStats } from '../speaker/bgp/session/session';
import type { ElectionNode } from '../speaker/election/types';
import { BGPReconciler } from '../speaker/reconcile/bgp';
import { speakerServices } from './speakerservices';

const SERVICES = Number(process.env['IRONLB_BENCH_BGP_SERVICES'] ?? 10000);
/** Advertisement created then deleted, this many times: the machine is shared, so one trial is noise. */
const REPEAT = Number(process.env['IRONLB_BENCH_BGP_REPEAT'] ?? 3);
const NS = 'metallb-system';
const NODE = 'node-a';
const PEERS = ['router-a', 'router-b', 'router-c'];
const NODE_AS = 64512;
const ROUTER_AS = 64500;
const CTX = { fourOctetAs: true };

const { services, endpointSlices } = speakerServices(
  SERVICES,
  (i) => `2001:db8:200::${(i + 1).toString(16)}`,
  NODE,
);
const thisNode: ElectionNode = { labels: { 'kubernetes.io/hostname': NODE }, networkUnavailable: false };

function configWith(advertised: boolean): Config {
  const built = buildConfig(
    {
      ipAddressPools: [
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'IPAddressPool',
          metadata: { name: 'v6', namespace: NS },
          spec: { addresses: ['2001:db8:200::/112'] },
        },
      ],
      bgpAdvertisements: advertised
        ? [
            {
              apiVersion: 'metallb.io/v1beta1',
              kind: 'BGPAdvertisement',
              metadata: { name: 'bgp', namespace: NS },
              spec: {},
            },
          ]
        : [],
      bgpPeers: PEERS.map((name, i) => ({
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name, namespace: NS },
        spec: { myASN: NODE_AS, peerASN: ROUTER_AS, peerAddress: `2001:db8::${i + 2}` },
      })),
      nodes: [{ metadata: { name: NODE, labels: thisNode.labels } }],
    },
    { bgpType: 'native' },
  );
  if (!built.ok) throw new Error(built.errors.map((e) => e.message).join('\n'));
  return built.config;
}

/** A router that answers the session's OPEN with its own and a KEEPALIVE, then counts what it is sent. */
let updatesReceived = 0;
let bytesReceived = 0;
const router =
  (routerOctet: number): Connector =>
  (_opts, handlers) => {
    let buf: Buffer = Buffer.alloc(0);
    let opened = false;
    setImmediate(() => handlers.onConnect('2001:db8::1'));
    return {
      write: (bytes) => {
        bytesReceived += bytes.length;
        buf = buf.length === 0 ? bytes : Buffer.concat([buf, bytes]);
        for (let f = frame(buf); f.status === 'message'; f = frame(buf)) {
          if (buf[18] === 2) updatesReceived++; // the type octet after marker and length (RFC 4271 4.1)
          if (buf[18] === 1 && !opened) {
            opened = true;
            const open = buildOpen({
              localAs: ROUTER_AS,
              peerAs: NODE_AS,
              routerId: `192.0.2.${routerOctet}`,
              holdTime: 90,
              connectRetryTime: 10,
              families: [{ afi: 2, safi: 1 }],
            });
            setImmediate(() => {
              handlers.onData(encode(open, CTX));
              handlers.onData(encode({ type: 'keepalive' }, CTX));
            });
          }
          buf = buf.subarray(f.length);
        }
      },
      close: () => setImmediate(() => handlers.onClose()),
    };
  };

let logLines = 0;
const logSink = new Writable({
  write(_chunk, _enc, done) {
    logLines++;
    done();
  },
});
const logger = createLogger({ level: 'info', component: 'speaker', stream: logSink });
const registry = new Registry();
const metrics = bgpMetrics(registry, NODE);
const stats = new Map<string, SessionStats>();
let onStats: () => void = () => undefined;
const sessions = new BGPSessionManager({
  node: NODE,
  logger,
  observer: {
    changed: (peer, label, s) => {
      metrics.sessions.changed(peer, label, s);
      stats.set(peer, s);
      onStats();
    },
    removed: (peer, label) => metrics.sessions.removed(peer, label),
  },
  factory: (options) =>
    new PeerSession({
      ...options,
      connector: router(Number.parseInt(options.dial.peerAddress.split('::')[1] ?? '0', 16)),
    }),
});

/** The names of the ServiceBGPStatus objects the apiserver holds (what the speaker's informer would know). */
const statuses = new Set<string>();
const clock = systemClock();
const queue = new WorkQueue({ clock });
let events = 0;
const reconciler = new BGPReconciler({
  myNode: NODE,
  namespace: NS,
  lbClass: '',
  ignoreExcludeLB: false,
  logger,
  enqueue: (key) => queue.add(key),
  sources: {
    service: (k) => services.get(k),
    slices: (k) => endpointSlices.get(k) ?? [],
    node: () => thisNode,
    serviceKeys: () => services.keys(),
    hasStatus: (name) => statuses.has(name),
  },
  sessions,
  statusWriter: {
    // An apiserver round trip: the answer comes on a later turn of the event loop, as a socket's would.
    apply: (status) =>
      new Promise((resolve) =>
        setImmediate(() => {
          statuses.add(status.metadata.name);
          resolve();
        }),
      ),
    delete: (_ns, name) =>
      new Promise((resolve) =>
        setImmediate(() => {
          statuses.delete(name);
          resolve();
        }),
      ),
  },
  events: { nodeAssigned: () => void events++ },
  metrics: metrics.announce,
});
const runner = new ReconcileRunner({ name: 'speaker', queue, reconciler, logger });

const allHold = (n: number): boolean =>
  PEERS.every((p) => stats.get(p)?.state === 'Established' && stats.get(p)?.announced === n);

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check()) return resolve();
    onStats = () => {
      if (!check()) return;
      onStats = () => undefined;
      resolve();
    };
  });
}

async function queueDrained(): Promise<void> {
  while (queue.len() > 0) await new Promise((r) => setTimeout(r, 20));
}

function heapMiB(): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
  const m = process.memoryUsage();
  return `heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} MiB${gc === undefined ? ' (no --expose-gc: before gc)' : ''}, rss ${(m.rss / 2 ** 20).toFixed(1)} MiB`;
}

// IRONLB_BENCH_HEAPSNAPSHOT=<dir>: a heap snapshot at each figure, to diff what 10,000 Services keep.
const SNAPSHOT_DIR = process.env['IRONLB_BENCH_HEAPSNAPSHOT'];
function snapshot(name: string): void {
  if (SNAPSHOT_DIR !== undefined) writeHeapSnapshot(`${SNAPSHOT_DIR}/${name}.heapsnapshot`);
}

interface PhaseFigures {
  readonly routedMs: number;
  /** This process's CPU time until then (user + system, GC included): steadier than wall time under load. */
  readonly cpuMs: number;
  readonly longestMs: number;
}

async function phase(label: string, run: () => void, done: () => boolean): Promise<PhaseFigures> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const updates0 = updatesReceived;
  const lines0 = logLines;
  delay.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const sync = performance.now() - t0;
  await until(done);
  const routed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  await queueDrained();
  const drained = performance.now() - t0;
  delay.disable();
  console.log(
    `${label}: routes handed to every session in ${routed.toFixed(0)} ms (CPU ${cpuMs.toFixed(0)} ms; setConfig itself ${sync.toFixed(0)} ms), ` +
      `queue drained in ${drained.toFixed(0)} ms; longest synchronous stretch ${Math.max(sync, delay.max / 1e6).toFixed(0)} ms; ` +
      `${updatesReceived - updates0} UPDATEs received over ${PEERS.length} peers, ${logLines - lines0} log lines`,
  );
  return { routedMs: routed, cpuMs, longestMs: Math.max(sync, delay.max / 1e6) };
}

function summary(label: string, trials: readonly PhaseFigures[]): string {
  const range = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    return `${(sorted[0] ?? 0).toFixed(0)} / ${median.toFixed(0)} / ${(sorted[sorted.length - 1] ?? 0).toFixed(0)}`;
  };
  return (
    `${label} (min / median / max of ${trials.length}): routes handed over ${range(trials.map((t) => t.routedMs))} ms ` +
    `(CPU ${range(trials.map((t) => t.cpuMs))} ms), ` +
    `longest synchronous stretch ${range(trials.map((t) => t.longestMs))} ms`
  );
}

async function main(): Promise<void> {
  runner.start();
  console.log(`${SERVICES} Services, ${PEERS.length} peers; before any config: ${heapMiB()}`);
  reconciler.setConfig(configWith(false));
  await until(() => PEERS.every((p) => stats.get(p)?.state === 'Established'));
  await queueDrained();
  console.log(`3 sessions established, no advertisement: ${heapMiB()}`);
  snapshot('established');
  const created: PhaseFigures[] = [];
  const deleted: PhaseFigures[] = [];
  for (let trial = 1; trial <= REPEAT; trial++) {
    created.push(
      await phase(
        `trial ${trial}, advertisement created`,
        () => reconciler.setConfig(configWith(true)),
        () => allHold(SERVICES),
      ),
    );
    console.log(
      `${SERVICES} prefixes on 3 sessions, ${statuses.size} statuses, ${events} events: ${heapMiB()}; ` +
        `${(bytesReceived / 2 ** 20).toFixed(1)} MiB sent`,
    );
    if (trial === 1) snapshot('advertised');
    deleted.push(
      await phase(
        `trial ${trial}, advertisement deleted`,
        () => reconciler.setConfig(configWith(false)),
        () => allHold(0),
      ),
    );
    console.log(`withdrawn, ${statuses.size} statuses: ${heapMiB()}`);
  }
  console.log(summary('advertisement created', created));
  console.log(summary('advertisement deleted', deleted));
  reconciler.stop();
  await sessions.stop();
  await runner.stop();
}

void main();
