// Simulated nodes against a real control plane: registration as system:node:<name>, heartbeats the node
// lifecycle controller accepts, and the controller's verdict once a node's heartbeat stops.
import { z } from 'zod';
import { statusCodeOf } from '../../kube/errors';
import type { RestClient } from '../../kube/rest';
import { parseKubeTime } from '../../kube/timefmt';
import { startControlPlane, type ControlPlane } from '../harness/controlplane';
import { restClient, type HarnessRestClient } from '../harness/kubeconfig';
import { SimNode } from '../harness/nodes';
import { controlPlaneBinaries } from '../harness/paths';
import { waitFor } from '../harness/readiness';

jest.setTimeout(90_000);

// The controller's defaults (50 s grace) would make the stop test slow; these keep its logic, scaled down.
const GRACE_SECONDS = 6;

let cp: ControlPlane | undefined;
let admin: HarnessRestClient | undefined;
const nodes: SimNode[] = [];

function api(): RestClient {
  if (admin === undefined) throw new Error('control plane did not start (see beforeAll failure)');
  return admin;
}

const nodeSchema = z.looseObject({
  metadata: z.looseObject({ labels: z.record(z.string(), z.string()).optional() }),
  spec: z.looseObject({ taints: z.array(z.looseObject({ key: z.string(), effect: z.string() })).optional() }),
  status: z.looseObject({
    addresses: z.array(z.looseObject({ type: z.string(), address: z.string() })).optional(),
    conditions: z
      .array(z.looseObject({ type: z.string(), status: z.string(), reason: z.string().optional() }))
      .optional(),
  }),
});
type NodeObj = z.infer<typeof nodeSchema>;
const leaseSchema = z.looseObject({
  metadata: z.looseObject({
    ownerReferences: z.array(z.looseObject({ kind: z.string(), name: z.string() })).optional(),
  }),
  spec: z.looseObject({
    holderIdentity: z.string(),
    renewTime: z.string(),
    leaseDurationSeconds: z.number(),
  }),
});

async function getNode(name: string): Promise<NodeObj> {
  return nodeSchema.parse(await api().request({ method: 'GET', path: `/api/v1/nodes/${name}` }));
}

const readyOf = (n: NodeObj): string | undefined =>
  n.status.conditions?.find((c) => c.type === 'Ready')?.status;

async function start(name: string, ipv4: string, ipv6: string): Promise<SimNode> {
  const n = await SimNode.start(
    need(cp),
    { name, ipv4, ipv6, labels: { 'ironlb.test/role': 'worker' } },
    { leaseDurationSeconds: GRACE_SECONDS, renewIntervalMs: 1_000, statusIntervalMs: 1_000 },
  );
  nodes.push(n);
  return n;
}

function need(c: ControlPlane | undefined): ControlPlane {
  if (c === undefined) throw new Error('control plane did not start (see beforeAll failure)');
  return c;
}

beforeAll(async () => {
  controlPlaneBinaries();
  cp = await startControlPlane({
    extraControllerManagerArgs: [`--node-monitor-grace-period=${GRACE_SECONDS}s`, '--node-monitor-period=1s'],
  });
  admin = restClient(cp.adminCredentials);
}, 180_000);

afterAll(async () => {
  for (const n of nodes) await n.stop();
  admin?.close();
  await cp?.stop();
});

describe('simulated nodes', () => {
  test('a node registers itself with dual-stack InternalIPs, the hostname label and a Ready condition', async () => {
    await start('node-a', '192.0.2.21', '2001:db8:1::21');
    const n = await getNode('node-a');
    expect(n.status.addresses).toEqual([
      { type: 'InternalIP', address: '192.0.2.21' },
      { type: 'InternalIP', address: '2001:db8:1::21' },
      // Loopback placement: where the apiserver reaches the node's kubelet endpoint.
      { type: 'ExternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: 'node-a' },
    ]);
    expect(n.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'node-a',
      'ironlb.test/role': 'worker',
    });
    expect(readyOf(n)).toBe('True');
  });

  test('its Lease in kube-node-lease is owned by the Node and keeps being renewed', async () => {
    const path = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a';
    const first = leaseSchema.parse(await api().request({ method: 'GET', path }));
    expect(first.spec.holderIdentity).toBe('node-a');
    expect(first.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Node', name: 'node-a' }),
    ]);
    const t0 = parseKubeTime(first.spec.renewTime) ?? 0;
    await waitFor(
      'a later renewTime',
      async () =>
        (parseKubeTime(leaseSchema.parse(await api().request({ method: 'GET', path })).spec.renewTime) ?? 0) >
        t0,
      { timeoutMs: 10_000 },
    );
  });

  test("a node's identity may not touch another node (Node authorizer + NodeRestriction)", async () => {
    await start('node-b', '192.0.2.22', '2001:db8:1::22');
    const asA = restClient(await need(cp).issueCredentials('system:node:node-a', ['system:nodes']));
    try {
      const code = await asA
        .request({
          method: 'PATCH',
          path: '/api/v1/nodes/node-b/status',
          contentType: 'application/merge-patch+json',
          body: { status: { conditions: [{ type: 'Ready', status: 'False' }] } },
        })
        .then(
          () => 200,
          (err: unknown) => statusCodeOf(err),
        );
      expect(code).toBe(403);
    } finally {
      asA.close();
    }
  });

  test('once its heartbeat stops, the node lifecycle controller marks the node unreachable', async () => {
    const b = nodes.find((n) => n.name === 'node-b');
    if (b === undefined) throw new Error('node-b did not start');
    await b.stop();
    let last: NodeObj | undefined;
    await waitFor(
      'node-b Ready=Unknown with the unreachable taint',
      async () => {
        last = await getNode('node-b');
        return (
          readyOf(last) === 'Unknown' &&
          (last.spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable')
        );
      },
      { timeoutMs: 40_000, maxIntervalMs: 1_000 },
    );
    expect(last?.status.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('NodeStatusUnknown');
    // node-b went unreachable only after a full grace period without heartbeats; node-a, registered earlier and
    // still beating, has lived through that period and is untouched.
    const a = await getNode('node-a');
    expect(readyOf(a)).toBe('True');
    expect(a.spec.taints ?? []).toEqual([]);
  });
});
