// An in-memory world for IpamReconciler tests: a Service cache that the fake writer updates the way the
// API server and the watch would, a recorder that keeps events, and a queue drained by hand.
import { buildConfig } from '../config/build';
import type { ClusterResources } from '../config/resources';
import type { EventType } from '../kube/events';
import type { KubeObject } from '../kube/object';
import { silentLogger } from '../kube/log';
import { PoolCounts } from '../controller/allocator/poolspace';
import { Service, serviceKey } from '../api/service';
import { IpamReconciler } from '../controller/reconciler/ipam';
import type { ServiceWriter } from '../controller/reconciler/serviceapi';

export class FakeWorld implements ServiceWriter {
  readonly services = new Map<string, Service>();
  readonly events: string[] = [];
  readonly queue = new Set<string>();
  readonly poolStatus = new Map<string, PoolCounts>();
  readonly configStates: string[][] = [];
  resources: ClusterResources = {};
  failWrites = false;
  /** False: writes succeed but the cache does not show them yet (a lagging watch). */
  applyWrites = true;
  writes = 0;
  private rv = 1;
  readonly ipam: IpamReconciler;

  constructor(lbClass = '') {
    this.ipam = new IpamReconciler({
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
      enqueue: (k) => this.queue.add(k),
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
    this.queue.add(serviceKey(svc));
  }

  remove(key: string): void {
    this.services.delete(key);
    this.queue.add(key);
  }

  /** Runs queued keys until nothing is left, as a single worker would. */
  async drain(): Promise<void> {
    for (let rounds = 0; this.queue.size > 0; rounds++) {
      if (rounds > 10_000) throw new Error('queue never drains');
      const [key] = this.queue;
      if (key === undefined) break;
      this.queue.delete(key);
      await this.ipam.reconcile(key);
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
    this.queue.add(key);
  }
}
