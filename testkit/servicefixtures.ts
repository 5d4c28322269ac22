// Builders for Service objects in controller tests.
import { Service } from '../api/service';

export interface ServiceShape {
  ns?: string;
  name?: string;
  type?: string;
  clusterIPs?: string[];
  policy?: string;
  ipFamilies?: string[];
  loadBalancerIP?: string;
  loadBalancerClass?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  ingress?: { ip?: string; hostname?: string; ipMode?: string }[];
  etp?: 'Local' | 'Cluster';
  selector?: Record<string, string>;
  ports?: { protocol?: string; port: number }[];
}

export function service(shape: ServiceShape = {}): Service {
  const clusterIPs = shape.clusterIPs ?? ['198.51.100.210'];
  const spec: NonNullable<Service['spec']> = {
    type: shape.type ?? 'LoadBalancer',
    clusterIP: clusterIPs[0] ?? '',
    clusterIPs,
    ports: shape.ports ?? [{ protocol: 'TCP', port: 80 }],
    externalTrafficPolicy: shape.etp ?? 'Cluster',
  };
  if (shape.policy !== undefined) spec.ipFamilyPolicy = shape.policy;
  if (shape.ipFamilies !== undefined) spec.ipFamilies = shape.ipFamilies;
  if (shape.loadBalancerIP !== undefined) spec.loadBalancerIP = shape.loadBalancerIP;
  if (shape.loadBalancerClass !== undefined) spec.loadBalancerClass = shape.loadBalancerClass;
  if (shape.selector !== undefined) spec.selector = shape.selector;
  return {
    metadata: {
      namespace: shape.ns ?? 'default',
      name: shape.name ?? 'web',
      annotations: shape.annotations ?? {},
      labels: shape.labels ?? {},
    },
    spec,
    status: { loadBalancer: { ingress: shape.ingress ?? [] } },
  };
}
