// The FRR backend's own parts against real FRR, without a control plane: FrrSessions renders what the BGP
// reconciler would hand it, FrrReloader writes the file and SIGHUPs the sidecar's reloader
// (e2e/harness/routers/frrsidecar.ts running the shipped speaker/frr/frr-reloader.sh under busybox sh), the
// router FRR learns and then loses the prefix, and FrrStatusPoller reads the session through the real vtysh; a
// configuration frr-reload.py refuses is recorded as a failure and the reloader keeps serving.
// speaker/frr/frrmode.e2e.test.ts runs the whole speaker process the same way. Needs root and frr-pythontools.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOk, peer as peerObject } from '../../testkit/configfixtures';
import { createWorld, type World } from '../../e2e/harness/net';
import { startFrr, type FrrRouter } from '../../e2e/harness/routers/frr';
import { startFrrSidecar, type FrrSidecar } from '../../e2e/harness/routers/frrsidecar';
import { waitFor } from '../../e2e/harness/readiness';
import { systemClock } from '../../kube/clock';
import { silentLogger } from '../../kube/log';
import { parsePrefix } from '../bgp/codec/prefix';
import { FrrReloader } from './reload';
import { FrrSessions } from './sessions';
import type { PeerSessionState } from './status';
import { FrrStatusPoller } from './statuspoller';
import { vtyshRunner } from './vtysh';

jest.setTimeout(180_000);

const ROUTER_AS = 64512;
const NODE_AS = 64513;

let world: World | undefined;
let router: FrrRouter | undefined;
let sidecar: FrrSidecar | undefined;

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

beforeAll(async () => {
  world = await createWorld({ nodes: 1 });
  const w = world;
  [router, sidecar] = await Promise.all([
    startFrr(w, 'router', {
      hostname: 'router',
      asn: ROUTER_AS,
      routerId: w.router.primary.v4,
      neighbors: [{ address: w.host('node1').primary.v4, asn: NODE_AS }],
    }),
    startFrrSidecar(w, 'node1', { reloader: 'shipped' }),
  ]);
});

afterAll(async () => {
  await sidecar?.stop();
  await router?.stop();
  await world?.destroy();
});

async function routerPrefixes(): Promise<string[]> {
  return [...(await need(router, 'router').routes('ipv4')).keys()];
}

test('frr.conf handed over by SIGHUP is applied: the router learns the prefix, then loses it', async () => {
  const w = need(world, 'world');
  const s = need(sidecar, 'sidecar');
  const config = buildOk({
    nodes: [{ metadata: { name: 'node1', labels: {} } }],
    bgpPeers: [
      peerObject('router', { myASN: NODE_AS, peerASN: ROUTER_AS, peerAddress: w.router.primary.v4 }),
    ],
  });
  const reloader = new FrrReloader({
    clock: systemClock(),
    configFile: path.join(s.reloaderDir, 'frr.conf'),
    pidFile: path.join(s.reloaderDir, 'reloader.pid'),
    debounceMs: 200,
  });
  const frr = new FrrSessions({ hostname: 'node1', logLevel: 'info', reloader });
  const prefix = parsePrefix('198.51.100.5/32');
  if (prefix === undefined) throw new Error('prefix');
  const states: PeerSessionState[] = [];
  const poller = new FrrStatusPoller({
    clock: systemClock(),
    logger: silentLogger(),
    vtysh: vtyshRunner({ binary: 'vtysh', socketDir: s.socketDir }),
    peers: () => frr.syncedPeers(),
    observer: { changed: (st) => states.push(st), removed: () => undefined },
    intervalMs: 500,
  });
  try {
    expect(frr.sync([...config.peers.values()])).toEqual(['router']);
    frr.setRoutes('router', [{ prefix }]);
    await need(router, 'router').waitEstablished(w.host('node1').primary.v4, 90_000);
    await waitFor(
      'the router learns 198.51.100.5/32',
      async () => (await routerPrefixes()).includes('198.51.100.5/32'),
      {
        timeoutMs: 60_000,
        maxIntervalMs: 1_000,
      },
    );
    expect(s.reloadStatus()).toBe('success');

    poller.start();
    await waitFor(
      'the poller sees the session Established',
      async () => states.some((st) => st.isEstablished),
      {
        timeoutMs: 30_000,
      },
    );
    expect(states.at(-1)).toMatchObject({
      peer: 'router',
      label: `${w.router.primary.v4}:179`,
      vrf: 'default',
      state: 'Established',
    });

    frr.setRoutes('router', []);
    await waitFor(
      'the router loses 198.51.100.5/32',
      async () => !(await routerPrefixes()).includes('198.51.100.5/32'),
      {
        timeoutMs: 60_000,
        maxIntervalMs: 1_000,
      },
    );
    expect(s.reloadStatus()).toBe('success');
  } finally {
    poller.stop();
    await frr.stop();
  }
});

test('a configuration frr-reload.py refuses is a failure in .status; the reloader stays and applies the next', async () => {
  const s = need(sidecar, 'sidecar');
  const conf = path.join(s.reloaderDir, 'frr.conf');
  const good = fs.readFileSync(conf, 'utf8');
  const pid = Number(fs.readFileSync(path.join(s.reloaderDir, 'reloader.pid'), 'utf8'));
  const statusText = (): string => fs.readFileSync(path.join(s.reloaderDir, '.status'), 'utf8');
  expect(statusText()).toMatch(/^\d+ success$/);

  fs.writeFileSync(conf, `${good}router bgp not-an-asn\n`);
  process.kill(pid, 'SIGHUP');
  await waitFor('the reloader records the failure', async () => s.reloadStatus() === 'failure', {
    timeoutMs: 60_000,
  });
  // Signal 0 only checks that the process is there: the reloader did not exit on the failed reload.
  expect(() => process.kill(pid, 0)).not.toThrow();

  fs.writeFileSync(conf, good);
  process.kill(pid, 'SIGHUP');
  await waitFor('the reloader applies the good file again', async () => s.reloadStatus() === 'success', {
    timeoutMs: 60_000,
  });
});
