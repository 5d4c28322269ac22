// Two speakers' reconcile cores in-process against a real kube-apiserver, with real informers and writers and
// a recording announcer in place of the packet sockets (those need root; speaker/l2 tests them for real):
// exactly one node announces, its ServiceL2Status says so, and both withdraw and clean up when the endpoints go.
import {
  Cluster,
  NS,
  create,
  eventually,
  lbService,
  servicePath,
  startCluster,
  stopCluster,
} from '../testkit/metallbcluster';
import { startInProcessSpeaker } from '../testkit/inprocessspeaker';
import type { RunningSpeaker } from './app/speaker';
import type { L2Announcer } from './reconcile/announcements';

jest.setTimeout(180_000);

let cluster: Cluster | undefined;
const speakers: RunningSpeaker[] = [];
const held = new Map<string, Set<string>>(); // node → ips

function c(): Cluster {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster;
}

function announcerFor(node: string): L2Announcer {
  const ips = new Set<string>();
  held.set(node, ips);
  return { announce: (ip) => ips.add(ip), withdraw: (ip) => ips.delete(ip) };
}

async function startOn(node: string): Promise<RunningSpeaker> {
  const { speaker } = await startInProcessSpeaker(c(), node, { announcer: announcerFor(node) });
  speakers.push(speaker);
  return speaker;
}

const l2Statuses = async (): Promise<
  { metadata: { labels: Record<string, string> }; status: { node: string } }[]
> => {
  const list = (await c().api.request({
    method: 'GET',
    path: `/apis/metallb.io/v1beta1/namespaces/${NS}/servicel2statuses`,
  })) as { items: { metadata: { labels: Record<string, string> }; status: { node: string } }[] };
  return list.items;
};

beforeAll(async () => {
  cluster = await startCluster();
  const api = c().api;
  for (const n of ['n1', 'n2'])
    await create(api, '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n, labels: { 'kubernetes.io/hostname': n } },
    });
  await create(api, `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`, {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'web' },
    spec: { addresses: ['192.0.2.0/28'] },
  });
  await create(api, `/apis/metallb.io/v1beta1/namespaces/${NS}/l2advertisements`, {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name: 'web-l2' },
    spec: { ipAddressPools: ['web'] },
  });
  await create(api, servicePath(), lbService('web'));
  await api.request({
    method: 'PATCH',
    path: `${servicePath('web')}/status`,
    contentType: 'application/merge-patch+json',
    body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.5' }] } } },
  });
  await create(api, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['203.0.113.10'], nodeName: 'n1', conditions: { ready: true } }],
  });
});

afterAll(async () => {
  await Promise.all(speakers.map((s) => s.stop()));
  await stopCluster(cluster);
});

test('one node announces, writes its ServiceL2Status and ConfigurationState, and withdraws when endpoints go', async () => {
  await Promise.all([startOn('n1'), startOn('n2')]);
  const announcing = () => ['n1', 'n2'].filter((n) => held.get(n)?.has('192.0.2.5'));
  await eventually('one speaker announces 192.0.2.5', () => Promise.resolve(announcing().length === 1));
  const [winner] = announcing();
  await eventually('the winner wrote its ServiceL2Status', async () => {
    const items = await l2Statuses();
    return items.length === 1 && items[0]?.status.node === winner;
  });
  const [status] = await l2Statuses();
  expect(status?.metadata.labels).toEqual({
    'metallb.io/node': winner,
    'metallb.io/service-name': 'web',
    'metallb.io/service-namespace': 'default',
  });
  await eventually('speaker-n1 reports a valid configuration', async () => {
    const cs = (await c().api.request({
      method: 'GET',
      path: `/apis/metallb.io/v1beta1/namespaces/${NS}/configurationstates/speaker-n1`,
    })) as { status?: { result?: string } };
    return cs.status?.result === 'Valid';
  });

  await c().api.request({
    method: 'PATCH',
    path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1',
    contentType: 'application/merge-patch+json',
    body: { endpoints: [{ addresses: ['203.0.113.10'], nodeName: 'n1', conditions: { ready: false } }] },
  });
  await eventually('nobody announces without a serving endpoint', () =>
    Promise.resolve(announcing().length === 0),
  );
  await eventually('the ServiceL2Status is gone', async () => (await l2Statuses()).length === 0);
});
