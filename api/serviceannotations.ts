// Service annotations MetalLB defines. The metallb.io/ prefix is current; metallb.universe.tf/ is still read,
// and when both are set the new one wins (upstream valueForAnnotation).
export const PREFIX = 'metallb.io/';
export const DEPRECATED_PREFIX = 'metallb.universe.tf/';

export const ANNOTATION = {
  addressPool: 'address-pool',
  loadBalancerIPs: 'loadBalancerIPs',
  allowSharedIP: 'allow-shared-ip',
  allocatedFromPool: 'ip-allocated-from-pool',
} as const;

export const ALLOCATED_FROM_POOL = PREFIX + ANNOTATION.allocatedFromPool;
export const DEPRECATED_ALLOCATED_FROM_POOL = DEPRECATED_PREFIX + ANNOTATION.allocatedFromPool;

type Annotations = Readonly<Record<string, string>> | undefined;

/** The value under the new prefix if present (even empty), else under the old one, else ''. */
export function annotationValue(annotations: Annotations, name: string): string {
  const current = annotations?.[PREFIX + name];
  if (current !== undefined) return current;
  return annotations?.[DEPRECATED_PREFIX + name] ?? '';
}

/** Annotation keys under the deprecated prefix, sorted, for the deprecatedAnnotation warning. */
export function deprecatedAnnotations(annotations: Annotations): string[] {
  return Object.keys(annotations ?? {})
    .filter((k) => k.startsWith(DEPRECATED_PREFIX))
    .sort();
}
