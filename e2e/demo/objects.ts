// The sample objects `make demo` applies, as plain data: what a MetalLB user would write for this network
// (the world's suggested L2 pool, an L2Advertisement, a BGP session to the world's router), plus a backend
// Deployment and the LoadBalancer Service in front of it.
import * as path from 'node:path';
import type { KubeObject } from '../../kube/object';
import { addServiceAddress, type World } from '../harness/net';
import { METALLB_NAMESPACE as NS } from '../install/manifest';

/** A manifest document: what any object has, plus its kind's own fields. */
export type Doc = KubeObject & { readonly [field: string]: unknown };

export const ROUTER_ASN = 64512;
export const CLUSTER_ASN = 64513;
export const DEMO_NAMESPACE = 'default';
export const DEMO_SERVICE = 'demo';
/** The demo's second Service, addressed from bgp-pool and reachable only through the router. */
export const DEMO_BGP_SERVICE = 'demo-bgp';
export const BACKEND_PORT = 8080;

/** The Layer 2 half: `lan-pool` (both families, on the nodes' segment) and an L2Advertisement for it. */
export function l2Objects(addresses: readonly string[]): Doc[] {
  return [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'lan-pool', namespace: NS },
      spec: { addresses: [...addresses] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'lan', namespace: NS },
      spec: { ipAddressPools: ['lan-pool'] },
    },
  ];
}

/**
 * Two pools, as the world suggests them: `lan-pool` on the nodes' segment, announced by L2 (both families), and
 * `bgp-pool` reachable only through the router, announced by BGP. The demo keeps BGP to IPv4 (one session per
 * node); ironlb's native speaker also announces IPv6 over IPv6 sessions (e2e/install/bgp.e2e.test.ts).
 */
export function metallbObjects(
  pools: { readonly l2: readonly string[]; readonly bgp: readonly string[] },
  routerIPv4: string,
): Doc[] {
  return [
    ...l2Objects(pools.l2),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'bgp-pool', namespace: NS },
      // Not chosen by Services that ask for no pool: the demo Service should land on the lan.
      spec: { addresses: pools.bgp.filter((p) => !p.includes(':')), autoAssign: false },
    },
    {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'router', namespace: NS },
      spec: { myASN: CLUSTER_ASN, peerASN: ROUTER_ASN, peerAddress: routerIPv4 },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'bgp', namespace: NS },
      spec: { ipAddressPools: ['bgp-pool'] },
    },
  ];
}

/**
 * The HTTP backend of the traffic tests (e2e/harness/net/backend/backend.main.ts: answers with the node's name), run
 * as a Deployment by the process kubelet; the hostPort makes the scheduler put one replica on each node. The
 * Service is dual-stack and its port is the backend's own: the harness has no kube-proxy, so what stands in for
 * it (the Service's addresses on every node's `lo`, as kube-proxy's IPVS mode binds them; see
 * exposeServiceOnNodes) delivers a packet for EXTERNAL-IP:8080 to the node's local backend on 8080, with no
 * port translation.
 */
export function backendObjects(
  replicas: number,
  options: { readinessProbe?: boolean; nodeSelector?: Readonly<Record<string, string>> } = {},
): Doc[] {
  // The probe is what a user writes; a bench that measures the speaker leaves it out, because on a loaded
  // machine a late probe flips every EndpointSlice and the speakers rightly withdraw and re-announce.
  const probe = options.readinessProbe ?? true;
  const script = path.join(__dirname, '..', 'harness', 'net', 'backend', 'backend.main.ts');
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'demo', namespace: DEMO_NAMESPACE, labels: { app: 'demo' } },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'demo' } },
        template: {
          metadata: { labels: { app: 'demo' } },
          spec: {
            terminationGracePeriodSeconds: 2,
            automountServiceAccountToken: false,
            ...(options.nodeSelector === undefined ? {} : { nodeSelector: options.nodeSelector }),
            containers: [
              {
                name: 'web',
                image: 'ironlb.test/node',
                args: [script, '--name', '$(NODE_NAME)', '--port', String(BACKEND_PORT)],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'http', containerPort: BACKEND_PORT, hostPort: BACKEND_PORT }],
                ...(probe ? { readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 2 } } : {}),
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: DEMO_SERVICE, namespace: DEMO_NAMESPACE },
      spec: {
        type: 'LoadBalancer',
        ipFamilyPolicy: 'RequireDualStack',
        ipFamilies: ['IPv4', 'IPv6'],
        selector: { app: 'demo' },
        ports: [{ name: 'http', port: BACKEND_PORT, targetPort: 'http' }],
      },
    },
  ];
}

/** The BGP half of the demo: the backends again, behind an IPv4 address from bgp-pool. */
export function bgpServiceObject(): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: DEMO_BGP_SERVICE,
      namespace: DEMO_NAMESPACE,
      annotations: { 'metallb.io/address-pool': 'bgp-pool' },
    },
    spec: {
      type: 'LoadBalancer',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
      selector: { app: 'demo' },
      ports: [{ name: 'http', port: BACKEND_PORT, targetPort: 'http' }],
    },
  };
}

/**
 * kube-proxy's part, which the harness lacks: the Service's addresses on the `lo` of every node, hidden from
 * ARP (e2e/harness/net/backend), so a node accepts traffic for them and hands it to its local backend, while
 * only the speaker's ARP/NDP answers make them reachable on the segment.
 */
export async function exposeServiceOnNodes(world: World, ips: readonly string[]): Promise<void> {
  for (const n of world.nodes) for (const ip of ips) await addServiceAddress(world, n.role, ip);
}
