// An in-memory world for the IPAM reconcilers' tests: a Service cache that the fake writer updates the way
// the API server and the watch would, a recorder that keeps events, and the four reconcilers' queues, drained
// by hand in the order keys were added (each queue coalescing its own keys, as the work queue does).
import { buildConfig } from '../config/build';
import type { ClusterResources } from '../config/resources';
import type { EventType } from '../kube/events';
import type { KubeObject } from '../kube/object';
import { silentLogger } from '../kube/log';
import { PoolCounts } from '../controller/allocator/poolspace';
import { Service, serviceKey } from '../api/service';
import { Ipam } from '../controller/reconciler/ipam';
import type { ServiceWriter } from '../controller/reconciler/serviceapi';

export class FakeWorld implements ServiceWriter {
  readonly services = new Map<string, Service>();
  readonly events: string[] = [];
  /** Pending keys, "<queue> <key>", in the order they were added. */
  readonly queue = new Set<string>();
  /** Services each reconcile pass looked at, in order. */
  readonly serviceReconciles: string[] = [];
  readonly poolStatus = new Map<string, PoolCounts>();
  readonly configStates: string[][] = [];
  resources: ClusterResources = {};
  failWrites = false;
  /** False: writes succeed but the cache does not show them yet (a lagging watch). */
  applyWrites = true;
  writes = 0;
  private rv = 1;
  readonly ipam: Ipam;

  constructor(lbClass = '') {
    this.ipam = new Ipam({
      namespace: 'metallb-system',
      lbClass,
      services: { get: (k) => this.services.get(k), list: () => [...this.services.values()] },
      configResources: () => this.resources,
      build: (r) => buildConfig(r),
      writer: this,
      recorder: {
        event: (obj: KubeObject, type: EventType, reason: string, message: string) =>
          this.events.push(`${obj.metadata?.name ?? ''} ${type} ${reason}: ${message}`),
      },
      logger: silentLogger(),
      queues: {
        service: (key) => this.queue.add(`service ${key}`),
        pools: () => this.queue.add('pools '),
        poolStatus: (pool) => this.queue.add(`poolStatus ${pool}`),
        configState: () => this.queue.add('configState '),
      },
      poolStatus: { writePoolStatus: async (_ns, pool, counts) => void this.poolStatus.set(pool, counts) },
      configState: {
        writeConfigState: async (_ns, report) => void this.configStates.push([...report.errors]),
      },
    });
  }

  put(svc: Service): void {
    this.services.set(serviceKey(svc), {
      ...svc,
      metadata: { ...svc.metadata, resourceVersion: String(this.rv++) },
    });
    this.queue.add(`service ${serviceKey(svc)}`);
  }

  remove(key: string): void {
    this.services.delete(key);
    this.queue.add(`service ${key}`);
  }

  /** A config object changed: the pool reconciler's key is queued. */
  reloadConfig(): void {
    this.queue.add('pools ');
  }

  /** Runs queued keys until nothing is left, as a single worker would. */
  async drain(): Promise<void> {
    for (let rounds = 0; this.queue.size > 0; rounds++) {
      if (rounds > 10_000) throw new Error('queue never drains');
      const [entry] = this.queue;
      if (entry === undefined) break;
      this.queue.delete(entry);
      const space = entry.indexOf(' ');
      const [queue, key] = [entry.slice(0, space), entry.slice(space + 1)];
      if (queue === 'service') this.serviceReconciles.push(key);
      if (queue === 'service') await this.ipam.services.reconcile(key);
      else if (queue === 'pools') await this.ipam.pools.reconcile();
      else if (queue === 'poolStatus') await this.ipam.poolStatus.reconcile(key);
      else await this.ipam.configState.reconcile();
    }
  }

  ingressOf(key: string): string[] {
    return (this.services.get(key)?.status?.loadBalancer?.ingress ?? []).flatMap((e) => (e.ip ? [e.ip] : []));
  }

  async writeIngress(svc: Service, ingress: readonly { readonly ip: string }[]): Promise<void> {
    if (this.failWrites) throw new Error('apiserver unavailable');
    this.update(svc, (s) => ({
      ...s,
      status: { loadBalancer: { ingress: ingress.map((e) => ({ ...e })) } },
    }));
  }

  async patchAnnotations(svc: Service, patch: Readonly<Record<string, string | null>>): Promise<void> {
    if (this.failWrites) throw new Error('apiserver unavailable');
    this.update(svc, (s) => {
      const annotations = { ...(s.metadata.annotations ?? {}) };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete annotations[k];
        else annotations[k] = v;
      }
      return { ...s, metadata: { ...s.metadata, annotations } };
    });
  }

  private update(svc: Service, change: (s: Service) => Service): void {
    this.writes++;
    if (!this.applyWrites) return;
    const key = serviceKey(svc);
    const current = this.services.get(key);
    if (!current) throw new Error(`service ${key} not found`);
    const next = change(current);
    this.services.set(key, { ...next, metadata: { ...next.metadata, resourceVersion: String(this.rv++) } });
    this.queue.add(`service ${key}`);
  }
}
