// Proves how control-plane traffic crosses the world: the apiserver runs in the world's management namespace
// (worldPlacement), node namespaces dial it at the management address over the lan with full TLS
// verification in both families, the management namespace reaches node addresses (the direction the apiserver
// calls webhooks in), and the root namespace reaches it only through the unix-socket forwarder. Needs root and
// the control-plane binaries (scripts/build-cluster-bins.sh); fails, never skips, without them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startControlPlane, type ControlPlane, worldPlacement } from '../harness/controlplane';
import { restClient } from '../harness/kubeconfig';
import { startBackend, createWorld, type World, rootNetSnapshot, type RootNetSnapshot } from '../harness/net';
import { controlPlaneBinaries } from '../harness/paths';

jest.setTimeout(60_000);

let world: World | undefined;
let cp: ControlPlane | undefined;
let rootBefore: RootNetSnapshot;

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

beforeAll(async () => {
  controlPlaneBinaries();
  rootBefore = await rootNetSnapshot();
  world = await createWorld({ nodes: 2, management: true });
  const mgmt = need(world.management, 'management host');
  cp = await startControlPlane({
    placement: worldPlacement({ netns: mgmt.ns, ipv4: mgmt.primary.v4, ipv6: mgmt.primary.v6 }),
    controllerManager: false,
    scheduler: false,
  });
}, 240_000);

afterAll(async () => {
  await cp?.stop();
  await world?.destroy();
});

describe('management access', () => {
  test('every node namespace reaches the apiserver at the management address, TLS-verified, in both families', async () => {
    const w = need(world, 'world');
    const c = need(cp, 'control plane');
    const mgmt = need(w.management, 'management host');
    expect(c.inClusterApiserver).toEqual({ host: mgmt.primary.v4, port: 6443 });
    const creds = c.adminCredentials;
    if (creds.certPem === undefined || creds.keyPem === undefined)
      throw new Error('admin credentials carry no client certificate');
    const dir = path.join(w.runDir, 'mgmt-test');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const files = {
      ca: path.join(dir, 'ca.pem'),
      cert: path.join(dir, 'admin.pem'),
      key: path.join(dir, 'admin-key.pem'),
    };
    fs.writeFileSync(files.ca, creds.caPem, { mode: 0o600 });
    fs.writeFileSync(files.cert, creds.certPem, { mode: 0o600 });
    fs.writeFileSync(files.key, creds.keyPem, { mode: 0o600 });
    for (const n of w.nodes) {
      for (const host of [mgmt.primary.v4, `[${mgmt.primary.v6}]`]) {
        const r = await w.exec(n.role, [
          'curl',
          '--silent',
          '--show-error',
          '--fail',
          '--noproxy',
          '*',
          '--max-time',
          '10',
          '--cacert',
          files.ca,
          '--cert',
          files.cert,
          '--key',
          files.key,
          `https://${host}:6443/api/v1/namespaces/default`,
        ]);
        expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'Namespace', metadata: { name: 'default' } });
      }
    }
  });

  test('the management namespace reaches node addresses (the webhook direction)', async () => {
    const w = need(world, 'world');
    await startBackend(w, 'node2', 9443);
    const node2 = w.host('node2').primary;
    for (const host of [node2.v4, `[${node2.v6}]`]) {
      const r = await w.exec('mgmt', [
        'curl',
        '--silent',
        '--show-error',
        '--noproxy',
        '*',
        '--max-time',
        '5',
        `http://${host}:9443/`,
      ]);
      expect(JSON.parse(r.stdout)).toMatchObject({ node: 'node2' });
    }
  });

  test('the root namespace reaches the API on loopback through the forwarder and gained no link, address or route', async () => {
    const c = need(cp, 'control plane');
    expect(c.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = restClient(c.adminCredentials);
    try {
      const ns = (await client.request({ method: 'GET', path: '/api/v1/namespaces/kube-system' })) as {
        metadata?: { name?: string };
      };
      expect(ns.metadata?.name).toBe('kube-system');
    } finally {
      client.close();
    }
    expect(await rootNetSnapshot()).toEqual(rootBefore);
  });
});
