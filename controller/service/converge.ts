// convergeBalancer, as a function from (Service, allocator) to a decision: the ingress and pool annotation
// the Service should carry, the events to record, and whether other Services should be looked at again.
// The allocator is plain in-memory state, so this stays free of I/O; the reconciler writes what it returns.
// The order of checks follows upstream controller/service.go, because the order decides which event a
// user sees when several things are wrong at once.
import { IPAddress, formatIP, parseIP } from '../../addr/ip';
import { compareText } from '../../config/errors';
import { Allocator } from '../allocator/allocator';
import { AllocationResult } from '../allocator/types';
import { ALLOCATED_FROM_POOL } from '../../api/serviceannotations';
import { Parsed, ServiceFamily, ServiceRequest, deriveRequest, familyOf } from './request';
import { Service, ingressIPs } from '../../api/service';

export interface ServiceEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/**
 * keep: the Service keeps the addresses it has. allocate: it gets new ones. release: it loses them and
 * should have none (not a LoadBalancer any more). fail: it has none or keeps its status untouched, and
 * `reason` says why; it is looked at again when something changes (upstream SyncStateErrorNoRetry).
 */
export type ConvergeAction = 'keep' | 'allocate' | 'release' | 'fail';

export interface Decision {
  readonly action: ConvergeAction;
  /** The addresses status.loadBalancer.ingress should list, as text, in order. */
  readonly ingress: readonly string[];
  /** The metallb.io/ip-allocated-from-pool value; undefined means the annotation should be absent. */
  readonly pool: string | undefined;
  readonly events: readonly ServiceEvent[];
  readonly reason?: string;
  /** An address may have been freed or a sharing key changed: pending Services could now fit. */
  readonly reprocessAll: boolean;
}

/** Go's %q of a []net.IP: ["a" "b"]. */
const quoteList = (ips: readonly IPAddress[]): string =>
  `[${ips.map((ip) => JSON.stringify(formatIP(ip))).join(' ')}]`;
const goList = (items: readonly string[]): string => `[${items.join(' ')}]`;

class Working {
  ingress: string[];
  pool: string | undefined;
  readonly events: ServiceEvent[] = [];

  constructor(
    svc: Service,
    private readonly alloc: Allocator,
    private readonly key: string,
  ) {
    this.ingress = ingressIPs(svc);
    this.pool = svc.metadata.annotations?.[ALLOCATED_FROM_POOL];
  }

  /** clearServiceState: free the addresses and forget what we wrote. */
  clear(): void {
    this.alloc.unassign(this.key);
    this.ingress = [];
    this.pool = undefined;
  }

  event(type: ServiceEvent['type'], reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }
}

export interface ConvergeOptions {
  /** False when the config has no pools at all: every LoadBalancer Service is cleared. */
  readonly hasPools: boolean;
}

export function converge(svc: Service, alloc: Allocator, options: ConvergeOptions): Decision {
  const req = deriveRequest(svc);
  const before = alloc.allocation(req.key);
  const originalIngress = ingressIPs(svc);
  const w = new Working(svc, alloc, req.key);
  const result = run(svc, req, alloc, w, options);
  const after = alloc.allocation(req.key);
  const sameAddresses =
    before !== undefined &&
    after !== undefined &&
    before.ips.length === after.ips.length &&
    before.ips.every((ip, i) => formatIP(ip) === (after.ips[i] ? formatIP(after.ips[i]) : ''));
  const reprocessAll =
    before !== undefined &&
    (!sameAddresses || before.sharingKey !== after?.sharingKey || before.backendKey !== after?.backendKey);
  let action: ConvergeAction;
  if (!result.ok) action = 'fail';
  else if (w.ingress.length === 0) action = 'release';
  else if (
    w.ingress.length === originalIngress.length &&
    w.ingress.every((ip, i) => ip === originalIngress[i])
  ) {
    action = 'keep';
  } else action = 'allocate';
  const decision: Decision = { action, ingress: w.ingress, pool: w.pool, events: w.events, reprocessAll };
  return result.ok ? decision : { ...decision, reason: result.reason };
}

type Step = { ok: true } | { ok: false; reason: string };
const failed = (reason: string): Step => ({ ok: false, reason });

function run(
  svc: Service,
  req: ServiceRequest,
  alloc: Allocator,
  w: Working,
  options: ConvergeOptions,
): Step {
  const key = req.key;
  if (svc.spec?.type !== 'LoadBalancer') {
    w.clear();
    return { ok: true };
  }
  if (!options.hasPools) {
    w.clear();
    return failed('pools are empty');
  }
  if (!req.hasClusterIP) {
    w.clear();
    return failed('No ClusterIPs');
  }
  const current = w.ingress.map((text) => parseIP(text));
  let lbIPs: IPAddress[] = current.flatMap((ip) => (ip ? [ip] : []));
  if (req.policy === 'RequireDualStack' && req.clusterIPs.length < 2) {
    w.event(
      'Warning',
      'not enough clusterips',
      `Service requires dual stack but not enough clusterips ${goList(req.clusterIPs)}`,
    );
    w.clear();
    return failed('requires dual stack but clusterips are not dual stack');
  }
  if (current.length === 0) {
    w.clear();
  } else {
    const lbFamily: Parsed<ServiceFamily> = current.some((ip) => ip === undefined)
      ? { ok: false, reason: `invalid address in ${goList(w.ingress.map((t) => JSON.stringify(t)))}` }
      : familyOf(lbIPs);
    if (!lbFamily.ok) {
      w.event(
        'Warning',
        'nolbIPsIPFamily',
        `Failed to retrieve LBIPs IPFamily for ${goList(w.ingress.map((t) => JSON.stringify(t)))}: ${lbFamily.reason}`,
      );
    }
    if (!req.clusterFamily.ok) {
      const spec = svc.spec;
      w.event(
        'Warning',
        'noclusterIPsIPFamily',
        `Failed to retrieve ClusterIPs IPFamily for ${goList(req.clusterIPs)} ${spec?.clusterIP ?? ''}: ${req.clusterFamily.reason}`,
      );
      return failed(req.clusterFamily.reason);
    }
    if (familyChanged(lbFamily, req.clusterFamily.value, req.policy)) {
      w.clear();
      lbIPs = [];
    }
  }

  if (lbIPs.length > 0) {
    // Idempotent when the config still allows the addresses; otherwise it says why not.
    const kept = alloc.assign(req.claim, lbIPs);
    if (!kept.ok) {
      w.event(
        'Normal',
        'ClearAssignment',
        `current IP for ${JSON.stringify(key)} not allowed by config, will attempt for new IP assignment: ${kept.error.message}`,
      );
      w.clear();
      lbIPs = [];
    }
    if (lbIPs.length > 0 && req.desiredPool !== '' && alloc.allocation(key)?.pool !== req.desiredPool) {
      w.clear();
      lbIPs = [];
    }
    if (!req.desiredIPs.ok) {
      w.event(
        'Warning',
        'LoadBalancerFailed',
        `invalid requested loadbalancer IPs: ${req.desiredIPs.reason}`,
      );
      return failed(req.desiredIPs.reason);
    }
    const desired = req.desiredIPs.value;
    if (desired && !sameIPSet(lbIPs, desired.ips)) {
      w.clear();
      lbIPs = [];
    }
  }

  const [only] = lbIPs;
  if (lbIPs.length === 1 && only && req.policy === 'PreferDualStack') {
    const pool = alloc.allocation(key)?.pool ?? '';
    const added = alloc.allocateAdditionalFamily(req.claim, only, pool);
    if (!added.ok) {
      w.event(
        'Normal',
        'AdditionalAssignFailed',
        `cannot assign additional IP in PreferDualStack: ${added.error.message}`,
      );
    } else {
      const extra = added.ips[1];
      if (extra) {
        lbIPs = [...added.ips];
        w.event('Normal', 'IPAllocated', `Assigned additional IP ${JSON.stringify(formatIP(extra))}`);
      }
    }
  }

  if (lbIPs.length === 0) {
    const got = allocateIPs(req, alloc);
    if (!got.ok) {
      w.event(
        'Warning',
        'AllocationFailed',
        `Failed to allocate IP for ${JSON.stringify(key)}: ${got.error.message}`,
      );
      return failed(got.error.message);
    }
    lbIPs = got.ips;
    w.event('Normal', 'IPAllocated', `Assigned IP ${quoteList(lbIPs)}`);
  }

  const pool = alloc.allocation(key)?.pool;
  if (pool === undefined) {
    w.event('Warning', 'InternalError', 'allocated an IP that has no pool');
    w.clear();
    return failed('allocated an IP that has no pool');
  }
  w.ingress = lbIPs.map(formatIP);
  w.pool = pool;
  return { ok: true };
}

/** upstream allocateIPs: requested addresses, else the requested pool, else any pool. */
function allocateIPs(req: ServiceRequest, alloc: Allocator): AllocationResult | { ok: false; error: Error } {
  if (!req.clusterFamily.ok || !req.families) {
    return {
      ok: false,
      error: new Error(req.clusterFamily.ok ? 'cannot determine family' : req.clusterFamily.reason),
    };
  }
  if (!req.desiredIPs.ok) return { ok: false, error: new Error(req.desiredIPs.reason) };
  const desired = req.desiredIPs.value;
  if (desired) {
    if (desired.family !== req.clusterFamily.value) {
      return {
        ok: false,
        error: new Error(
          `requested loadBalancer IP(s) ${quoteList(desired.ips)} does not match the ipFamily of the service`,
        ),
      };
    }
    const assigned = alloc.assign(req.claim, desired.ips);
    if (!assigned.ok) return assigned;
    if (req.desiredPool !== '' && assigned.pool !== req.desiredPool) {
      alloc.unassign(req.key);
      return {
        ok: false,
        error: new Error(
          `requested loadBalancer IP(s) ${quoteList(desired.ips)} is not compatible with requested address pool ${req.desiredPool}`,
        ),
      };
    }
    return assigned;
  }
  if (req.desiredPool !== '') return alloc.allocateFromPool(req.claim, req.families, req.desiredPool);
  return alloc.allocate(req.claim, req.families);
}

/** serviceFamilyChanged: the addresses held no longer fit the cluster IPs' family. */
function familyChanged(
  lb: Parsed<ServiceFamily>,
  cluster: ServiceFamily,
  policy: ServiceRequest['policy'],
): boolean {
  if (!lb.ok) return true;
  if (lb.value === cluster) return false;
  return !(cluster === 'dual' && policy === 'PreferDualStack');
}

function sameIPSet(a: readonly IPAddress[], b: readonly IPAddress[]): boolean {
  const sa = a.map(formatIP).sort(compareText);
  const sb = b.map(formatIP).sort(compareText);
  return sa.length === sb.length && sa.every((x, i) => x === sb[i]);
}
