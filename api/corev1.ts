// The core/v1 types that the operator's MetalLB resource embeds. Tolerations are spelled out because the
// webhook validates them; affinity and resource requirements are passed through to the pod templates as the
// API server validates them there, so the CRD keeps their known top-level shape and preserves the rest.
import { z } from 'zod';

export const Toleration = z.object({
  key: z
    .string()
    .optional()
    .describe('The taint key that the toleration applies to; empty matches all taint keys.'),
  operator: z.string().optional().describe('Exists or Equal (default Equal).'),
  value: z.string().optional().describe('The taint value the toleration matches to.'),
  effect: z
    .string()
    .optional()
    .describe('The taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty matches all.'),
  tolerationSeconds: z
    .number()
    .int()
    .optional()
    .meta({ format: 'int64' })
    .describe('How long a NoExecute toleration tolerates the taint.'),
});
export type Toleration = z.infer<typeof Toleration>;

const preserved = (description: string) =>
  z.looseObject({}).meta({ 'x-kubernetes-preserve-unknown-fields': true }).describe(description);

const WeightedTerm = z.looseObject({
  weight: z.number().int().meta({ format: 'int32' }).describe('Weight 1 to 100.'),
  preference: preserved('A node selector term.').optional(),
  podAffinityTerm: preserved('A pod affinity term.').optional(),
});

const schedulingRules = (description: string) =>
  z
    .looseObject({
      preferredDuringSchedulingIgnoredDuringExecution: z.array(WeightedTerm).optional(),
      requiredDuringSchedulingIgnoredDuringExecution: z
        .unknown()
        .optional()
        .meta({ 'x-kubernetes-preserve-unknown-fields': true }),
    })
    .meta({ 'x-kubernetes-preserve-unknown-fields': true })
    .describe(description);

export const Affinity = z
  .object({
    nodeAffinity: schedulingRules('Node affinity scheduling rules for the pod.').optional(),
    podAffinity: schedulingRules('Pod affinity scheduling rules.').optional(),
    podAntiAffinity: schedulingRules('Pod anti-affinity scheduling rules.').optional(),
  })
  .describe('core/v1 Affinity for the pods.');
export type Affinity = z.infer<typeof Affinity>;

const Quantity = z
  .union([z.string(), z.number()])
  .meta({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] });

export const ResourceRequirements = z
  .object({
    limits: z
      .record(z.string(), Quantity)
      .optional()
      .describe('The maximum amount of compute resources allowed.'),
    requests: z
      .record(z.string(), Quantity)
      .optional()
      .describe('The minimum amount of compute resources required.'),
  })
  .describe('core/v1 ResourceRequirements for the main container.');
export type ResourceRequirements = z.infer<typeof ResourceRequirements>;
