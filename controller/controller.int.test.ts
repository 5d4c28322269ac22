// The controller in-process against a real kube-apiserver: Services get addresses, a restart keeps them,
// a pool change moves only what it must, and the status, events and metrics say so.
import * as http from 'node:http';
import * as https from 'node:https';
import { z } from 'zod';
import { silentLogger } from '../kube/log';
import { RunningController, startController } from './app/controller';
import {
  Cluster,
  NS,
  create,
  eventually,
  lbService,
  poolPath,
  readService,
  servicePath,
  startCluster,
  stopCluster,
  waitForIPs,
} from '../testkit/metallbcluster';

jest.setTimeout(180_000);

let cluster: Cluster | undefined;
const running: RunningController[] = [];

function c(): Cluster {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster;
}

async function start(identity: string): Promise<RunningController> {
  const controller = await startController({
    kubeConfig: c().cp.kubeConfig(),
    namespace: NS,
    lbClass: '',
    identity,
    logger: silentLogger(),
    leaseDurationMs: 3_000,
    renewDeadlineMs: 2_000,
    retryPeriodMs: 500,
    metricsPort: 0,
    healthPort: 0,
    listenHost: '127.0.0.1',
  });
  running.push(controller);
  return controller;
}

async function stop(controller: RunningController): Promise<void> {
  await controller.stop();
  running.splice(running.indexOf(controller), 1);
}

function get(port: number | undefined, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const PoolStatus = z.looseObject({
  status: z.looseObject({ assignedIPv4: z.number(), availableIPv4: z.number() }).optional(),
});
const EventList = z.object({
  items: z.array(z.looseObject({ reason: z.string(), involvedObject: z.looseObject({ name: z.string() }) })),
});

beforeAll(async () => {
  cluster = await startCluster();
  await create(c().api, poolPath(), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'web', namespace: NS },
    spec: { addresses: ['203.0.113.0/29'] },
  });
}, 240_000);

afterAll(async () => {
  for (const controller of [...running]) await controller.stop();
  await stopCluster(cluster);
}, 60_000);

describe('controller against a real API server', () => {
  let firstIPs: string[][] = [];

  it('gives LoadBalancer Services addresses, with the pool annotation, status, events and metrics', async () => {
    const { api } = c();
    const controller = await start('controller-a');
    for (const name of ['svc-a', 'svc-b', 'svc-c']) await create(api, servicePath(), lbService(name));
    firstIPs = [];
    for (const name of ['svc-a', 'svc-b', 'svc-c']) firstIPs.push(await waitForIPs(api, name));
    expect(new Set(firstIPs.flat()).size).toBe(3);
    for (const ip of firstIPs.flat()) expect(ip).toMatch(/^203\.0\.113\.[0-7]$/);
    expect((await readService(api, 'svc-a')).pool).toBe('web');

    await eventually('IPAddressPool status counts', async () => {
      const pool = PoolStatus.parse(await api.request({ method: 'GET', path: poolPath('web') }));
      return pool.status?.assignedIPv4 === 3 && pool.status.availableIPv4 === 5;
    });
    await eventually('IPAllocated events', async () => {
      const events = EventList.parse(
        await api.request({ method: 'GET', path: '/api/v1/namespaces/default/events' }),
      );
      return events.items.filter((e) => e.reason === 'IPAllocated').length >= 3;
    });
    const metrics = await get(controller.metricsPort, '/metrics');
    expect(metrics.body).toContain('metallb_allocator_addresses_in_use_total{pool="web"} 3');
    expect(metrics.body).toContain('metallb_allocator_addresses_total{pool="web"} 8');
    expect((await get(controller.healthPort, '/readyz')).status).toBe(200);
    const state = z.looseObject({ status: z.looseObject({ result: z.string() }).optional() }).parse(
      await api.request({
        method: 'GET',
        path: `/apis/metallb.io/v1beta1/namespaces/${NS}/configurationstates/controller`,
      }),
    );
    expect(state.status?.result).toBe('Valid');
    await stop(controller);
  });

  it('a restarted controller keeps every address and serves a Service created while it was down', async () => {
    const { api } = c();
    // Sorts before the others, so a naive restart would hand it the lowest address first.
    await create(api, servicePath(), lbService('aaa-new'));
    const controller = await start('controller-b');
    const newIP = await waitForIPs(api, 'aaa-new');
    const after = [];
    for (const name of ['svc-a', 'svc-b', 'svc-c']) after.push((await readService(api, name)).ips);
    expect(after).toEqual(firstIPs);
    expect(firstIPs.flat()).not.toContain(newIP[0]);
    await stop(controller);
  });

  it('a pool change re-addresses only the Services it no longer covers', async () => {
    const { api } = c();
    const controller = await start('controller-c');
    await waitForIPs(api, 'aaa-new');
    const pool = z
      .looseObject({ metadata: z.looseObject({ resourceVersion: z.string() }) })
      .parse(await api.request({ method: 'GET', path: poolPath('web') }));
    const kept = ['203.0.113.0/31'];
    await api.request({
      method: 'PUT',
      path: poolPath('web'),
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'web', namespace: NS, resourceVersion: pool.metadata.resourceVersion },
        spec: { addresses: [...kept, '192.0.2.16/29'] },
      },
    });
    await eventually('every Service inside the new pool', async () => {
      for (const name of ['svc-a', 'svc-b', 'svc-c', 'aaa-new']) {
        const [ip] = (await readService(api, name)).ips;
        if (ip === undefined || !(/^203\.0\.113\.[01]$/.test(ip) || /^192\.0\.2\.(1[6-9]|2[0-3])$/.test(ip)))
          return false;
      }
      return true;
    });
    // Who held .0 and .1 still does.
    for (const [i, name] of ['svc-a', 'svc-b', 'svc-c'].entries()) {
      const before = firstIPs[i]?.[0] ?? '';
      if (/^203\.0\.113\.[01]$/.test(before)) expect((await readService(api, name)).ips).toEqual([before]);
    }
    await eventually('ClearAssignment events say why', async () => {
      const events = EventList.parse(
        await api.request({ method: 'GET', path: '/api/v1/namespaces/default/events' }),
      );
      return events.items.some((e) => e.reason === 'ClearAssignment');
    });
    await stop(controller);
  });

  it('only the Lease holder allocates; a standby takes over when it goes', async () => {
    const { api } = c();
    const leader = await start('controller-leader');
    await eventually('first candidate leads', async () => leader.isLeader());
    const standby = await start('controller-standby');
    await create(api, servicePath(), lbService('ha-1'));
    await waitForIPs(api, 'ha-1');
    expect(standby.isLeader()).toBe(false);
    expect(standby.isSynced()).toBe(false);
    await stop(leader);
    await eventually('standby leads', async () => standby.isLeader(), 30_000);
    await create(api, servicePath(), lbService('ha-2'));
    const [ip] = await waitForIPs(api, 'ha-2');
    expect(ip).not.toBe((await readService(api, 'ha-1')).ips[0]);
    await stop(standby);
  });

  it('secure metrics admit a ServiceAccount allowed to GET /metrics and refuse one that is not', async () => {
    const { api } = c();
    const token = async (sa: string): Promise<string> => {
      await create(api, '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: sa } });
      const out = z.object({ status: z.object({ token: z.string() }) }).parse(
        await api.request({
          method: 'POST',
          path: `/api/v1/namespaces/default/serviceaccounts/${sa}/token`,
          body: { spec: {} },
        }),
      );
      return out.status.token;
    };
    await create(api, '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      metadata: { name: 'metrics-reader' },
      rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
    });
    await create(api, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name: 'prometheus-metrics' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'default' }],
    });
    const allowed = await token('prometheus');
    const denied = await token('nosy');
    const controller = await startController({
      kubeConfig: c().cp.kubeConfig(),
      namespace: NS,
      lbClass: '',
      identity: 'controller-secure',
      logger: silentLogger(),
      leaderElection: false,
      metricsPort: 0,
      secureMetrics: {},
      listenHost: '127.0.0.1',
    });
    running.push(controller);
    const scrape = (bearer: string) =>
      new Promise<number>((resolve, reject) => {
        https
          .get(
            {
              host: '127.0.0.1',
              port: controller.metricsPort,
              path: '/metrics',
              rejectUnauthorized: false,
              agent: false,
              headers: { Authorization: `Bearer ${bearer}` },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          )
          .on('error', reject);
      });
    await eventually('RBAC for /metrics in effect', async () => (await scrape(allowed)) === 200);
    expect(await scrape(denied)).toBe(403);
    expect(await scrape('garbage')).toBe(401);
    await stop(controller);
  });

  it('recreates its ConfigurationState when it is deleted', async () => {
    const { api } = c();
    const controller = await start('controller-state');
    const path = `/apis/metallb.io/v1beta1/namespaces/${NS}/configurationstates/controller`;
    const State = z.looseObject({
      metadata: z.looseObject({ uid: z.string() }),
      status: z.looseObject({ result: z.string() }).optional(),
    });
    let uid = '';
    await eventually('ConfigurationState written', async () => {
      const state = State.parse(await api.request({ method: 'GET', path }));
      uid = state.metadata.uid;
      return state.status?.result === 'Valid';
    });
    await api.request({ method: 'DELETE', path });
    await eventually('ConfigurationState recreated', async () => {
      const state = State.parse(await api.request({ method: 'GET', path }));
      return state.metadata.uid !== uid && state.status?.result === 'Valid';
    });
    await stop(controller);
  });

  it('a Service that stops being a LoadBalancer loses its address and annotation', async () => {
    const { api } = c();
    const controller = await start('controller-d');
    await waitForIPs(api, 'svc-c');
    await api.request({
      method: 'PATCH',
      path: servicePath('svc-c'),
      body: { spec: { type: 'ClusterIP' } },
      contentType: 'application/merge-patch+json',
    });
    await eventually('svc-c cleared', async () => {
      const svc = await readService(api, 'svc-c');
      return svc.ips.length === 0 && svc.pool === undefined;
    });
    await stop(controller);
  });
});
