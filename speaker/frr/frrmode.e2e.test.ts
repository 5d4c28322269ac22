// The speaker in FRR mode end to end: the real speaker process (speaker/main.ts, METALLB_BGP_TYPE=frr) in a
// node namespace against a real kube-apiserver writes the node's frr.conf and SIGHUPs the reloader of the FRR
// sidecar beside it (e2e/harness/routers/frrsidecar.ts: zebra, bgpd, bfdd and the image's reloader,
// speaker/frr/frr-reloader.sh under busybox sh, with frr-reload.py); that FRR peers with an FRR router in the router namespace, which learns the Services'
// prefixes (IPv4 with BFD up, IPv6 over its own session); the speaker's metrics and ServiceBGPStatus report
// the sessions; deleting a Service withdraws its prefix, deleting a BGPPeer its neighbor. Needs root, FRR 8.4
// with frr-pythontools (frr-reload.py).
import * as path from 'node:path';
import { createWorld, exposeRootPort, nodeExecutable, type Forward, type World } from '../../e2e/harness/net';
import type { ManagedProcess } from '../../e2e/harness/processes';
import { startFrr, type FrrRouter } from '../../e2e/harness/routers/frr';
import { startFrrSidecar, type FrrSidecar } from '../../e2e/harness/routers/frrsidecar';
import { readFileSync } from 'node:fs';
import {
  type Cluster,
  bgpStatuses,
  create,
  metallbPath,
  eventually,
  createAssignedService,
  servicePath,
  startCluster,
  stopCluster,
} from '../../testkit/metallbcluster';
import { SPEAKER_NODE_FLAGS } from '../runtimeflags';

jest.setTimeout(300_000);

const ROUTER_AS = 64512;
const NODE_AS = 64513;
const SERVICE_IP = '198.51.100.5';
const SERVICE_IP6 = '2001:db8:100::5';
const REPO = path.resolve(__dirname, '..', '..');
const METRICS_PORT = 7472;

let world: World | undefined;
let cluster: Cluster | undefined;
let forward: Forward | undefined;
let router: FrrRouter | undefined;
let sidecar: FrrSidecar | undefined;
let speaker: ManagedProcess | undefined;

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

async function speakerMetrics(): Promise<string> {
  const w = need(world, 'world');
  return (await w.exec('node1', ['curl', '-sS', `http://127.0.0.1:${METRICS_PORT}/metrics`])).stdout;
}

async function routerHasPrefix(family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<boolean> {
  const prefix = family === 'ipv4' ? `${SERVICE_IP}/32` : `${SERVICE_IP6}/128`;
  const paths = (await need(router, 'router').routes(family)).get(prefix) ?? [];
  const node1 = need(world, 'world').host('node1').primary;
  return paths.some((p) => p.valid && p.nexthops.includes(family === 'ipv4' ? node1.v4 : node1.v6));
}

async function statuses() {
  return bgpStatuses(need(cluster, 'control plane').api);
}

beforeAll(async () => {
  world = await createWorld({ nodes: 1 });
  const w = world;
  cluster = await startCluster();
  const c = cluster;
  // The apiserver listens on the root namespace's loopback; the speaker dials the same URL from node1.
  forward = await exposeRootPort(w, Number(new URL(c.cp.server).port), ['node1']);
  const node1 = w.host('node1').primary;
  const routerAddr = w.router.primary;
  const bfd = { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 };
  [router, sidecar] = await Promise.all([
    startFrr(w, 'router', {
      hostname: 'router',
      asn: ROUTER_AS,
      routerId: routerAddr.v4,
      neighbors: [
        { address: node1.v4, asn: NODE_AS, bfd },
        { address: node1.v6, asn: NODE_AS },
      ],
    }),
    startFrrSidecar(w, 'node1', { reloader: 'shipped' }),
  ]);

  const api = c.api;
  await create(api, '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node1', labels: { 'kubernetes.io/hostname': 'node1' } },
  });
  await create(api, metallbPath('ipaddresspools'), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'bgp' },
    spec: { addresses: ['198.51.100.0/28', '2001:db8:100::/124'] },
  });
  await create(api, metallbPath('bgpadvertisements'), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPAdvertisement',
    metadata: { name: 'bgp' },
    spec: { ipAddressPools: ['bgp'] },
  });
  await create(api, metallbPath('bfdprofiles'), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BFDProfile',
    metadata: { name: 'fast' },
    spec: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 },
  });
  await create(api, metallbPath('bgppeers'), {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name: 'router' },
    spec: { myASN: NODE_AS, peerASN: ROUTER_AS, peerAddress: routerAddr.v4, bfdProfile: 'fast' },
  });
  await create(api, metallbPath('bgppeers'), {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name: 'router-v6' },
    spec: { myASN: NODE_AS, peerASN: ROUTER_AS, peerAddress: routerAddr.v6 },
  });
  await createAssignedService(api, 'web', SERVICE_IP, 'node1');
  await createAssignedService(api, 'web6', SERVICE_IP6, 'node1');

  const s = sidecar;
  speaker = await w.spawnIn(
    'node1',
    'speaker-node1',
    [
      nodeExecutable(),
      ...SPEAKER_NODE_FLAGS,
      '-r',
      'ts-node/register/transpile-only',
      path.join(REPO, 'speaker/main.ts'),
      '--node-name=node1',
      `--port=${METRICS_PORT}`,
    ],
    {
      cwd: REPO,
      env: {
        KUBECONFIG: c.cp.kubeconfigPath,
        METALLB_BGP_TYPE: 'frr',
        FRR_CONFIG_FILE: path.join(s.reloaderDir, 'frr.conf'),
        FRR_RELOADER_PID_FILE: path.join(s.reloaderDir, 'reloader.pid'),
        FRR_VTY_SOCKET_DIR: s.socketDir,
      },
    },
  );
});

afterAll(async () => {
  await speaker?.stop(5_000);
  await sidecar?.stop();
  await router?.stop();
  for (const p of forward?.processes ?? []) await p.stop(2_000);
  await world?.destroy();
  await stopCluster(cluster);
});

test('the speaker writes frr.conf, the reloader applies it, and the router learns the Service', async () => {
  const s = need(sidecar, 'sidecar');
  const routerAddr = need(world, 'world').router.primary.v4;
  await eventually('the router learns 198.51.100.5/32 from node1', routerHasPrefix, 90_000);
  const conf = readFileSync(path.join(s.reloaderDir, 'frr.conf'), 'utf8');
  expect(conf).toContain(`neighbor ${routerAddr} remote-as ${ROUTER_AS}`);
  expect(conf).toContain(`network ${SERVICE_IP}/32`);
  expect(conf).toContain(`neighbor ${routerAddr} bfd profile fast`);
  expect(s.reloadStatus()).toBe('success');
  // FRR's running config holds what the speaker rendered, not the startup file.
  expect(await s.vtysh('show running-config')).toContain(`router bgp ${NODE_AS}`);
  // IPv6 over its own session: the eBGP neighbor on the link gets disable-connected-check (render.ts).
  await eventually('the router learns 2001:db8:100::5/128 from node1', () => routerHasPrefix('ipv6'), 60_000);
  expect(readFileSync(path.join(s.reloaderDir, 'frr.conf'), 'utf8')).toContain(`network ${SERVICE_IP6}/128`);
  await eventually(
    'BFD up on the router side',
    async () => (await need(router, 'router').bfdPeers()).some((p) => p.status === 'up'),
    60_000,
  );
});

test('session state reaches the speaker metrics, and ServiceBGPStatus names the peer', async () => {
  const routerAddr = need(world, 'world').router.primary.v4;
  await eventually(
    'metallb_bgp_session_up 1 for the router',
    async () =>
      (await speakerMetrics()).includes(`metallb_bgp_session_up{peer="${routerAddr}:179",vrf="default"} 1`),
    60_000,
  );
  await eventually(
    'metallb_bfd_session_up 1 for the router',
    async () =>
      (await speakerMetrics()).includes(`metallb_bfd_session_up{peer="${routerAddr}:179",vrf="default"} 1`),
    60_000,
  );
  const text = await speakerMetrics();
  expect(text).toContain(
    `metallb_speaker_announced{service="default/web",protocol="bgp",node="node1",ip="${SERVICE_IP}"} 1`,
  );
  // No native sessions in FRR mode: their per-session counters are not this process's.
  expect(text).not.toContain('metallb_bgp_updates_total{');
  const routerV6 = need(world, 'world').router.primary.v6;
  await eventually(
    'metallb_bgp_session_up 1 for the router over IPv6',
    async () =>
      (await speakerMetrics()).includes(`metallb_bgp_session_up{peer="${routerV6}:179",vrf="default"} 1`),
    60_000,
  );
  // As in native mode, an advertisement without peer selectors goes to every peer.
  await eventually('a ServiceBGPStatus for web naming both peers', async () => {
    const web = (await statuses()).find((i) => i.status.serviceName === 'web');
    return JSON.stringify(web?.status.peers) === '["router","router-v6"]';
  });
});

test('deleting the Service withdraws the prefix from the router and the status', async () => {
  const c = need(cluster, 'control plane');
  await c.api.request({ method: 'DELETE', path: servicePath('web') });
  await eventually(
    'the router no longer holds 198.51.100.5/32',
    async () => !(await routerHasPrefix()),
    60_000,
  );
  const s = need(sidecar, 'sidecar');
  expect(readFileSync(path.join(s.reloaderDir, 'frr.conf'), 'utf8')).not.toContain(
    `network ${SERVICE_IP}/32`,
  );
  expect(s.reloadStatus()).toBe('success');
  await eventually(
    'the ServiceBGPStatus of web is gone',
    async () => !(await statuses()).some((i) => i.status.serviceName === 'web'),
  );
  // The session itself stays, and the other Service: only the prefix went.
  const node1 = need(world, 'world').host('node1').primary.v4;
  expect((await need(router, 'router').peers()).find((p) => p.address === node1)?.state).toBe('Established');
  expect(await routerHasPrefix('ipv6')).toBe(true);
});

test('a BGPPeer that goes takes the neighbor out of FRR and its series out of the metrics', async () => {
  const c = need(cluster, 'control plane');
  const routerAddr = need(world, 'world').router.primary.v4;
  await c.api.request({ method: 'DELETE', path: metallbPath('bgppeers', 'router') });
  await eventually(
    'bgpd of node1 no longer has the neighbor',
    async () =>
      !(await need(sidecar, 'sidecar').vtysh('show running-config')).includes(`neighbor ${routerAddr}`),
    60_000,
  );
  await eventually(
    'no metallb_bgp_session_up series for the router',
    async () => !(await speakerMetrics()).includes(`metallb_bgp_session_up{peer="${routerAddr}:179"`),
    60_000,
  );
});
