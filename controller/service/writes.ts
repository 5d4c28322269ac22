// From a decision to the API writes it needs: the status subresource when the ingress list changed, a
// metadata patch when the pool annotation changed, and nothing at all when the Service already says what it
// should. Only the ingress addresses are compared: the API server may default fields such as ipMode, and
// comparing those would make every reconcile write again.
import {
  ALLOCATED_FROM_POOL,
  DEPRECATED_ALLOCATED_FROM_POOL,
  deprecatedAnnotations,
} from '../../api/serviceannotations';
import { Decision, ServiceEvent } from './converge';
import { Service } from '../../api/service';

export interface ServiceWrites {
  /** The new status.loadBalancer.ingress (empty clears it); undefined: leave the status alone. */
  readonly ingress?: readonly { readonly ip: string }[];
  /** Annotation key -> value, or null to remove it; undefined: leave the annotations alone. */
  readonly annotations?: Readonly<Record<string, string | null>>;
  /** deprecatedAnnotation warnings: upstream raises them only when it is about to update the Service. */
  readonly events: readonly ServiceEvent[];
}

export function planWrites(svc: Service, decision: Decision): ServiceWrites {
  const entries = svc.status?.loadBalancer?.ingress ?? [];
  const ingressChanged =
    entries.length !== decision.ingress.length ||
    entries.some((e, i) => e.ip !== decision.ingress[i] || (e.hostname !== undefined && e.hostname !== ''));
  const annotations = svc.metadata.annotations ?? {};
  const patch: Record<string, string | null> = {};
  if (decision.pool === undefined) {
    if (annotations[ALLOCATED_FROM_POOL] !== undefined) patch[ALLOCATED_FROM_POOL] = null;
  } else if (annotations[ALLOCATED_FROM_POOL] !== decision.pool) {
    patch[ALLOCATED_FROM_POOL] = decision.pool;
  }
  // Only the new-prefix name is written; the old one is MetalLB's own output from older versions.
  if (annotations[DEPRECATED_ALLOCATED_FROM_POOL] !== undefined) patch[DEPRECATED_ALLOCATED_FROM_POOL] = null;
  const annotationsChanged = Object.keys(patch).length > 0;
  const events: ServiceEvent[] = [];
  if (ingressChanged || annotationsChanged) {
    for (const key of deprecatedAnnotations(annotations)) {
      if (key === DEPRECATED_ALLOCATED_FROM_POOL) continue;
      events.push({
        type: 'Warning',
        reason: 'deprecatedAnnotation',
        message: `Service uses deprecated annotation ${key}`,
      });
    }
  }
  return {
    ...(ingressChanged ? { ingress: decision.ingress.map((ip) => ({ ip })) } : {}),
    ...(annotationsChanged ? { annotations: patch } : {}),
    events,
  };
}
