// What the controller's IPAM reconcilers share during one leadership term: the allocator and the last
// configuration applied to it. Nothing here outlives the term: a new leader rebuilds it from the cluster.
import type { ClusterResources } from '../../config/resources';
import type { BuildResult, Config } from '../../config/types';
import type { EventType } from '../../kube/events';
import type { KubeObject } from '../../kube/object';
import { Service } from '../../api/service';
import { Allocator } from '../allocator/allocator';

export interface ServiceCache {
  get(key: string): Service | undefined;
  list(): readonly Service[];
}

export interface Recorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export type ConfigBuilder = (resources: ClusterResources) => BuildResult;

export class IpamState {
  readonly allocator = new Allocator();
  /** The configuration the allocator holds; undefined until one has loaded. */
  config: Config | undefined;
  /** True once the allocator holds every existing assignment and Services are being served. */
  synced = false;
  /** Pools backed by an IPAddressPool object (legacy AddressPools have no status to write). */
  statusPools: ReadonlySet<string> = new Set();
}

/**
 * Runs tasks one at a time, in call order. The pool and Service reconcilers both change the allocator and
 * await API writes in between; like upstream's one listener mutex (internal/k8s/listener.go), this keeps a
 * configuration reload from landing in the middle of a Service's pass. The status reconcilers only read,
 * and stay outside it.
 */
export class Serial {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** A write refused because this controller no longer holds the Lease. */
export class LeadershipLostError extends Error {
  override readonly name = 'LeadershipLostError';
  constructor(what: string) {
    super(`not the leader any more, not writing ${what}`);
  }
}
