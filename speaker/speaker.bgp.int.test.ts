// The speaker's BGP path in-process against a real kube-apiserver, with real informers, writers and BGP
// sessions over loopback TCP to a small router played by the test (testkit/bgplistener.ts): the BGPPeer's
// session comes up, the Service's address arrives as an UPDATE with its communities, ServiceBGPStatus names
// the peer, the metrics carry upstream's names, ETP Local withdraws without a local endpoint, a peer whose
// nodeSelector stops matching is closed, deleting the Service withdraws and deletes the status, and the
// speaker's stop reads the Node: in service a restart, cordoned a drain.
import { BgpListener } from '../testkit/bgplistener';
import { shutdownCommunication } from './bgp/codec/notification';
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
import type { Registry } from '../kube/prometheus/registry';

jest.setTimeout(180_000);

const ROUTER_AS = 64512;
const CLUSTER_AS = 64513;

let cluster: Cluster | undefined;
let speaker: RunningSpeaker | undefined;
let registry: Registry | undefined;
const router = new BgpListener(ROUTER_AS);
const other = new BgpListener(ROUTER_AS);

function c(): Cluster {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster;
}

const metallb = (kind: string, name = '') =>
  `/apis/metallb.io/${kind === 'bgppeers' ? 'v1beta2' : 'v1beta1'}/namespaces/${NS}/${kind}${name ? `/${name}` : ''}`;

interface BGPStatusItem {
  metadata: { labels: Record<string, string> };
  status: { node: string; serviceName: string; peers?: string[] };
}

const bgpStatuses = async (): Promise<BGPStatusItem[]> =>
  (
    (await c().api.request({ method: 'GET', path: metallb('servicebgpstatuses') })) as {
      items: BGPStatusItem[];
    }
  ).items;

async function metricsText(): Promise<string> {
  if (registry === undefined) throw new Error('no registry');
  return registry.metrics();
}

const endpointSlice = (nodeName: string) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['203.0.113.10'], nodeName, conditions: { ready: true } }],
});

beforeAll(async () => {
  await router.listen();
  await other.listen();
  cluster = await startCluster();
  const api = c().api;
  for (const n of ['n1', 'n2'])
    await create(api, '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n, labels: { 'kubernetes.io/hostname': n, rack: 'r1' } },
    });
  await create(api, metallb('ipaddresspools'), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'bgp' },
    spec: { addresses: ['198.51.100.0/28'] },
  });
  await create(api, metallb('communities'), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'Community',
    metadata: { name: 'aliases' },
    spec: { communities: [{ name: 'edge', value: '64512:300' }] },
  });
  await create(api, metallb('bgpadvertisements'), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPAdvertisement',
    metadata: { name: 'bgp' },
    spec: { ipAddressPools: ['bgp'], communities: ['edge', 'large:64512:1:2'] },
  });
  const bgpPeer = (name: string, port: number, spec: Record<string, unknown>) =>
    create(api, metallb('bgppeers'), {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name },
      spec: { myASN: CLUSTER_AS, peerASN: ROUTER_AS, peerAddress: '127.0.0.1', peerPort: port, ...spec },
    });
  await bgpPeer('router', router.port, { holdTime: '9s' });
  await bgpPeer('rack1', other.port, { nodeSelectors: [{ matchLabels: { rack: 'r1' } }] });
  // Native mode refuses disableMP, but this peer selects no node here: as upstream, it cannot invalidate n1.
  await bgpPeer('elsewhere', other.port, {
    disableMP: true,
    nodeSelectors: [{ matchLabels: { rack: 'r9' } }],
  });
  await create(api, servicePath(), lbService('web'));
  await api.request({
    method: 'PATCH',
    path: `${servicePath('web')}/status`,
    contentType: 'application/merge-patch+json',
    body: { status: { loadBalancer: { ingress: [{ ip: '198.51.100.5' }] } } },
  });
  await create(api, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', endpointSlice('n2'));
});

afterAll(async () => {
  await speaker?.stop();
  await stopCluster(cluster);
  await router.close();
  await other.close();
});

test('the speaker peers, advertises the Service with its communities, and reports it', async () => {
  ({ speaker, registry } = await startInProcessSpeaker(c(), 'n1', { nodeAddress: '192.0.2.11' }));

  await eventually('the router holds 198.51.100.5/32', () =>
    Promise.resolve(router.announced().includes('198.51.100.5/32')),
  );
  const open = router.connections[0]?.received.find((m) => m.type === 'open');
  expect(open).toMatchObject({ myAs: CLUSTER_AS, holdTime: 9, bgpId: '192.0.2.11' });
  const update = router.connections[0]?.received.find((m) => m.type === 'update' && m.nlri.length > 0);
  if (update?.type !== 'update') throw new Error('no UPDATE');
  const attr = (type: string) => update.attributes.find((a) => a.type === type);
  expect(attr('communities')).toMatchObject({ communities: [64512 * 65536 + 300] });
  expect(attr('large-communities')).toMatchObject({ communities: [{ global: 64512, local1: 1, local2: 2 }] });
  expect(attr('as-path')).toMatchObject({ segments: [{ type: 'sequence', asns: [CLUSTER_AS] }] });
  expect(other.announced()).toEqual(['198.51.100.5/32']);

  await eventually('a ServiceBGPStatus naming both peers', async () => {
    const items = await bgpStatuses();
    return items.length === 1 && JSON.stringify(items[0]?.status.peers) === '["rack1","router"]';
  });
  const [status] = await bgpStatuses();
  expect(status?.status).toMatchObject({ node: 'n1', serviceName: 'web' });
  expect(status?.metadata.labels).toEqual({
    'metallb.io/node': 'n1',
    'metallb.io/service-name': 'web',
    'metallb.io/service-namespace': 'default',
  });

  await eventually('a nodeAssigned Event with protocol bgp on the Service', async () => {
    const events = (await c().api.request({
      method: 'GET',
      path: '/api/v1/namespaces/default/events',
    })) as { items: { reason?: string; message?: string; involvedObject?: { name?: string } }[] };
    return events.items.some(
      (e) =>
        e.reason === 'nodeAssigned' &&
        e.involvedObject?.name === 'web' &&
        e.message === 'announcing from node "n1" with protocol "bgp"',
    );
  });
  await eventually(
    'speaker-n1 reports the configuration valid (the VRF peer is for other nodes)',
    async () => {
      const cs = (await c().api.request({
        method: 'GET',
        path: metallb('configurationstates', 'speaker-n1'),
      })) as { status?: { result?: string } };
      return cs.status?.result === 'Valid';
    },
  );

  const text = await metricsText();
  expect(text).toContain(`metallb_bgp_session_up{peer="127.0.0.1:${router.port}"} 1`);
  expect(text).toMatch(
    new RegExp(`metallb_bgp_announced_prefixes_total\\{peer="127.0.0.1:${router.port}"\\} 1`),
  );
  expect(text).toMatch(new RegExp(`metallb_bgp_updates_total\\{peer="127.0.0.1:${router.port}"\\} [1-9]`));
  expect(text).toContain(`metallb_bgp_pending_prefixes_total{peer="127.0.0.1:${router.port}"} 0`);
  expect(text).toContain(
    'metallb_speaker_announced{service="default/web",protocol="bgp",node="n1",ip="198.51.100.5"} 1',
  );
});

test('ETP Local withdraws from a node without a local endpoint, and advertises again with one', async () => {
  const api = c().api;
  await api.request({
    method: 'PATCH',
    path: servicePath('web'),
    contentType: 'application/merge-patch+json',
    body: { spec: { externalTrafficPolicy: 'Local' } },
  });
  await eventually('withdrawn: the only endpoint is on n2', () =>
    Promise.resolve(router.announced().length === 0),
  );
  await eventually('the ServiceBGPStatus is gone', async () => (await bgpStatuses()).length === 0);
  await api.request({
    method: 'PATCH',
    path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1',
    contentType: 'application/merge-patch+json',
    body: { endpoints: endpointSlice('n1').endpoints },
  });
  await eventually('advertised again from n1', () =>
    Promise.resolve(router.announced().includes('198.51.100.5/32')),
  );
});

test('a peer whose nodeSelector stops matching is closed; the other session is untouched', async () => {
  const before = router.connections.length;
  await c().api.request({
    method: 'PATCH',
    path: '/api/v1/nodes/n1',
    contentType: 'application/merge-patch+json',
    body: { metadata: { labels: { rack: 'r2' } } },
  });
  await eventually('the rack1 session closed', () => Promise.resolve(other.live().length === 0));
  expect(other.connections.at(-1)?.received.at(-1)).toMatchObject({ type: 'notification', code: 6 });
  expect(router.connections.length).toBe(before);
  expect(router.live().length).toBe(1);
  await eventually('the status names only the router', async () => {
    const items = await bgpStatuses();
    return JSON.stringify(items[0]?.status.peers) === '["router"]';
  });
  expect(await metricsText()).not.toContain(`peer="127.0.0.1:${other.port}"`);
});

test('deleting the Service withdraws the prefix and deletes its ServiceBGPStatus', async () => {
  await c().api.request({ method: 'DELETE', path: servicePath('web') });
  await eventually('withdrawn', () => Promise.resolve(router.announced().length === 0));
  await eventually('no ServiceBGPStatus', async () => (await bgpStatuses()).length === 0);
  expect(await metricsText()).not.toContain('protocol="bgp"');
});

test('native mode refuses the bgpextras ConfigMap on the ConfigurationState, and accepts its deletion', async () => {
  const api = c().api;
  const configState = async () =>
    (
      (await api.request({ method: 'GET', path: metallb('configurationstates', 'speaker-n1') })) as {
        status?: { result?: string; errorSummary?: string };
      }
    ).status;
  const configMaps = `/api/v1/namespaces/${NS}/configmaps`;
  await create(api, configMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'bgpextras' },
    data: { extras: 'router bgp 64513\n  bgp default ipv4-unicast\n' },
  });
  await eventually('speaker-n1 reports bgpextras invalid in native mode', async () =>
    JSON.stringify(await configState()).includes('bgp extra info not supported in native mode'),
  );
  expect(JSON.stringify(await configState())).toContain(`ConfigMap ${NS}/bgpextras: data.extras`);
  // The last good configuration is kept meanwhile: the sessions stay up.
  expect(router.live()).toHaveLength(1);
  await api.request({ method: 'DELETE', path: `${configMaps}/bgpextras` });
  await eventually('speaker-n1 valid again', async () => (await configState())?.result === 'Valid');
});

const lastCease = () => {
  const m = router.connections.at(-1)?.received.at(-1);
  return m?.type === 'notification' ? { code: m.code, text: shutdownCommunication(m) } : undefined;
};

test('stopping on a Node in service is a restart; on a cordoned Node, a drain (the Cease says which)', async () => {
  const running = speaker;
  if (running === undefined) throw new Error('no speaker');
  speaker = undefined;
  // The router peer does not offer graceful restart: a restart closes it with a Cease too.
  await running.stop({ gracefulShutdownMs: 100 });
  await eventually('closed', () => Promise.resolve(router.live().length === 0));
  expect(lastCease()).toEqual({ code: 6, text: 'speaker stopping' });

  await c().api.request({
    method: 'PATCH',
    path: '/api/v1/nodes/n1',
    contentType: 'application/merge-patch+json',
    body: { spec: { unschedulable: true } },
  });
  ({ speaker, registry } = await startInProcessSpeaker(c(), 'n1', { nodeAddress: '192.0.2.11' }));
  await eventually('peered again', () => Promise.resolve(router.live().length === 1));
  const again = speaker;
  speaker = undefined;
  await again.stop({ gracefulShutdownMs: 100 });
  await eventually('closed again', () => Promise.resolve(router.live().length === 0));
  expect(lastCease()).toEqual({ code: 6, text: 'node drained' });
});
