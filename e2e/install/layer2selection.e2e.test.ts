// Who announces, end to end: ironlb from the manifest in a world of three nodes, the speaker DaemonSet run by
// the process kubelets, and Services whose announcing node is decided by more than the hash. From the client,
// arping must be answered by exactly the node the rule picks:
// - externalTrafficPolicy: Local announces from a node with a ready local endpoint, and moves with it;
// - an L2Advertisement's nodeSelectors limit the candidates;
// - the node.kubernetes.io/exclude-from-external-load-balancers label takes a node out, and back;
// - an advertisement's `interfaces` list is honoured, and a missing interface is reported (announceFailed);
// - many Services spread over the nodes, each address answered by one MAC.
// Upstream: e2etest/l2tests/l2.go ("should work for ExternalTrafficPolicy=Local", "should work with node
// selector", "should not be announced from excluded nodes", "interface selector" cases), speaker/layer2_controller.go.
// Needs root (network namespaces); fails, never skips, without it.
import { z } from 'zod';
import { arping } from '../harness/net';
import { waitFor } from '../harness/readiness';
import { CONTENT_TYPE } from '../../kube/rest';
import { readService } from '../../testkit/servicereader';
import {
  applyWhenAdmitted,
  installAndWaitForSpeakers,
  nodeOfMac as nodeOfMacIn,
  startCluster,
  type InstalledCluster,
} from './cluster';
import { applyManifest, METALLB_NAMESPACE as NS } from './manifest';
import type { Doc } from '../demo/objects';

jest.setTimeout(180_000);

const NODES = 3;
const APP_NS = 'default';
const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
// Sub-ranges of the world's L2 pool (192.0.2.192/27, on the nodes' segment): one pool per rule under test.
const POOLS = {
  spread: '192.0.2.192/28',
  selected: '192.0.2.208/30',
  iface: '192.0.2.212/30',
  missing: '192.0.2.216/30',
};

let cluster: InstalledCluster | undefined;

function c(): InstalledCluster {
  if (cluster === undefined) throw new Error('cluster did not start (see beforeAll failure)');
  return cluster;
}

const say = (line: string): void => {
  process.stderr.write(`[layer2selection.e2e] ${line}\n`);
};

const nodeOfMac = (mac: string): string | undefined => nodeOfMacIn(c().world, mac);

function pool(name: string, cidr: string): Doc {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace: NS },
    // Only Services that name the pool get its addresses, so each test's Services land where it expects.
    spec: { addresses: [cidr], autoAssign: false },
  };
}

function advertisement(name: string, pools: string[], extra: Record<string, unknown> = {}): Doc {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name, namespace: NS },
    spec: { ipAddressPools: pools, ...extra },
  };
}

/** A LoadBalancer Service from `poolName`; its endpoints are the every-node backend unless `app` says otherwise. */
function service(
  name: string,
  poolName: string,
  extra: Record<string, unknown> = {},
  app = 'everywhere',
): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: APP_NS, annotations: { 'metallb.io/address-pool': poolName } },
    spec: { type: 'LoadBalancer', selector: { app }, ports: [{ name: 'http', port: 80 }], ...extra },
  };
}

/** A backend Pod on every node: a Service with no serving endpoint is announced by nobody (upstream's rule). */
function everywhereBackend(): Doc {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'everywhere', namespace: APP_NS },
    spec: {
      selector: { matchLabels: { app: 'everywhere' } },
      template: {
        metadata: { labels: { app: 'everywhere' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          automountServiceAccountToken: false,
          containers: [{ name: 'web', image: 'ironlb.test/testimage', args: ['serve', '18082'] }],
        },
      },
    },
  };
}

/** A one-replica Deployment pinned to `node`, ready at once: its Pod is the Service's only endpoint. */
function pinnedBackend(name: string, node: string): Doc {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: APP_NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': node },
          terminationGracePeriodSeconds: 1,
          automountServiceAccountToken: false,
          containers: [{ name: 'web', image: 'ironlb.test/testimage', args: ['serve', '18081'] }],
        },
      },
    },
  };
}

async function serviceIP(name: string): Promise<string> {
  let ip = '';
  await waitFor(
    `Service ${APP_NS}/${name} to get an IPv4 address`,
    async () => {
      ip = (await readService(c().admin, APP_NS, name)).ips.find((i) => !i.includes(':')) ?? '';
      return ip !== '';
    },
    { timeoutMs: 30_000 },
  );
  return ip;
}

/** The nodes whose MACs answer arping for `ip` (three requests). */
async function answering(ip: string): Promise<string[]> {
  const r = await arping(c().world, ip, { count: 3, deadlineS: 3 });
  return r.macs.map((m) => nodeOfMac(m) ?? m).sort();
}

/** Waits until exactly one node answers for `ip`; returns it. */
async function waitForOneAnswerer(ip: string, what: string): Promise<string> {
  let who: string[] = [];
  await waitFor(`${what}: ${ip} answered by one MAC`, async () => (who = await answering(ip)).length === 1, {
    timeoutMs: 20_000,
    intervalMs: 250,
  });
  return who[0] ?? '';
}

/** Waits until exactly `nodes` answer for `ip` (an empty list: nobody), and says so. */
async function waitForAnswerers(
  ip: string,
  nodes: string[],
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  let last: string[] = [];
  await waitFor(
    `${what}: ${ip} answered by ${nodes.length === 0 ? 'nobody' : nodes.join(', ')}`,
    async () => {
      last = await answering(ip);
      return JSON.stringify(last) === JSON.stringify([...nodes].sort());
    },
    { timeoutMs, intervalMs: 250 },
  ).catch((err: unknown) => {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}; last answered by ${JSON.stringify(last)}`,
    );
  });
  say(`${what}: ${ip} answered by ${nodes.length === 0 ? 'nobody' : nodes.join(', ')}`);
}

async function patch(path: string, body: unknown): Promise<void> {
  await c().admin.request({ method: 'PATCH', path, contentType: CONTENT_TYPE.mergePatch, body });
}

const statusList = z.looseObject({
  items: z.array(
    z.looseObject({
      status: z.looseObject({ node: z.string().optional(), serviceName: z.string().optional() }).optional(),
    }),
  ),
});

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES, onStep: say });
  const { admin } = cluster;
  await installAndWaitForSpeakers(cluster);
  await applyWhenAdmitted(
    admin,
    [
      ...Object.entries(POOLS).map(([name, cidr]) => pool(name, cidr)),
      advertisement('spread', ['spread']),
      advertisement('selected', ['selected'], {
        nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node2' } }],
      }),
      advertisement('iface', ['iface'], { interfaces: ['eth0'] }),
      advertisement('missing', ['missing'], { interfaces: ['does-not-exist0'] }),
    ],
    (m) => say(`webhook not ready: ${m}`),
  );
  await applyManifest(admin, [everywhereBackend()]);
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('Layer 2: who announces', () => {
  test('externalTrafficPolicy: Local announces from the node with the endpoint, and follows it', async () => {
    await applyManifest(c().admin, [
      pinnedBackend('local', 'node1'),
      service('local', 'spread', { externalTrafficPolicy: 'Local' }, 'local'),
    ]);
    const ip = await serviceIP('local');
    await waitForAnswerers(ip, ['node1'], 'endpoint on node1');
    await patch(`/apis/apps/v1/namespaces/${APP_NS}/deployments/local`, {
      spec: { template: { spec: { nodeSelector: { 'kubernetes.io/hostname': 'node3' } } } },
    });
    await waitForAnswerers(ip, ['node3'], 'endpoint moved to node3', 60_000);
  });

  test("an L2Advertisement's nodeSelectors limit the announcing node", async () => {
    await applyManifest(c().admin, [service('selected', 'selected')]);
    const ip = await serviceIP('selected');
    await waitForAnswerers(ip, ['node2'], 'nodeSelectors match node2 only');
    // Stable: it never moves to a node the selector excludes.
    expect(await answering(ip)).toEqual(['node2']);
  });

  test('the exclude-from-external-load-balancers label takes the owner out, and removing it brings it back', async () => {
    await applyManifest(c().admin, [service('excluded', 'spread')]);
    const ip = await serviceIP('excluded');
    const node = await waitForOneAnswerer(ip, 'before the label');
    await patch(`/api/v1/nodes/${node}`, { metadata: { labels: { [EXCLUDE_LABEL]: '' } } });
    try {
      let moved: string[] = [];
      await waitFor(
        `the address to leave ${node}`,
        async () => {
          moved = await answering(ip);
          return moved.length === 1 && moved[0] !== node;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      say(`excluded ${node}: ${ip} moved to ${moved.join(', ')}`);
    } finally {
      await patch(`/api/v1/nodes/${node}`, { metadata: { labels: { [EXCLUDE_LABEL]: null } } });
    }
    await waitForAnswerers(ip, [node], 'label removed');
  });

  test("an advertisement's interfaces are honoured; a missing one is reported, never silently answered", async () => {
    await applyManifest(c().admin, [service('iface', 'iface'), service('missing', 'missing')]);
    const ipOk = await serviceIP('iface');
    await waitForOneAnswerer(ipOk, 'interfaces: [eth0]');
    const ipMissing = await serviceIP('missing');
    const eventList = z.looseObject({
      items: z.array(z.looseObject({ reason: z.string().optional(), message: z.string().optional() })),
    });
    await waitFor(
      'an announceFailed event on the Service whose interface does not exist',
      async () => {
        const events = eventList.parse(
          await c().admin.request({
            method: 'GET',
            path: `/api/v1/namespaces/${APP_NS}/events`,
            query: { fieldSelector: 'involvedObject.name=missing' },
          }),
        );
        return events.items.some((e) => e.reason === 'announceFailed');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(await answering(ipMissing)).toEqual([]);
  });

  test('many Services spread over the nodes, each address answered by one MAC', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `many-${i}`);
    await applyManifest(
      c().admin,
      names.map((n) => service(n, 'spread')),
    );
    const owners = new Map<string, string>();
    for (const name of names) {
      const ip = await serviceIP(name);
      owners.set(name, await waitForOneAnswerer(ip, name));
    }
    say(`owners: ${JSON.stringify(Object.fromEntries(owners))}`);
    expect(new Set(owners.values()).size).toBeGreaterThanOrEqual(2);
    // The ServiceL2Status objects say the same.
    await waitFor(
      'a ServiceL2Status per Service naming its owner',
      async () => {
        const list = statusList.parse(
          await c().admin.request({
            method: 'GET',
            path: `/apis/metallb.io/v1beta1/namespaces/${NS}/servicel2statuses`,
          }),
        );
        return names.every((n) =>
          list.items.some((s) => s.status?.serviceName === n && s.status.node === owners.get(n)),
        );
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
  });
});
