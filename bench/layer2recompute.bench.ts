// What one speaker's Layer 2 decisions cost, in process: 1,000 IPv6 Services over three nodes, then membership
// changes (a peer dies, comes back, ...) recomputed by the shipped Layer2Reconciler driving the shipped
// Announcer over an in-memory L2Io (one interface; no sockets, so no root).
// The figure that matters is the longest synchronous stretch, since membership timers share the event loop.
// Prints figures, asserts nothing (bench/README.md).
import { performance } from 'node:perf_hooks';
import { buildConfig } from '../config/build';
import { silentLogger } from '../kube/log';
import type { ElectionNode } from '../speaker/election/types';
import { Announcer, type L2Io } from '../speaker/l2/announcer';
import { Layer2Reconciler } from '../speaker/reconcile/layer2';
import { speakerServices } from './speakerservices';

const SERVICES = Number(process.env['IRONLB_BENCH_SERVICES'] ?? 1000);
const NS = 'metallb-system';
const NODES = ['node-a', 'node-b', 'node-c'];

const { services, endpointSlices } = speakerServices(
  SERVICES,
  (i) => `2001:db8:1::${(i + 1).toString(16)}`,
  'node-a',
);
const nodes = new Map<string, ElectionNode>(
  NODES.map((n) => [n, { labels: { 'kubernetes.io/hostname': n }, networkUnavailable: false }]),
);
const built = buildConfig({
  ipAddressPools: [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'v6', namespace: NS },
      spec: { addresses: ['2001:db8:1::/112'] },
    },
  ],
  l2Advertisements: [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'l2', namespace: NS },
      spec: {},
    },
  ],
  nodes: NODES.map((n) => ({ metadata: { name: n, labels: { 'kubernetes.io/hostname': n } } })),
});
if (!built.ok) throw new Error(built.errors.map((e) => e.message).join('\n'));
const config = built.config;

let alive = new Set(NODES);
let queued = 0;
let groupCalls = 0;
let framesSent = 0;
const io: L2Io = {
  readInterfaces: () => ({
    links: [{ index: 2, name: 'eth0', type: 1, flags: 0x3, mac: '02:00:00:00:00:0a' }],
    addresses: [
      { index: 2, family: 10, prefixLength: 64, scope: 253, flags: 0x80, address: 'fe80::ff:fe00:a' },
    ],
  }),
  openResponder: () => ({ send: () => void framesSent++, close: () => undefined }),
  joinGroup: () => void groupCalls++,
  leaveGroup: () => void groupCalls++,
  close: () => undefined,
};
const announcer = new Announcer({ io });
announcer.start();
let held = 0;
const r = new Layer2Reconciler({
  myNode: 'node-a',
  namespace: NS,
  lbClass: '',
  ignoreExcludeLB: false,
  sources: {
    service: (k) => services.get(k),
    slices: (k) => endpointSlices.get(k) ?? [],
    nodes: () => nodes,
    serviceKeys: () => services.keys(),
    hasStatus: () => false,
  },
  membership: { aliveSpeakers: () => alive, isIsolated: () => false },
  announcer: {
    announce: (ip, ifs) => {
      if (!announcer.isAnnounced(ip)) held++;
      announcer.announce(ip, ifs);
    },
    withdraw: (ip) => {
      if (announcer.isAnnounced(ip)) held--;
      announcer.withdraw(ip);
    },
  },
  interfaceNames: () => new Set(['eth0']),
  statusWriter: { apply: () => Promise.resolve(), delete: () => Promise.resolve() },
  events: { nodeAssigned: () => undefined, announceFailed: () => undefined },
  metrics: { announced: () => undefined, withdrawn: () => undefined },
  logger: silentLogger(),
  enqueue: () => void queued++,
  // Every slice is timed: the longest is what membership's timers wait behind.
  defer: (next) =>
    setImmediate(() => {
      const t0 = performance.now();
      next();
      sliceMs.push(performance.now() - t0);
    }),
});
let sliceMs: number[] = [];

async function timed(label: string, run: () => Promise<void>): Promise<void> {
  sliceMs = [];
  const t0 = performance.now();
  const settled = run();
  sliceMs.unshift(performance.now() - t0); // the first slice runs inside the call
  await settled;
  const ms = performance.now() - t0;
  console.log(
    `${label}: settled in ${ms.toFixed(1)} ms over ${sliceMs.length} slices (longest ${Math.max(...sliceMs).toFixed(1)} ms), ` +
      `${held} addresses held, ${queued} keys queued, ${groupCalls} group joins/leaves, ${framesSent} frames sent`,
  );
  queued = 0;
  groupCalls = 0;
  framesSent = 0;
}

async function main(): Promise<void> {
  await timed('first config, 3 nodes alive', async () => {
    await r.membershipChanged();
    await r.setConfig(config);
  });
  await timed('node-b dies', () => {
    alive = new Set(['node-a', 'node-c']);
    return r.membershipChanged();
  });
  await timed('node-b returns', () => {
    alive = new Set(NODES);
    return r.membershipChanged();
  });
  await timed('node-a alone', () => {
    alive = new Set(['node-a']);
    return r.membershipChanged();
  });
  await timed('everyone back', () => {
    alive = new Set(NODES);
    return r.membershipChanged();
  });
  announcer.stop();
}

void main();
