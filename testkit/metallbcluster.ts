// Shared steps of the controller's integration tests: a control plane with the metallb.io CRDs and the
// MetalLB namespace, and small typed reads of what the controller wrote.
import { startControlPlane, type ControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { applyCrds } from '../e2e/install/manifest';
import { waitFor } from '../e2e/harness/readiness';
import { isAlreadyExists, isNotFound } from '../kube/errors';
import { readService as readNamespacedService, type ServiceAddresses } from './servicereader';

export const NS = 'metallb-system';

export interface Cluster {
  readonly cp: ControlPlane;
  readonly api: HarnessRestClient;
}

export async function startCluster(serviceCidrs?: string[]): Promise<Cluster> {
  const cp = await startControlPlane({ scheduler: false, ...(serviceCidrs ? { serviceCidrs } : {}) });
  const api = cp.adminClient();
  await create(api, '/api/v1/namespaces', { metadata: { name: NS } });
  await applyCrds(api, NS);
  return { cp, api };
}

export async function stopCluster(c: Cluster | undefined): Promise<void> {
  if (!c) return;
  c.api.close();
  await c.cp.stop();
}

export function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  return waitFor(
    what,
    async () => {
      try {
        return await check();
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
    { timeoutMs },
  );
}

export async function create(
  api: HarnessRestClient,
  collection: string,
  body: Record<string, unknown>,
): Promise<void> {
  try {
    await api.request({ method: 'POST', path: collection, body });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

export const poolPath = (name = '') =>
  `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools${name ? `/${name}` : ''}`;
/** A metallb.io collection (or one object) in the MetalLB namespace; BGPPeer at v1beta2, the rest v1beta1. */
export const metallbPath = (kind: string, name = '') =>
  `/apis/metallb.io/${kind === 'bgppeers' ? 'v1beta2' : 'v1beta1'}/namespaces/${NS}/${kind}${name ? `/${name}` : ''}`;

export interface BGPStatusItem {
  metadata: { labels: Record<string, string> };
  status: { node: string; serviceName: string; peers?: string[] };
}

/** Every ServiceBGPStatus in the MetalLB namespace. */
export async function bgpStatuses(api: HarnessRestClient): Promise<BGPStatusItem[]> {
  return (
    (await api.request({ method: 'GET', path: metallbPath('servicebgpstatuses') })) as {
      items: BGPStatusItem[];
    }
  ).items;
}

export const servicePath = (name = '') => `/api/v1/namespaces/default/services${name ? `/${name}` : ''}`;

export function lbService(
  name: string,
  annotations: Record<string, string> = {},
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }], ...spec },
  };
}

/**
 * A LoadBalancer Service in the default namespace as the controller would leave it: `ip` in its status, and
 * one ready endpoint on `nodeName`, so a speaker announces it without a controller running.
 */
export async function createAssignedService(
  api: HarnessRestClient,
  name: string,
  ip: string,
  nodeName: string,
): Promise<void> {
  await create(api, servicePath(), lbService(name));
  await api.request({
    method: 'PATCH',
    path: `${servicePath(name)}/status`,
    contentType: 'application/merge-patch+json',
    body: { status: { loadBalancer: { ingress: [{ ip }] } } },
  });
  await create(api, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['203.0.113.10'], nodeName, conditions: { ready: true } }],
  });
}

/** A Service in the default namespace, as the controller's integration tests create them. */
export function readService(api: HarnessRestClient, name: string): Promise<ServiceAddresses> {
  return readNamespacedService(api, 'default', name);
}

export async function waitForIPs(api: HarnessRestClient, name: string, count = 1): Promise<string[]> {
  let ips: string[] = [];
  await eventually(`service ${name} has ${count} address(es)`, async () => {
    ips = (await readService(api, name)).ips;
    return ips.length === count;
  });
  return ips;
}
