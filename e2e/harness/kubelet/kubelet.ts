// The process kubelet: watches the Pods bound to its node and runs each container as a local process (see
// podworker.ts), writing pod status back as a kubelet does. It acts as system:node:<name>, so the Node
// authorizer and NodeRestriction decide what it may read and write, as in a cluster. Level-triggered: every
// event only enqueues the pod's key, and sync(key) converges the processes and the status on what the API holds.
//
// Harness limitations, as a reader of a manifest needs to know them: there is no container runtime, so every pod
// runs in its node's network namespace (hostNetwork or not: two pods of a node cannot both bind one port) and on
// the host's filesystem. Secret, configMap and emptyDir volumes are written under the pod's directory, and paths
// the container spec gives at or below a volumeMount's mountPath are rewritten to them (volumes.ts); other
// volume kinds keep the pod from starting. Capabilities are those of root: securityContext is not applied.
import * as path from 'node:path';
import { isConflict, isNotFound } from '../../../kube/errors';
import { CONTENT_TYPE } from '../../../kube/rest';
import type { ControlPlane } from '../controlplane';
import { restClient, type HarnessRestClient } from '../kubeconfig';
import { log } from '../log';
import { canIsolateMounts } from './mountns';
import { restartBackoffOptions, type RestartBackoffOptions } from './backoff';
import { startKubeletEndpoint, type KubeletEndpoint } from './endpoint';
import { defaultImageTable, type ImageTable } from './images';
import { isTerminal, podKey, podListSchema, podSchema, type Pod } from './pod';
import { PodWorker } from './podworker';
import { loopbackRuntime, netnsRuntime, type ProcessRuntime } from './runtime';
import type { LogSource } from './server';
import { podStatus } from './status';
import { listWatch } from './watch';

export interface KubeletNode {
  name: string;
  ipv4: string;
  ipv6?: string;
  /** World mode: the node's network namespace; containers and probes run inside it. */
  netns?: string;
  /**
   * Port of the kubelet's HTTPS endpoint (default 10250). In loopback placement every node shares 127.0.0.1, so
   * each needs its own (freePorts); give the SimNode the same spec so the Node object advertises it.
   */
  kubeletPort?: number;
}

export interface KubeletOptions {
  /** Image name → local entry point (default: defaultImageTable()). */
  images?: ImageTable;
  /** Closed by stop(). Default: netnsRuntime(node.netns) when the node has a namespace, else loopbackRuntime(). */
  runtime?: ProcessRuntime;
  /** Default: <control plane run dir>/kubelet/<node>. */
  runDir?: string;
  /**
   * Crash-loop back-off of restarted containers; unset fields keep the kubelet's (an immediate first restart,
   * then 10 s doubling to 300 s, reset after 10 minutes of running). Tests that wait for several restarts ask
   * for a fast one, e.g. { initialMs: 200, maxMs: 1_000 }.
   */
  restartBackoff?: Partial<RestartBackoffOptions>;
  /**
   * Run each container in a private mount namespace with its volumes at their mountPaths (mountns.ts).
   * Default: when running as root; false keeps the path rewriting of volumes.ts.
   */
  isolateMounts?: boolean;
}

const SYNC_RETRY_MS = 1_000;
const FIRST_LIST_TIMEOUT_MS = 30_000;

/** An error message cut to a log-friendly length (API errors can echo whole objects). */
function brief(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 600 ? `${msg.slice(0, 600)}...` : msg;
}

/** Times and other fields that change on every write; a status differing only in these is not re-sent. */
function statusSignature(status: Record<string, unknown>): string {
  return JSON.stringify(status, (k, v: unknown) =>
    ['lastTransitionTime', 'lastProbeTime', 'startedAt', 'finishedAt', 'startTime'].includes(k)
      ? undefined
      : v,
  );
}

export class Kubelet {
  private readonly pods = new Map<string, Pod>();
  private readonly workers = new Map<string, PodWorker>();
  private readonly syncs = new Map<string, { dirty: boolean }>();
  private readonly written = new Map<string, string>();
  /** Last uid seen per pod key, so logs stay findable after the pod is gone. */
  private readonly uids = new Map<string, string>();
  private abort = new AbortController();
  private watching: Promise<void> = Promise.resolve();
  private endpoint: KubeletEndpoint | undefined;
  private dead = false;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly cp: ControlPlane,
    readonly node: KubeletNode,
    private readonly api: HarnessRestClient,
    private readonly runtime: ProcessRuntime,
    private readonly images: ImageTable,
    private readonly restartBackoff: RestartBackoffOptions,
    private readonly isolateMounts: boolean,
    readonly runDir: string,
  ) {}

  /**
   * Starts watching the node's pods and serving the kubelet endpoint; resolves once the first list has been
   * processed.
   */
  static async start(cp: ControlPlane, node: KubeletNode, opts: KubeletOptions = {}): Promise<Kubelet> {
    const creds = await cp.issueCredentials(`system:node:${node.name}`, ['system:nodes']);
    const runDir = opts.runDir ?? path.join(cp.runDir, 'kubelet', node.name);
    const runtime =
      opts.runtime ?? (node.netns !== undefined ? netnsRuntime(node.netns, runDir) : loopbackRuntime());
    const k = new Kubelet(
      cp,
      node,
      restClient(creds, `ironlb-e2e-kubelet/${node.name}`),
      runtime,
      opts.images ?? defaultImageTable(),
      restartBackoffOptions(opts.restartBackoff),
      opts.isolateMounts ?? canIsolateMounts(),
      runDir,
    );
    try {
      await k.run();
    } catch (err) {
      await k.stop();
      throw err;
    }
    return k;
  }

  /** The port the kubelet endpoint listens on (in the node's namespace, or on 127.0.0.1 in loopback). */
  get port(): number | undefined {
    return this.endpoint?.port;
  }

  private async run(): Promise<void> {
    const node = this.node;
    let listed: () => void = () => undefined;
    const firstList = new Promise<void>((r) => {
      listed = r;
    });
    this.watching = listWatch(
      {
        client: this.api,
        config: this.api.config,
        path: '/api/v1/pods',
        // The Node authorizer only lets a node list/watch pods with exactly this selector.
        query: { fieldSelector: `spec.nodeName=${node.name}` },
        parseList: (raw) => {
          const l = podListSchema.parse(raw);
          return { resourceVersion: l.metadata.resourceVersion, items: l.items };
        },
        parseItem: (raw) => podSchema.parse(raw),
        onResync: (items) => {
          const seen = new Set(items.map(podKey));
          for (const key of [...this.pods.keys(), ...this.workers.keys()])
            if (!seen.has(key)) this.pods.delete(key);
          for (const pod of items) this.pods.set(podKey(pod), pod);
          for (const key of new Set([...seen, ...this.workers.keys()])) this.enqueue(key);
          listed();
        },
        onChange: (type, pod) => {
          const key = podKey(pod);
          if (type === 'DELETED') this.pods.delete(key);
          else this.pods.set(key, pod);
          this.enqueue(key);
        },
      },
      this.abort.signal,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), FIRST_LIST_TIMEOUT_MS);
    });
    const first = await Promise.race([firstList, timeout]);
    clearTimeout(timer);
    if (first === 'timeout') {
      throw new Error(
        `kubelet ${node.name}: could not list its pods within ${FIRST_LIST_TIMEOUT_MS}ms (see harness warnings)`,
      );
    }
    this.endpoint = await startKubeletEndpoint(
      this.cp,
      node,
      this.runtime,
      this.runDir,
      (ns, pod, container) => this.logSource(ns, pod, container),
    );
  }

  private logSource(namespace: string, name: string, container: string): LogSource | undefined {
    const key = `${namespace}/${name}`;
    const pod = this.pods.get(key) ?? undefined;
    const file = this.logOf(namespace, name, container);
    if (file === undefined) return undefined;
    if (pod !== undefined && !pod.spec.containers.some((c) => c.name === container)) return undefined;
    return { file, running: () => this.workers.get(key)?.isRunning(container) === true };
  }

  /** PIDs of every running container process on this node. */
  pids(): number[] {
    return [...this.workers.values()].flatMap((w) => w.pids());
  }

  /** Whether the kubelet was killed (kill()) and not restarted. */
  get isDead(): boolean {
    return this.dead;
  }

  /** PIDs of the running container processes of pod namespace/name. */
  pidsOf(namespace: string, name: string): number[] {
    return this.workers.get(`${namespace}/${name}`)?.pids() ?? [];
  }

  /** The log file (stdout and stderr) of a container of pod namespace/name, while the kubelet knows the pod. */
  logOf(namespace: string, name: string, container: string): string | undefined {
    const uid = this.uids.get(`${namespace}/${name}`);
    return uid === undefined ? undefined : path.join(this.podDir(uid), 'logs', `${container}.log`);
  }

  private podDir(uid: string): string {
    return path.join(this.runDir, 'pods', uid);
  }

  private enqueue(key: string): void {
    if (this.abort.signal.aborted) return;
    const running = this.syncs.get(key);
    if (running !== undefined) {
      running.dirty = true;
      return;
    }
    const entry = { dirty: true };
    this.syncs.set(key, entry);
    void (async () => {
      while (entry.dirty && !this.abort.signal.aborted) {
        entry.dirty = false;
        try {
          await this.sync(key);
        } catch (err) {
          log.warn(`kubelet ${this.node.name}: sync ${key}: ${brief(err)}`);
          setTimeout(() => this.enqueue(key), SYNC_RETRY_MS).unref();
        }
      }
      this.syncs.delete(key);
    })();
  }

  private async sync(key: string): Promise<void> {
    // A dead kubelet does nothing, not even a sync that was already under way.
    if (this.dead) return;
    const pod = this.pods.get(key);
    let worker = this.workers.get(key);
    if (pod === undefined) {
      // Gone from the API (deleted with grace 0 by someone, or by us): make sure nothing of it runs.
      if (worker !== undefined) await worker.terminate(0);
      this.workers.delete(key);
      this.written.delete(key);
      return;
    }
    if (worker !== undefined && worker.uid !== pod.metadata.uid) {
      await worker.terminate(0);
      this.workers.delete(key);
      this.written.delete(key);
      worker = undefined;
    }
    if (pod.metadata.deletionTimestamp !== undefined) {
      if (worker !== undefined) {
        await worker.terminate(
          pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30,
        );
        // Best effort: the final status must not hold up the deletion.
        await this.writeStatus(key, pod, worker).catch((err: unknown) =>
          log.warn(`kubelet ${this.node.name}: final status of ${key}: ${brief(err)}`),
        );
      }
      await this.confirmDeletion(pod);
      return;
    }
    if (worker === undefined) {
      if (isTerminal(pod) || this.dead) return;
      worker = new PodWorker(pod, {
        client: this.api,
        runtime: this.runtime,
        images: this.images,
        caPem: this.cp.caPem,
        apiserver: this.cp.inClusterApiserver,
        net: {
          podIPs: [this.node.ipv4, ...(this.node.ipv6 !== undefined ? [this.node.ipv6] : [])],
          hostIPs: [this.node.ipv4, ...(this.node.ipv6 !== undefined ? [this.node.ipv6] : [])],
        },
        podDir: this.podDir(pod.metadata.uid),
        changed: () => this.enqueue(key),
        restartBackoff: this.restartBackoff,
        isolateMounts: this.isolateMounts,
      });
      this.workers.set(key, worker);
      this.uids.set(key, pod.metadata.uid);
      await worker.start();
    } else {
      worker.update(pod);
    }
    await this.writeStatus(key, pod, worker);
  }

  private async writeStatus(key: string, pod: Pod, worker: PodWorker): Promise<void> {
    if (this.dead) return;
    const status = podStatus(worker.view(), Date.now());
    const sig = statusSignature(status);
    if (this.written.get(key) === sig) return;
    try {
      await this.api.request({
        method: 'PATCH',
        path: `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
        contentType: CONTENT_TYPE.mergePatch,
        // The uid precondition keeps a late write from landing on a new pod with the same name.
        body: { metadata: { uid: pod.metadata.uid }, status },
      });
      this.written.set(key, sig);
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** The kubelet's half of graceful deletion: once the processes are gone, remove the object for good. */
  private async confirmDeletion(pod: Pod): Promise<void> {
    try {
      await this.api.request({
        method: 'DELETE',
        path: `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`,
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /**
   * The kubelet dies with its node: it stops watching and serving, every container process gets SIGKILL at once,
   * and nothing of it writes to the API any more. Pods stay bound to the node. restart() brings it back.
   */
  async kill(): Promise<void> {
    if (this.dead || this.stopping !== undefined) return;
    this.dead = true;
    this.abort.abort();
    await Promise.all([...this.workers.values()].map((w) => w.kill()));
    await this.watching;
    await this.endpoint?.close();
    this.endpoint = undefined;
  }

  /**
   * A killed kubelet starts again, as after a node reboot: it forgets every process it ran, lists its pods and
   * starts their containers anew, and serves its endpoint on the same port.
   */
  async restart(): Promise<void> {
    if (!this.dead) throw new Error(`kubelet ${this.node.name}: restart() after kill() only`);
    if (this.stopping !== undefined) throw new Error(`kubelet ${this.node.name} is stopped`);
    this.pods.clear();
    this.workers.clear();
    this.syncs.clear();
    this.written.clear();
    this.abort = new AbortController();
    this.dead = false;
    await this.run();
  }

  /**
   * Stops watching and ends every container process (SIGTERM, then SIGKILL after `graceMs`). Pods stay in the
   * API, as they do when a kubelet dies. Idempotent.
   */
  stop(graceMs = 5_000): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      await this.watching;
      await Promise.all([...this.workers.values()].map((w) => w.terminate(graceMs / 1000)));
      await this.endpoint?.close();
      this.endpoint = undefined;
      await this.runtime.close();
      this.api.close();
    })();
    return this.stopping;
  }
}
