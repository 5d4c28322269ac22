// The legacy AddressPool with the real controller (its own process, controller/main.ts) and the operator
// acting as manager-account: the operator reports the AddressPool served and what it stands for, records
// the deprecation, and on `metallb.io/migrate: "true"` writes the IPAddressPool and L2Advertisement and marks
// the AddressPool migrated, while every Service keeps its address, polled the whole time; an invalid
// AddressPool is reported not served with the configuration model's message.
import { z } from 'zod';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { CONTENT_TYPE } from '../kube/rest';
import { captureLogger } from '../testkit/capturedlogger';
import {
  compileController,
  spawnController,
  type ChildController,
  type ControllerBuild,
} from '../testkit/controllerprocess';
import {
  NS,
  create,
  eventually,
  lbService,
  readService,
  servicePath,
  startCluster,
  stopCluster,
  waitForIPs,
  type Cluster,
} from '../testkit/metallbcluster';
import {
  applyOperatorManifest,
  exists as existsAt,
  refusedCalls,
  serviceAccountAccess,
  testOperatorEnvironment,
} from '../testkit/operatorinstall';
import { startOperator, type RunningOperator } from './app/operator';

jest.setTimeout(300_000);

let cluster: Cluster | undefined;
let build: ControllerBuild | undefined;
let controller: ChildController | undefined;
let operator: RunningOperator | undefined;
const captured = captureLogger('info');

function client(): HarnessRestClient {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster.api;
}
const exists = (path: string): Promise<boolean> => existsAt(client(), path);

const metallbPath = (plural: string, version: string, name = '') =>
  `/apis/metallb.io/${version}/namespaces/${NS}/${plural}${name ? `/${name}` : ''}`;
const addressPoolPath = (name = '') => metallbPath('addresspools', 'v1alpha1', name);

const Status = z.looseObject({
  metadata: z.looseObject({ annotations: z.record(z.string(), z.string()).optional() }),
  status: z
    .looseObject({
      ipAddressPool: z.string().optional(),
      advertisement: z.looseObject({ kind: z.string(), name: z.string() }).optional(),
      conditions: z
        .array(
          z.looseObject({ type: z.string(), status: z.string(), reason: z.string(), message: z.string() }),
        )
        .optional(),
    })
    .optional(),
});

async function addressPool(name: string) {
  return Status.parse(await client().request({ method: 'GET', path: addressPoolPath(name) }));
}

async function condition(name: string, type: string) {
  return (await addressPool(name)).status?.conditions?.find((c) => c.type === type);
}

const legacyPool = (name: string, addresses: string[]) => ({
  apiVersion: 'metallb.io/v1alpha1',
  kind: 'AddressPool',
  metadata: { name, namespace: NS },
  spec: { protocol: 'layer2', addresses },
});

beforeAll(async () => {
  cluster = await startCluster();
  const { cp, api } = cluster;
  await applyOperatorManifest(api, 'ironlb-operator.yaml', NS);
  build = await compileController();
  controller = await spawnController(cp, 'legacy-controller', build);
  operator = await startOperator({
    kubeConfig: await serviceAccountAccess(cp, api, NS, 'manager-account'),
    env: testOperatorEnvironment(NS),
    logger: captured.logger,
    identity: 'operator-legacy',
    leaderElection: false,
  });
});

afterAll(async () => {
  await operator?.stop();
  await controller?.terminate();
  build?.dispose();
  await stopCluster(cluster);
});

describe('the legacy AddressPool', () => {
  const services = ['web', 'pinned'];
  const before = new Map<string, string[]>();

  test('is served, says what it stands for, and is reported deprecated by an event', async () => {
    await create(client(), addressPoolPath(), legacyPool('legacy', ['192.0.2.0/28']));
    await create(client(), servicePath(), lbService('web'));
    await create(client(), servicePath(), lbService('pinned', { 'metallb.io/address-pool': 'legacy' }));
    for (const name of services) before.set(name, await waitForIPs(client(), name));
    await eventually(
      'Served True',
      async () => (await condition('legacy', 'Served'))?.status === 'True',
      60_000,
    );
    const { status } = await addressPool('legacy');
    expect(status?.ipAddressPool).toBe('legacy');
    expect(status?.advertisement).toEqual({ kind: 'L2Advertisement', name: 'legacy' });
    expect((await condition('legacy', 'Deprecated'))?.message).toContain('use IPAddressPool legacy');
    const events = z
      .looseObject({ items: z.array(z.looseObject({ reason: z.string(), message: z.string() })) })
      .parse(
        await client().request({
          method: 'GET',
          path: `/api/v1/namespaces/${NS}/events`,
          query: { fieldSelector: 'involvedObject.kind=AddressPool,involvedObject.name=legacy' },
        }),
      );
    expect(events.items.map((e) => e.reason)).toContain('Deprecated');
  });

  test('migration writes the IPAddressPool and L2Advertisement, marks it, and no Service loses its address', async () => {
    // Every Service's addresses, read over and over until the switch has settled.
    const seen: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const name of services) {
          const ips = (await readService(client(), name)).ips;
          if (JSON.stringify(ips) !== JSON.stringify(before.get(name)))
            seen.push(`${name}: ${JSON.stringify(ips)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await client().request({
        method: 'PATCH',
        path: addressPoolPath('legacy'),
        contentType: CONTENT_TYPE.mergePatch,
        body: { metadata: { annotations: { 'metallb.io/migrate': 'true' } } },
      });
      await eventually(
        'Migrated True',
        async () => (await condition('legacy', 'Migrated'))?.status === 'True',
        60_000,
      );
      expect(await exists(metallbPath('ipaddresspools', 'v1beta1', 'legacy'))).toBe(true);
      expect(await exists(metallbPath('l2advertisements', 'v1beta1', 'legacy'))).toBe(true);
      expect((await addressPool('legacy')).metadata.annotations?.['metallb.io/migrated-to']).toBe(
        'IPAddressPool/legacy',
      );
      expect(await condition('legacy', 'Served')).toMatchObject({ status: 'False', reason: 'Migrated' });
      // A new Service gets an address from the migrated pool: the IPAddressPool is what serves now.
      await create(client(), servicePath(), lbService('after', { 'metallb.io/address-pool': 'legacy' }));
      const [after] = await waitForIPs(client(), 'after');
      expect(after).toMatch(/^192\.0\.2\.([0-9]|1[0-5])$/);
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      polling = false;
      await poller;
    }
    expect(seen).toEqual([]);
  });

  test('an invalid AddressPool is not served, with the configuration model message naming the field', async () => {
    await create(client(), addressPoolPath(), legacyPool('broken', ['198.51.100.0/33']));
    await eventually(
      'Served False',
      async () => (await condition('broken', 'Served'))?.status === 'False',
      60_000,
    );
    const served = await condition('broken', 'Served');
    expect(served?.reason).toBe('InvalidAddressPool');
    expect(served?.message).toContain('AddressPool metallb-system/broken: spec.addresses[0]');
  });

  test('an IPAddressPool of the same name that no migration wrote blocks the migration', async () => {
    await create(client(), metallbPath('ipaddresspools', 'v1beta1'), {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'taken', namespace: NS },
      spec: { addresses: ['203.0.113.0/28'] },
    });
    await create(client(), addressPoolPath(), {
      ...legacyPool('taken', ['203.0.113.16/28']),
      metadata: { name: 'taken', namespace: NS, annotations: { 'metallb.io/migrate': 'true' } },
    });
    await eventually(
      'Migrated False',
      async () => (await condition('taken', 'Migrated'))?.status === 'False',
    );
    expect(await condition('taken', 'Migrated')).toMatchObject({
      reason: 'NameTaken',
      message: expect.stringContaining('IPAddressPool metallb-system/taken exists'),
    });
    expect((await addressPool('taken')).metadata.annotations?.['metallb.io/migrated-to']).toBeUndefined();
  });

  test('no call of the operator was refused', () => {
    const refused = refusedCalls(captured);
    expect(refused).toEqual([]);
  });
});
