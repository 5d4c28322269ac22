// Simulated nodes: the Node object and the heartbeats a kubelet keeps up, without a kubelet. Each node registers
// itself with its own identity (system:node:<name> in system:nodes), so the Node authorizer and the
// NodeRestriction admission plugin judge it exactly as they judge a real kubelet, and it renews a Lease in
// kube-node-lease plus its Ready condition so kube-controller-manager's node lifecycle controller sees a
// healthy node. stop() ends the heartbeat, and the controller then marks the node unreachable after its grace
// period, as it would for a crashed kubelet.
import { z } from 'zod';
import { isAlreadyExists, isConflict, isNotFound } from '../../kube/errors';
import { CONTENT_TYPE, type RestClient } from '../../kube/rest';
import { formatMicroTime, formatTime } from '../../kube/timefmt';
import { assertTestIp } from './cidr';
import type { ControlPlane } from './controlplane';
import { restClient, type Credentials, type HarnessRestClient } from './kubeconfig';
import { log } from './log';

export interface SimNodeSpec {
  name: string;
  /** The node's InternalIP addresses (its address on the simulated L2 network in world mode). */
  ipv4: string;
  ipv6?: string;
  labels?: Record<string, string>;
  /** The node's network namespace (world mode); absent in loopback mode. */
  netns?: string;
  /** Port of the node's kubelet endpoint (status.daemonEndpoints.kubeletEndpoint.Port; default 10250). */
  kubeletPort?: number;
  /**
   * Where the kubelet endpoint is reached when that is none of the InternalIPs, reported as the ExternalIP.
   * SimNode.start sets 127.0.0.1 in loopback placement, where the nodes' addresses exist nowhere.
   */
  kubeletAddress?: string;
}

export interface HeartbeatOptions {
  /** Lease spec.leaseDurationSeconds (kubelet default 40). */
  leaseDurationSeconds?: number;
  /** How often the Lease is renewed (kubelet: a quarter of the duration, 10 s). */
  renewIntervalMs?: number;
  /** How often the Ready condition's heartbeat time is refreshed (kubelet nodeStatusUpdateFrequency, 10 s). */
  statusIntervalMs?: number;
}

const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const nodeUidSchema = z.looseObject({ metadata: z.looseObject({ uid: z.string() }) });

function nodeAddresses(spec: SimNodeSpec): { type: string; address: string }[] {
  const internal = [spec.ipv4, ...(spec.ipv6 !== undefined ? [spec.ipv6] : [])];
  const external =
    spec.kubeletAddress !== undefined && !internal.includes(spec.kubeletAddress) ? [spec.kubeletAddress] : [];
  return [
    ...internal.map((address) => ({ type: 'InternalIP', address })),
    ...external.map((address) => ({ type: 'ExternalIP', address })),
    { type: 'Hostname', address: spec.name },
  ];
}

function conditions(now: number): Record<string, string>[] {
  const t = formatTime(now);
  const c = (type: string, status: string, reason: string, message: string): Record<string, string> => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'ironlb e2e simulated node is posting ready status'),
  ];
}

/** The Node status a simulated node reports; pure so its shape is unit-tested. */
export function nodeStatus(spec: SimNodeSpec, now: number): Record<string, unknown> {
  const resources = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '20Gi' };
  return {
    addresses: nodeAddresses(spec),
    capacity: resources,
    allocatable: resources,
    conditions: conditions(now),
    daemonEndpoints: { kubeletEndpoint: { Port: spec.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: 'ironlb simulated node',
      containerRuntimeVersion: 'ironlb-process://0.1.0',
      kubeletVersion: 'v0.0.0-ironlb-e2e',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The Node object a simulated node registers. */
export function nodeObject(spec: SimNodeSpec, now: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...spec.labels,
      },
    },
    spec: {},
    status: nodeStatus(spec, now),
  };
}

/** A registered node that keeps its heartbeat up until stop(). */
export class SimNode {
  private leaseTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Heartbeat failures since the last success (logged, never thrown: a real kubelet keeps trying). */
  failures = 0;

  private constructor(
    readonly spec: SimNodeSpec,
    private readonly credentials: Credentials,
    private api: HarnessRestClient,
    private readonly opts: Required<HeartbeatOptions>,
  ) {}

  /** Registers the node with its own credentials (create, or take over an existing object) and starts beating. */
  static async start(cp: ControlPlane, spec: SimNodeSpec, opts: HeartbeatOptions = {}): Promise<SimNode> {
    assertTestIp(spec.ipv4);
    if (spec.ipv6 !== undefined) assertTestIp(spec.ipv6);
    const creds = await cp.issueCredentials(`system:node:${spec.name}`, ['system:nodes']);
    const full: SimNodeSpec =
      cp.placement === 'loopback' && spec.kubeletAddress === undefined
        ? { ...spec, kubeletAddress: '127.0.0.1' }
        : spec;
    const node = new SimNode(full, creds, restClient(creds, `ironlb-e2e-node/${spec.name}`), {
      leaseDurationSeconds: opts.leaseDurationSeconds ?? 40,
      renewIntervalMs: opts.renewIntervalMs ?? 10_000,
      statusIntervalMs: opts.statusIntervalMs ?? 10_000,
    });
    try {
      await node.register();
      await node.renewLease();
    } catch (err) {
      node.api.close();
      throw err;
    }
    node.schedule();
    return node;
  }

  get name(): string {
    return this.spec.name;
  }

  /** The node's own API client (system:node:<name>); the process kubelet acts with it. */
  get client(): RestClient {
    return this.api;
  }

  private async register(): Promise<void> {
    const body = nodeObject(this.spec, Date.now());
    try {
      await this.api.request({ method: 'POST', path: '/api/v1/nodes', body });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Re-registration after a restart, as a kubelet does: keep the object, refresh its status.
    }
    await this.postStatus();
  }

  private async postStatus(): Promise<void> {
    await this.api.request({
      method: 'PATCH',
      path: `/api/v1/nodes/${this.spec.name}/status`,
      // A JSON merge patch replaces lists wholesale; a strategic one would merge addresses by `type` and reject
      // the second InternalIP of a dual-stack node as a duplicate.
      contentType: CONTENT_TYPE.mergePatch,
      body: { status: nodeStatus(this.spec, Date.now()) },
    });
  }

  private async renewLease(): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases/${this.spec.name}`;
    const spec = {
      holderIdentity: this.spec.name,
      leaseDurationSeconds: this.opts.leaseDurationSeconds,
      renewTime: formatMicroTime(Date.now()),
    };
    try {
      await this.api.request({ method: 'PATCH', path, contentType: CONTENT_TYPE.mergePatch, body: { spec } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // First beat: the Lease is owned by the Node (as the kubelet does), so deleting the Node removes it.
      const nodeRaw = await this.api.request({ method: 'GET', path: `/api/v1/nodes/${this.spec.name}` });
      const uid = nodeUidSchema.parse(nodeRaw).metadata.uid;
      try {
        await this.api.request({
          method: 'POST',
          path: `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: {
              name: this.spec.name,
              namespace: NODE_LEASE_NAMESPACE,
              ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.spec.name, uid }],
            },
            spec,
          },
        });
      } catch (createErr) {
        if (!isAlreadyExists(createErr) && !isConflict(createErr)) throw createErr;
      }
    }
  }

  private schedule(): void {
    const beat = (what: string, fn: () => Promise<void>): Promise<void> => {
      const run = this.inflight.then(async () => {
        if (this.stopped) return;
        try {
          await fn();
          this.failures = 0;
        } catch (err) {
          this.failures++;
          log.warn(
            `node ${this.spec.name}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      });
      this.inflight = run;
      return run;
    };
    const loop = (
      interval: number,
      what: string,
      fn: () => Promise<void>,
      set: (t: NodeJS.Timeout) => void,
    ): void => {
      const t = setTimeout(() => {
        void beat(what, fn).then(() => {
          if (!this.stopped) loop(interval, what, fn, set);
        });
      }, interval);
      t.unref();
      set(t);
    };
    loop(
      this.opts.renewIntervalMs,
      'lease renewal',
      () => this.renewLease(),
      (t) => (this.leaseTimer = t),
    );
    loop(
      this.opts.statusIntervalMs,
      'status update',
      () => this.postStatus(),
      (t) => (this.statusTimer = t),
    );
  }

  /** Whether the heartbeat is running. */
  get beating(): boolean {
    return !this.stopped;
  }

  /** After stop(): registers again and resumes the heartbeat, as a kubelet does when its node comes back. */
  async restart(): Promise<void> {
    if (!this.stopped) return;
    this.api = restClient(this.credentials, `ironlb-e2e-node/${this.spec.name}`);
    try {
      await this.register();
      await this.renewLease();
    } catch (err) {
      this.api.close();
      throw err;
    }
    this.stopped = false;
    this.schedule();
  }

  /** Ends the heartbeat (like a crashed kubelet); the Node object stays. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.leaseTimer);
    clearTimeout(this.statusTimer);
    await this.inflight;
    this.api.close();
  }
}

/** Deletes a Node object with admin rights (a node may not delete itself under NodeRestriction). */
export async function deleteNode(admin: RestClient, name: string): Promise<void> {
  try {
    await admin.request({ method: 'DELETE', path: `/api/v1/nodes/${name}` });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
