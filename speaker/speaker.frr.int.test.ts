// The speaker's reconcile core in FRR mode, in-process against a real kube-apiserver, with the real reloader
// hand-off (speaker/frr/reload.ts: a file written by rename, SIGHUP to the pid in the pid file, here a small
// shell that counts them): Layer 2 still announces; a BGPPeer's nodeSelector follows this node's labels into
// frr.conf; a VRF peer, refused in native mode, is valid and rendered in its own `router bgp ... vrf`; a
// BGPAdvertisement's community lands on the Service's prefix; the bgpextras ConfigMap is appended. Upstream:
// internal/bgp/frr/frr.go.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  type Cluster,
  NS,
  create,
  createAssignedService,
  eventually,
  metallbPath,
  servicePath,
  startCluster,
  stopCluster,
} from '../testkit/metallbcluster';
import { startInProcessSpeaker } from '../testkit/inprocessspeaker';
import type { RunningSpeaker } from './app/speaker';

jest.setTimeout(180_000);

let cluster: Cluster | undefined;
let speaker: RunningSpeaker | undefined;
let reloader: ChildProcess | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'ironlb-frr-int-'));
const confFile = path.join(dir, 'frr.conf');
const pidFile = path.join(dir, 'reloader.pid');
const hupFile = path.join(dir, 'hups');
const held = new Set<string>();

function c(): Cluster {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster;
}

const conf = (): string => {
  try {
    return readFileSync(confFile, 'utf8');
  } catch {
    return '';
  }
};
const hups = (): number => {
  try {
    return readFileSync(hupFile, 'utf8').length;
  } catch {
    return 0;
  }
};

beforeAll(async () => {
  // Stands in for the reloader container's process: it only records each SIGHUP (one byte each).
  reloader = spawn('bash', ['-c', `trap 'printf h >> ${hupFile}' HUP; while :; do sleep 0.1; done`], {
    stdio: 'ignore',
  });
  writeFileSync(pidFile, String(reloader.pid));
  cluster = await startCluster();
  const api = c().api;
  await create(api, '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
  });
  for (const [name, addresses] of [
    ['l2', ['192.0.2.0/28']],
    ['bgp', ['198.51.100.0/28']],
  ] as const)
    await create(api, metallbPath('ipaddresspools'), {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name },
      spec: { addresses },
    });
  await create(api, metallbPath('l2advertisements'), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name: 'l2' },
    spec: { ipAddressPools: ['l2'] },
  });
  await create(api, metallbPath('bgpadvertisements'), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPAdvertisement',
    metadata: { name: 'bgp' },
    spec: { ipAddressPools: ['bgp'], communities: ['64512:300'] },
  });
  const bgpPeer = (name: string, spec: Record<string, unknown>) =>
    create(api, metallbPath('bgppeers'), {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name },
      spec: { myASN: 64513, peerASN: 64512, ...spec },
    });
  await bgpPeer('tor', { peerAddress: '203.0.113.1' });
  await bgpPeer('rack', { peerAddress: '203.0.113.2', nodeSelectors: [{ matchLabels: { rack: 'r1' } }] });
  await bgpPeer('red', { peerAddress: '203.0.113.3', vrf: 'red' });
  for (const [name, ip] of [
    ['web', '192.0.2.5'],
    ['api', '198.51.100.5'],
  ] as const)
    await createAssignedService(api, name, ip, 'n1');
  ({ speaker } = await startInProcessSpeaker(c(), 'n1', {
    announcer: { announce: (ip) => held.add(ip), withdraw: (ip) => held.delete(ip) },
    frr: {
      hostname: 'n1',
      logLevel: 'info',
      configFile: confFile,
      reloaderPidFile: pidFile,
      debounceMs: 200,
    },
  }));
});

afterAll(async () => {
  await speaker?.stop();
  await stopCluster(cluster);
  reloader?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('frr.conf holds the selected peers, the VRF one in its own router, and the prefix with its community', async () => {
  await eventually('frr.conf advertises 198.51.100.5/32', () =>
    Promise.resolve(conf().includes('network 198.51.100.5/32')),
  );
  const text = conf();
  expect(text).toContain('hostname n1');
  expect(text).toContain('router bgp 64513\n');
  expect(text).toContain('neighbor 203.0.113.1 remote-as 64512');
  expect(text).toContain('router bgp 64513 vrf red');
  expect(text).toContain('neighbor 203.0.113.3 remote-as 64512');
  expect(text).not.toContain('203.0.113.2'); // rack=r1 does not select n1 yet
  expect(text).toMatch(/set community 64512:300/);
  expect(text).not.toContain('192.0.2.5'); // the Layer 2 pool has no BGPAdvertisement
  // bash runs the trap once its current `sleep 0.1` ends.
  await eventually('the reloader was signalled', () => Promise.resolve(hups() > 0));
  expect(speaker?.bgpSessions.peers()).toEqual(['red', 'tor']);
  await eventually('speaker-n1 reports the configuration valid with a VRF peer', async () => {
    const cs = (await c().api.request({
      method: 'GET',
      path: metallbPath('configurationstates', 'speaker-n1'),
    })) as {
      status?: { result?: string };
    };
    return cs.status?.result === 'Valid';
  });
});

test('Layer 2 announces in FRR mode too', async () => {
  await eventually('192.0.2.5 announced by Layer 2', () => Promise.resolve(held.has('192.0.2.5')));
});

test("this node's labels move a peer's nodeSelector into frr.conf and out again", async () => {
  const api = c().api;
  const label = (labels: Record<string, string | null>) =>
    api.request({
      method: 'PATCH',
      path: '/api/v1/nodes/n1',
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels } },
    });
  await label({ rack: 'r1' });
  await eventually('the rack peer is in frr.conf', () =>
    Promise.resolve(conf().includes('neighbor 203.0.113.2 remote-as 64512')),
  );
  const before = hups();
  await label({ rack: null });
  await eventually('the rack peer is gone from frr.conf', () =>
    Promise.resolve(!conf().includes('203.0.113.2')),
  );
  await eventually('the reloader was signalled for it', () => Promise.resolve(hups() > before));
});

test('deleting the BGP Service takes its network line out', async () => {
  await c().api.request({ method: 'DELETE', path: servicePath('api') });
  await eventually('no network line for 198.51.100.5', () =>
    Promise.resolve(!conf().includes('198.51.100.5')),
  );
  expect(conf()).toContain('neighbor 203.0.113.1 remote-as 64512'); // the sessions stay
});

test('the bgpextras ConfigMap is appended to frr.conf, follows its updates, and goes with it', async () => {
  const api = c().api;
  const configMaps = `/api/v1/namespaces/${NS}/configmaps`;
  await create(api, configMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'bgpextras' },
    data: { extras: 'ip prefix-list extra seq 1 permit 203.0.113.0/24\n' },
  });
  await eventually('frr.conf ends with the extras', () =>
    Promise.resolve(conf().trimEnd().endsWith('ip prefix-list extra seq 1 permit 203.0.113.0/24')),
  );
  await api.request({
    method: 'PATCH',
    path: `${configMaps}/bgpextras`,
    contentType: 'application/merge-patch+json',
    body: { data: { extras: 'ip prefix-list extra seq 1 permit 198.51.100.0/24\n' } },
  });
  await eventually('frr.conf has the updated extras', () =>
    Promise.resolve(
      conf().includes('permit 198.51.100.0/24') && !conf().includes('extra seq 1 permit 203.0.113.0/24'),
    ),
  );
  await api.request({ method: 'DELETE', path: `${configMaps}/bgpextras` });
  await eventually('the extras are gone', () => Promise.resolve(!conf().includes('prefix-list extra')));
});
