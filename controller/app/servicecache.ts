// The shape the controller caches a Service in: the fields api/service.ts names, and nothing else. The API
// server's objects carry managedFields, session affinity, health-check ports, conditions and more that no
// reconciler reads; holding 5,000 of them whole was most of the controller's memory under load. Nothing is
// written back from the cache: the controller's writes are merge patches of the fields it owns
// (controller/reconciler/serviceapi.ts), so a dropped field can never be overwritten.
import type { LoadBalancerIngress, Service } from '../../api/service';
import type { ObjectMeta } from '../../api/meta';

type Spec = NonNullable<Service['spec']>;

/** Copies the keys of `from` named in `keys` whose values are not undefined. */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

const META_KEYS = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'labels',
  'annotations',
  'deletionTimestamp',
] as const satisfies readonly (keyof ObjectMeta)[];

const SPEC_KEYS = [
  'type',
  'clusterIP',
  'clusterIPs',
  'ipFamilies',
  'ipFamilyPolicy',
  'loadBalancerIP',
  'loadBalancerClass',
  'externalTrafficPolicy',
  'selector',
] as const satisfies readonly (keyof Spec)[];

export function leanService(svc: Service): Service {
  const out: Service = { metadata: pick(svc.metadata, META_KEYS) };
  if (svc.apiVersion !== undefined) out.apiVersion = svc.apiVersion;
  if (svc.kind !== undefined) out.kind = svc.kind;
  if (svc.spec !== undefined) {
    const spec: Spec = pick(svc.spec, SPEC_KEYS);
    if (svc.spec.ports !== undefined)
      spec.ports = svc.spec.ports?.map((p) => pick(p, ['name', 'protocol', 'port'] as const)) ?? null;
    out.spec = spec;
  }
  const lb = svc.status?.loadBalancer;
  if (svc.status !== undefined) {
    out.status = {};
    if (lb !== undefined) {
      out.status.loadBalancer =
        lb.ingress === undefined
          ? {}
          : {
              ingress:
                lb.ingress?.map((e): LoadBalancerIngress => pick(e, ['ip', 'hostname', 'ipMode'] as const)) ??
                null,
            };
    }
  }
  return out;
}
