// A simulated node dies and returns (harness nodefailure.ts) in a world-placed cluster: its pod processes are
// killed and stay dead, the node lifecycle controller marks it unreachable, and with the link variant it drops
// off the network; after its return it is Ready, reachable and runs its pod again. Also: in world placement the
// apiserver reaches the kubelet endpoint at the node's address for `kubectl logs`. Needs root.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { RestClient } from '../../kube/rest';
import {
  startControlPlane,
  type ControlPlane,
  managementHost,
  worldPlacement,
} from '../harness/controlplane';
import { restClient, type HarnessRestClient } from '../harness/kubeconfig';
import { Kubelet, TEST_IMAGE } from '../harness/kubelet';
import { createWorld, namespacePids, type World } from '../harness/net';
import { killNode } from '../harness/nodefailure';
import { SimNode } from '../harness/nodes';
import { controlPlaneBinaries, kubectlBinary } from '../harness/paths';
import { waitFor } from '../harness/readiness';

jest.setTimeout(120_000);

const execFileP = promisify(execFile);
const NS = 'nodefail';
const PORT = 8080;
// The controller's defaults (40 s grace) would make this slow; these keep its logic, scaled down.
const GRACE_SECONDS = 6;

let world: World | undefined;
let cp: ControlPlane | undefined;
let admin: HarnessRestClient | undefined;
const nodes: SimNode[] = [];
const kubelets: Kubelet[] = [];

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll failure)`);
  return v;
}

function api(): RestClient {
  return need(admin, 'control plane');
}

function parts(name: string): { node: SimNode; kubelet: Kubelet; world: World } {
  const node = nodes.find((n) => n.name === name);
  const kubelet = kubelets.find((k) => k.node.name === name);
  if (node === undefined || kubelet === undefined) throw new Error(`${name} did not start`);
  return { node, kubelet, world: need(world, 'world') };
}

const nodeSchema = z.looseObject({
  status: z.looseObject({
    conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
  }),
});

async function readyOf(name: string): Promise<string | undefined> {
  const n = nodeSchema.parse(await api().request({ method: 'GET', path: `/api/v1/nodes/${name}` }));
  return n.status.conditions?.find((c) => c.type === 'Ready')?.status;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function reachable(from: string, ip: string): Promise<boolean> {
  const r = await need(world, 'world').exec(from, ['ping', '-c', '1', '-W', '1', ip], { allowFailure: true });
  return r.code === 0;
}

async function served(ip: string): Promise<boolean> {
  const r = await need(world, 'world').exec(
    'client',
    ['curl', '-sS', '--noproxy', '*', '--max-time', '2', `http://${ip}:${PORT}/`],
    { allowFailure: true },
  );
  return r.code === 0 && r.stdout === 'ok\n';
}

function webPids(): number[] {
  return parts('node1').kubelet.pidsOf(NS, 'web');
}

beforeAll(async () => {
  controlPlaneBinaries();
  const w = await createWorld({ nodes: 2, management: true });
  world = w;
  const m = managementHost(w);
  cp = await startControlPlane({
    placement: worldPlacement({ netns: m.netns, ipv4: m.ipv4, ipv6: m.ipv6 }),
    extraControllerManagerArgs: [`--node-monitor-grace-period=${GRACE_SECONDS}s`, '--node-monitor-period=1s'],
  });
  admin = restClient(cp.adminCredentials);
  for (const host of w.nodes) {
    const spec = { name: host.role, ipv4: host.primary.v4, ipv6: host.primary.v6, netns: host.ns };
    nodes.push(
      await SimNode.start(cp, spec, {
        leaseDurationSeconds: GRACE_SECONDS,
        renewIntervalMs: 1_000,
        statusIntervalMs: 1_000,
      }),
    );
    kubelets.push(await Kubelet.start(cp, spec));
  }
  await api().request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: NS } } });
  await api().request({
    method: 'POST',
    path: `/api/v1/namespaces/${NS}/pods`,
    body: {
      metadata: { name: 'web' },
      spec: {
        nodeName: 'node1',
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: TEST_IMAGE, args: ['serve', String(PORT)] }],
      },
    },
  });
  await waitFor('web to serve on node1', () => served(w.host('node1').primary.v4), { timeoutMs: 30_000 });
}, 240_000);

afterAll(async () => {
  await Promise.allSettled(kubelets.map((k) => k.stop()));
  await Promise.allSettled(nodes.map((n) => n.stop()));
  admin?.close();
  await cp?.stop();
  await world?.destroy();
});

describe('a node dies and returns', () => {
  test('kubectl logs and the node proxy reach the kubelet endpoint at the node address (world placement)', async () => {
    const c = need(cp, 'control plane');
    const file = parts('node1').kubelet.logOf(NS, 'web', 'main');
    if (file === undefined) throw new Error('kubelet does not know web');
    const { stdout } = await execFileP(
      kubectlBinary(),
      ['--kubeconfig', c.kubeconfigPath, 'logs', '-n', NS, 'web'],
      {
        env: { PATH: '/usr/bin:/bin', HOME: path.join(c.runDir, 'kubectl-home') },
      },
    );
    expect(stdout).toContain('"step":"serve"');
    expect(stdout).toBe(fs.readFileSync(file, 'utf8'));
    // The node proxy dials the same endpoint (it refuses loopback, so only world placement can show it).
    const health = await execFileP(
      kubectlBinary(),
      ['--kubeconfig', c.kubeconfigPath, 'get', '--raw', '/api/v1/nodes/node1/proxy/healthz'],
      { env: { PATH: '/usr/bin:/bin', HOME: path.join(c.runDir, 'kubectl-home') } },
    );
    expect(health.stdout).toBe('ok');
  });

  test('its pod processes are killed and stay dead, and the node lifecycle controller marks it Unknown', async () => {
    const ns = need(world, 'world').host('node1').ns;
    const before = webPids();
    expect(before).toHaveLength(1);
    const dead = await killNode(parts('node1'));
    expect(dead.killedPids).toEqual(before);
    expect(dead.killedPids.filter(alive)).toEqual([]);
    await waitFor('node1 Ready=Unknown', async () => (await readyOf('node1')) === 'Unknown', {
      timeoutMs: 40_000,
      maxIntervalMs: 1_000,
    });
    // Through the whole grace period nothing restarted anything in the node's namespace (no pod process, no
    // kubelet endpoint forwarder), and the other node is untouched.
    expect(await namespacePids(ns)).toEqual([]);
    expect(webPids()).toEqual([]);
    expect(await readyOf('node2')).toBe('True');

    await dead.returns();
    await waitFor('node1 Ready=True again', async () => (await readyOf('node1')) === 'True', {
      timeoutMs: 30_000,
    });
    await waitFor('web to serve again', () => served(need(world, 'world').host('node1').primary.v4), {
      timeoutMs: 30_000,
    });
    expect(webPids()).toHaveLength(1);
    expect(webPids()).not.toEqual(before);
  });

  test('with its link down the node is unreachable from the client, and reachable again after it returns', async () => {
    const node1 = need(world, 'world').host('node1');
    expect(await reachable('client', node1.primary.v4)).toBe(true);
    const dead = await killNode(parts('node1'), { linkDown: true });
    expect(dead.killedPids.filter(alive)).toEqual([]);
    expect(await reachable('client', node1.primary.v4)).toBe(false);
    expect(await reachable('client', node1.primary.v6)).toBe(false);
    expect(await served(node1.primary.v4)).toBe(false);

    await dead.returns();
    await waitFor('client reaches node1 again', () => reachable('client', node1.primary.v4), {
      timeoutMs: 15_000,
    });
    await waitFor('client reaches node1 over IPv6 again', () => reachable('client', node1.primary.v6), {
      timeoutMs: 15_000,
    });
    await waitFor('web to serve again', () => served(node1.primary.v4), { timeoutMs: 30_000 });
  });
});
