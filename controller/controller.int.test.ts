// The controller in-process against a real kube-apiserver: Services get addresses, a restart keeps them,
// a pool change moves only what it must, a deposed leader stops allocating, and the status, events and
// metrics say so. Every test has its own namespace, its own pool (pinned to that namespace, on its own
// CIDR) and its own Lease, and removes what it made, so the tests pass in any order (jest --randomize).
import * as http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { z } from 'zod';
import { silentLogger } from '../kube/log';
import { createCA, createServingCert } from '../kube/tls/certs';
import { parseFlags } from './flags';
import { CONTENT_TYPE } from '../kube/rest';
import { RunningController, startController } from './app/controller';
import {
  Cluster,
  NS,
  create,
  eventually,
  lbService,
  poolPath,
  startCluster,
  stopCluster,
} from '../testkit/metallbcluster';
import { readService } from '../testkit/servicereader';

jest.setTimeout(180_000);

let cluster: Cluster | undefined;
const running: RunningController[] = [];
const cleanups: Array<() => Promise<void>> = [];

function c(): Cluster {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster;
}

/** What one test owns: a namespace for its Services, a pool only they may use, and a Lease. */
interface Scope {
  readonly ns: string;
  readonly pool: string;
  readonly lease: string;
}

const servicePath = (ns: string, name = '') => `/api/v1/namespaces/${ns}/services${name ? `/${name}` : ''}`;
const leasePath = (name: string) => `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${name}`;

function poolObject(scope: Scope, addresses: string[]): Record<string, unknown> {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: scope.pool, namespace: NS },
    spec: { addresses, serviceAllocation: { namespaces: [scope.ns] } },
  };
}

async function scope(name: string, addresses: string[]): Promise<Scope> {
  const s = { ns: `t-${name}`, pool: `pool-${name}`, lease: `lease-${name}` };
  const { api } = c();
  await create(api, '/api/v1/namespaces', { metadata: { name: s.ns } });
  await create(api, poolPath(), poolObject(s, addresses));
  cleanups.push(async () => {
    const list = z
      .object({ items: z.array(z.looseObject({ metadata: z.looseObject({ name: z.string() }) })) })
      .parse(await api.request({ method: 'GET', path: servicePath(s.ns) }));
    for (const svc of list.items) await remove(servicePath(s.ns, svc.metadata.name));
    await remove(poolPath(s.pool));
    await remove(leasePath(s.lease));
  });
  return s;
}

async function remove(path: string): Promise<void> {
  try {
    await c().api.request({ method: 'DELETE', path });
  } catch {
    // already gone
  }
}

async function start(s: Scope, identity: string): Promise<RunningController> {
  const controller = await startController({
    kubeConfig: c().cp.kubeConfig(),
    namespace: NS,
    lbClass: '',
    identity,
    logger: silentLogger(),
    leaseName: s.lease,
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
  const i = running.indexOf(controller);
  if (i < 0) return;
  running.splice(i, 1);
  await controller.stop();
}

const addService = (s: Scope, name: string, annotations: Record<string, string> = {}) =>
  create(c().api, servicePath(s.ns), {
    ...lbService(name, annotations),
    metadata: { name, namespace: s.ns, annotations },
  });
const read = (s: Scope, name: string) => readService(c().api, s.ns, name);

async function waitForIPs(s: Scope, name: string, count = 1): Promise<string[]> {
  let ips: string[] = [];
  await eventually(`service ${s.ns}/${name} has ${count} address(es)`, async () => {
    ips = (await read(s, name)).ips;
    return ips.length === count;
  });
  return ips;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
const Lease = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string() }),
  spec: z.looseObject({ holderIdentity: z.string().optional() }),
});

beforeAll(async () => {
  cluster = await startCluster();
}, 240_000);

afterEach(async () => {
  for (const controller of [...running]) await stop(controller);
  for (const cleanup of cleanups.splice(0)) await cleanup();
}, 60_000);

afterAll(async () => {
  await stopCluster(cluster);
}, 60_000);

describe('controller against a real API server', () => {
  it('gives LoadBalancer Services addresses, with the pool annotation, status, events and metrics', async () => {
    const { api } = c();
    const s = await scope('first', ['203.0.113.0/29']);
    const controller = await start(s, 'controller-a');
    for (const name of ['svc-a', 'svc-b', 'svc-c']) await addService(s, name);
    const ips: string[][] = [];
    for (const name of ['svc-a', 'svc-b', 'svc-c']) ips.push(await waitForIPs(s, name));
    expect(new Set(ips.flat()).size).toBe(3);
    for (const ip of ips.flat()) expect(ip).toMatch(/^203\.0\.113\.[0-7]$/);
    expect((await read(s, 'svc-a')).pool).toBe(s.pool);

    await eventually('IPAddressPool status counts', async () => {
      const pool = PoolStatus.parse(await api.request({ method: 'GET', path: poolPath(s.pool) }));
      return pool.status?.assignedIPv4 === 3 && pool.status.availableIPv4 === 5;
    });
    await eventually('IPAllocated events', async () => {
      const events = EventList.parse(
        await api.request({ method: 'GET', path: `/api/v1/namespaces/${s.ns}/events` }),
      );
      return events.items.filter((e) => e.reason === 'IPAllocated').length >= 3;
    });
    const metrics = await get(controller.metricsPort, '/metrics');
    expect(metrics.body).toContain(`metallb_allocator_addresses_in_use_total{pool="${s.pool}"} 3`);
    expect(metrics.body).toContain(`metallb_allocator_addresses_total{pool="${s.pool}"} 8`);
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
    const s = await scope('restart', ['203.0.113.8/29']);
    const first = await start(s, 'controller-b1');
    const names = ['svc-a', 'svc-b', 'svc-c'];
    for (const name of names) await addService(s, name);
    const before: string[][] = [];
    for (const name of names) before.push(await waitForIPs(s, name));
    await stop(first);
    // Sorts before the others, so a naive restart would hand it the lowest address first.
    await addService(s, 'aaa-new');
    const controller = await start(s, 'controller-b2');
    const newIP = await waitForIPs(s, 'aaa-new');
    const after = [];
    for (const name of names) after.push((await read(s, name)).ips);
    expect(after).toEqual(before);
    expect(before.flat()).not.toContain(newIP[0]);
    await stop(controller);
  });

  it('a pool change re-addresses only the Services it no longer covers', async () => {
    const { api } = c();
    const s = await scope('poolchange', ['203.0.113.16/29']);
    const controller = await start(s, 'controller-c');
    const names = ['svc-a', 'svc-b', 'svc-c', 'svc-d'];
    for (const name of names) await addService(s, name);
    const before: string[] = [];
    for (const name of names) before.push((await waitForIPs(s, name))[0] ?? '');
    // A merge patch of the spec alone: the controller writes the pool's status meanwhile, so a PUT carrying the
    // resourceVersion read a moment ago can lose that race with a 409.
    await api.request({
      method: 'PATCH',
      path: poolPath(s.pool),
      contentType: CONTENT_TYPE.mergePatch,
      body: { spec: { addresses: ['203.0.113.16/31', '192.0.2.16/29'] } },
    });
    const inNewPool = (ip: string | undefined) =>
      ip !== undefined && (/^203\.0\.113\.1[67]$/.test(ip) || /^192\.0\.2\.(1[6-9]|2[0-3])$/.test(ip));
    await eventually('every Service inside the new pool', async () => {
      for (const name of names) if (!inNewPool((await read(s, name)).ips[0])) return false;
      return true;
    });
    // Who held .16 and .17 still does.
    for (const [i, name] of names.entries()) {
      const held = before[i] ?? '';
      if (/^203\.0\.113\.1[67]$/.test(held)) expect((await read(s, name)).ips).toEqual([held]);
    }
    await eventually('ClearAssignment events say why', async () => {
      const events = EventList.parse(
        await api.request({ method: 'GET', path: `/api/v1/namespaces/${s.ns}/events` }),
      );
      return events.items.some((e) => e.reason === 'ClearAssignment');
    });
    await stop(controller);
  });

  it('only the Lease holder allocates; a standby takes over when it goes', async () => {
    const s = await scope('standby', ['203.0.113.24/29']);
    const leader = await start(s, 'controller-leader');
    await eventually('first candidate leads', async () => leader.isLeader());
    const standby = await start(s, 'controller-standby');
    await addService(s, 'ha-1');
    await waitForIPs(s, 'ha-1');
    expect(standby.isLeader()).toBe(false);
    expect(standby.isSynced()).toBe(false);
    await stop(leader);
    await eventually('standby leads', async () => standby.isLeader(), 30_000);
    await addService(s, 'ha-2');
    const [ip] = await waitForIPs(s, 'ha-2');
    expect(ip).not.toBe((await read(s, 'ha-1')).ips[0]);
    await stop(standby);
  });

  it('a leader whose Lease is taken stops allocating at once, and rebuilds when it leads again', async () => {
    const { api } = c();
    const s = await scope('deposed', ['203.0.113.32/29']);
    let lost = 0;
    const controller = await startController({
      kubeConfig: c().cp.kubeConfig(),
      namespace: NS,
      lbClass: '',
      identity: 'controller-deposed',
      logger: silentLogger(),
      leaseName: s.lease,
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 500,
      // No process exit: the controller itself must stop allocating.
      onLostLeadership: () => void lost++,
    });
    running.push(controller);
    await eventually('it leads', async () => controller.isLeader());
    await addService(s, 'before');
    const [held] = await waitForIPs(s, 'before');
    const takeLease = async (holderIdentity: string): Promise<void> => {
      const lease = Lease.parse(await api.request({ method: 'GET', path: leasePath(s.lease) }));
      await api.request({
        method: 'PUT',
        path: leasePath(s.lease),
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: s.lease, namespace: NS, resourceVersion: lease.metadata.resourceVersion },
          spec: { ...lease.spec, holderIdentity, leaseDurationSeconds: 3600 },
        },
      });
    };
    // Someone else holds the Lease now, for an hour.
    await takeLease('intruder');
    await eventually('it steps down', async () => !controller.isLeader(), 10_000);
    expect(lost).toBe(1);
    await addService(s, 'after-loss');
    await sleep(4_000);
    expect((await read(s, 'after-loss')).ips).toEqual([]);
    expect(controller.isLeader()).toBe(false);
    // The intruder lets go: the controller campaigns again, rebuilds its allocator from the cluster (the
    // held address stays where it is) and serves the Service that waited.
    await takeLease('');
    await eventually('it leads again', async () => controller.isLeader(), 20_000);
    const [late] = await waitForIPs(s, 'after-loss');
    expect((await read(s, 'before')).ips).toEqual([held]);
    expect(late).not.toBe(held);
    await stop(controller);
  });

  it('secure metrics from --metrics-cert-dir under the TLS flags admit a ServiceAccount allowed to GET /metrics and refuse one that is not', async () => {
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
    // The service CA's layout (render/openshift.ts): tls.crt and tls.key for the monitor Service's name.
    const serverName = `controller-monitor-service.${NS}.svc`;
    const ca = createCA();
    const certDir = mkdtempSync(join(tmpdir(), 'ironlb-metrics-certs-'));
    const served = createServingCert(ca, { dnsNames: [serverName], validityMs: 3_600_000 });
    writeFileSync(join(certDir, 'tls.crt'), served.cert);
    writeFileSync(join(certDir, 'tls.key'), served.key);
    const controller = await startController({
      kubeConfig: c().cp.kubeConfig(),
      namespace: NS,
      lbClass: '',
      identity: 'controller-secure',
      logger: silentLogger(),
      leaderElection: false,
      metricsPort: 0,
      secureMetrics: { certDir, tls: parseFlags(['--tls-min-version=VersionTLS13'], {}).tls },
      listenHost: '127.0.0.1',
    });
    running.push(controller);
    rmSync(certDir, { recursive: true });
    const scrape = (bearer: string) =>
      new Promise<number>((resolve, reject) => {
        https
          .get(
            {
              host: '127.0.0.1',
              port: controller.metricsPort,
              path: '/metrics',
              ca: ca.cert,
              servername: serverName,
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
    const tls12 = await new Promise<string>((resolve) => {
      const socket = tlsConnect(
        {
          host: '127.0.0.1',
          port: controller.metricsPort ?? 0,
          ca: ca.cert,
          servername: serverName,
          maxVersion: 'TLSv1.2',
        },
        () => {
          socket.end();
          resolve('connected');
        },
      );
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(tls12).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    await stop(controller);
  });

  it('recreates its ConfigurationState when it is deleted', async () => {
    const { api } = c();
    const s = await scope('state', ['203.0.113.40/29']);
    const controller = await start(s, 'controller-state');
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
    const s = await scope('clusterip', ['203.0.113.48/29']);
    const controller = await start(s, 'controller-d');
    await addService(s, 'svc-c');
    await waitForIPs(s, 'svc-c');
    await api.request({
      method: 'PATCH',
      path: servicePath(s.ns, 'svc-c'),
      body: { spec: { type: 'ClusterIP' } },
      contentType: CONTENT_TYPE.mergePatch,
    });
    await eventually('svc-c cleared', async () => {
      const svc = await read(s, 'svc-c');
      return svc.ips.length === 0 && svc.pool === undefined;
    });
    await stop(controller);
  });
});
