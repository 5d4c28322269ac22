// The operator's singleton MetalLB resource (metallb.io/v1beta1). JSON names match upstream exactly: note
// `nodeSelector` (not speakerNodeSelector) and `bgpBackend`.
import { z } from 'zod';
import { Affinity, ResourceRequirements, Toleration } from './corev1';
import { Condition, resourceSchema } from './meta';

export const LOG_LEVELS = ['all', 'debug', 'info', 'warn', 'error', 'none'] as const;
export const LogLevel = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevel>;

export const BGP_BACKENDS = ['native', 'frr', 'frr-k8s', 'frr-k8s-external'] as const;

export const LOAD_BALANCER_CLASS_PATTERN =
  '^([a-z0-9A-Z]([\\w.\\-]*[a-z0-9A-Z])?/)?[a-z0-9A-Z]([\\w.\\-]*[a-z0-9A-Z])?$';

export const PodConfig = z.object({
  priorityClassName: z.string().optional().describe('Priority class of the pods.'),
  runtimeClassName: z.string().optional().describe('Runtime class of the pods.'),
  affinity: Affinity.optional(),
  annotations: z.record(z.string(), z.string()).optional().describe('Annotations added to the pod template.'),
  resources: ResourceRequirements.optional(),
});

export const FRRK8SConfig = z.object({
  alwaysBlock: z.array(z.string()).optional().describe('CIDRs that frr-k8s never accepts from peers.'),
  namespace: z.string().optional().describe('The namespace of an externally deployed frr-k8s.'),
  secretPassthrough: z
    .boolean()
    .optional()
    .describe('Pass BGP password secrets through to the external frr-k8s.'),
});

export const MetalLBSpec = z
  .object({
    image: z.string().optional().describe('Deprecated: has no effect.'),
    nodeSelector: z
      .record(z.string(), z.string())
      .optional()
      .describe('Node selector of the speaker DaemonSet.'),
    speakerTolerations: z
      .array(Toleration)
      .optional()
      .describe('Tolerations added to the speaker DaemonSet.'),
    controllerNodeSelector: z
      .record(z.string(), z.string())
      .optional()
      .describe('Node selector of the controller Deployment.'),
    controllerTolerations: z
      .array(Toleration)
      .optional()
      .describe('Tolerations of the controller Deployment.'),
    logLevel: LogLevel.optional().describe('Log verbosity of the controller and speakers (default info).'),
    loadBalancerClass: z
      .string()
      .regex(new RegExp(LOAD_BALANCER_CLASS_PATTERN))
      .optional()
      .describe('Only serve services of this loadBalancerClass.'),
    controllerConfig: PodConfig.optional().describe('Pod settings of the controller.'),
    speakerConfig: PodConfig.optional().describe('Pod settings of the speakers.'),
    bgpBackend: z
      .string()
      .optional()
      .describe('The BGP implementation: native, frr, frr-k8s or frr-k8s-external.'),
    frrk8sConfig: FRRK8SConfig.optional(),
  })
  .describe('MetalLBSpec defines how the operator deploys ironlb.');
export type MetalLBSpec = z.infer<typeof MetalLBSpec>;

export const MetalLBStatus = z.object({
  conditions: z
    .array(Condition)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .describe('Available, Upgradeable, Progressing and Degraded.'),
});

export const MetalLB = resourceSchema('MetalLB', MetalLBSpec, MetalLBStatus);
export type MetalLB = z.infer<typeof MetalLB>;
