// The parts of a core/v1 Service the controller and the speaker read and write. Loose objects: whatever else
// the API server sends is kept, so a cached Service round-trips untouched. Domain rules (annotation syntax,
// address families) are checked by the deployables (controller/service/request.ts), not here: a Service this
// schema rejects would vanish from the cache.
import { z } from 'zod';
import { ObjectMeta } from './meta';

export const ServicePortSchema = z.looseObject({
  name: z.string().optional(),
  protocol: z.string().optional(),
  port: z.number().int(),
});

export const LoadBalancerIngressSchema = z.looseObject({
  ip: z.string().optional(),
  hostname: z.string().optional(),
  ipMode: z.string().optional(),
});
export type LoadBalancerIngress = z.infer<typeof LoadBalancerIngressSchema>;

export const ServiceSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMeta,
  spec: z
    .looseObject({
      type: z.string().optional(),
      clusterIP: z.string().optional(),
      clusterIPs: z.array(z.string()).nullish(),
      ipFamilies: z.array(z.string()).nullish(),
      ipFamilyPolicy: z.string().nullish(),
      loadBalancerIP: z.string().optional(),
      loadBalancerClass: z.string().nullish(),
      externalTrafficPolicy: z.string().optional(),
      selector: z.record(z.string(), z.string()).nullish(),
      ports: z.array(ServicePortSchema).nullish(),
    })
    .optional(),
  status: z
    .looseObject({
      loadBalancer: z.looseObject({ ingress: z.array(LoadBalancerIngressSchema).nullish() }).optional(),
    })
    .optional(),
});
export type Service = z.infer<typeof ServiceSchema>;

export function serviceKey(svc: Service): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}

/** The addresses in status.loadBalancer.ingress, as written; entries without an ip (hostname only) are skipped. */
export function ingressIPs(svc: Service): string[] {
  const out: string[] = [];
  for (const entry of svc.status?.loadBalancer?.ingress ?? []) if (entry.ip) out.push(entry.ip);
  return out;
}

/**
 * spec.loadBalancerClass against --lb-class: without the flag only class-less Services are handled (upstream
 * controller/main.go and speaker/main.go filter the same way, so controller and speakers agree).
 */
export function isHandledClass(svc: Service, lbClass: string): boolean {
  const cls = svc.spec?.loadBalancerClass ?? '';
  return lbClass === '' ? cls === '' : cls === lbClass;
}
