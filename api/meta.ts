// Shared pieces of the metallb.io schemas: Kubernetes' own types as far as these CRDs embed them.
import { z } from 'zod';

export const GROUP = 'metallb.io';

/** The metadata fields ironlb reads. Anything else the API server adds is kept, not validated. */
export const ObjectMeta = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  deletionTimestamp: z.string().optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

const stringMap = () => z.record(z.string(), z.string());

export const LabelSelectorRequirement = z
  .object({
    key: z.string().describe('key is the label key that the selector applies to.'),
    operator: z
      .string()
      .describe(
        "operator represents a key's relationship to a set of values: In, NotIn, Exists and DoesNotExist.",
      ),
    values: z
      .array(z.string())
      .optional()
      .meta({ 'x-kubernetes-list-type': 'atomic' })
      .describe('values is an array of string values; empty for Exists and DoesNotExist.'),
  })
  .describe('A label selector requirement: a key, an operator and values.');
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirement>;

/** metav1.LabelSelector. An empty selector matches everything; MetalLB relies on that. */
export const LabelSelector = z
  .object({
    matchExpressions: z
      .array(LabelSelectorRequirement)
      .optional()
      .meta({ 'x-kubernetes-list-type': 'atomic' })
      .describe('matchExpressions is a list of label selector requirements, ANDed.'),
    matchLabels: stringMap()
      .optional()
      .describe(
        'matchLabels is a map of {key,value} pairs, each equivalent to an In requirement with one value.',
      ),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' })
  .describe('A label query over a set of resources. An empty selector matches all objects.');
export type LabelSelector = z.infer<typeof LabelSelector>;

/** metav1.Duration on the wire: Go's time.ParseDuration text, e.g. "90s", "1m30s". */
export const Duration = z.string();

/** metav1.Condition, as status conditions of ConfigurationState and MetalLB. */
export const Condition = z.object({
  type: z.string().max(316).describe('type of condition in CamelCase.'),
  status: z
    .enum(['True', 'False', 'Unknown'])
    .describe('status of the condition, one of True, False, Unknown.'),
  observedGeneration: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('the .metadata.generation this was set for.'),
  lastTransitionTime: z
    .string()
    .meta({ format: 'date-time' })
    .describe('when the condition last changed status.'),
  reason: z.string().max(1024).describe("a programmatic identifier for the condition's last transition."),
  message: z.string().max(32768).describe('a human readable message about the transition.'),
});
export type Condition = z.infer<typeof Condition>;

/**
 * The envelope of a namespaced custom resource. `spec` and `status` are the kind's own schemas; the
 * envelope is what the API server and our informers hand us.
 */
export function resourceSchema<S extends z.ZodType, T extends z.ZodType>(kind: string, spec: S, status: T) {
  return z.object({
    apiVersion: z.string().optional(),
    kind: z.literal(kind).optional(),
    metadata: ObjectMeta,
    // Most kinds' CRDs do not require spec, and the documentation shows e.g. an L2Advertisement without one:
    // an absent spec is the empty spec, and the kind's own schema decides whether that is valid.
    spec: z.preprocess((value) => value ?? {}, spec),
    status: status.optional(),
  });
}

/** A name that a person reads in an error: `IPAddressPool metallb-system/web`. */
export function objectRef(
  kind: string,
  meta: { namespace?: string | undefined; name?: string | undefined },
): string {
  const name = meta.name ?? '<unnamed>';
  return meta.namespace ? `${kind} ${meta.namespace}/${name}` : `${kind} ${name}`;
}
