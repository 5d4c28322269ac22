// The MetalLB resource's conditions, from what the reconcile found (metallb-operator pkg/status/status.go):
// always the four types in upstream's order, Available and Upgradeable true together once every operand is
// ready, otherwise exactly one of Progressing or Degraded true with its reason. Unlike upstream, which stamps
// every write with now, a condition keeps its lastTransitionTime while its status stays the same (the
// metav1.Condition contract), so a repeated reconcile writes nothing.
import { z } from 'zod';
import type { Condition } from '../../api/meta';

export const CONDITION_TYPES = ['Available', 'Upgradeable', 'Progressing', 'Degraded'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

export type Outcome =
  | { readonly kind: 'available' }
  | { readonly kind: 'progressing' | 'degraded'; readonly reason: string; readonly message: string };

export const REASONS = {
  incorrectName: 'IncorrectMetalLBResourceName',
  invalidSpec: 'InvalidMetalLBSpec',
  unsupported: 'UnsupportedConfiguration',
  applyFailed: 'ApplyFailed',
  deploymentNotReady: 'DeploymentNotReady',
  daemonSetNotReady: 'DaemonSetNotReady',
} as const;

function trueTypes(outcome: Outcome): ReadonlySet<ConditionType> {
  switch (outcome.kind) {
    case 'available':
      return new Set(['Available', 'Upgradeable']);
    case 'progressing':
      return new Set(['Progressing']);
    case 'degraded':
      return new Set(['Degraded']);
  }
}

export function conditionsFor(
  outcome: Outcome,
  generation: number | undefined,
  now: Date,
  previous: readonly Condition[] = [],
): Condition[] {
  const isTrue = trueTypes(outcome);
  return CONDITION_TYPES.map((type) => {
    const status = isTrue.has(type) ? 'True' : 'False';
    const detailed = outcome.kind !== 'available' && isTrue.has(type);
    const before = previous.find((c) => c.type === type);
    return {
      type,
      status,
      reason: detailed ? outcome.reason : type,
      message: detailed ? outcome.message : '',
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : now.toISOString(),
    };
  });
}

/** Whether writing `next` would change anything a reader sees (the times aside, which conditionsFor keeps). */
export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  return (
    a.length === b.length &&
    a.every((c, i) => {
      const d = b[i];
      return (
        d !== undefined &&
        c.type === d.type &&
        c.status === d.status &&
        c.reason === d.reason &&
        c.message === d.message &&
        c.observedGeneration === d.observedGeneration &&
        c.lastTransitionTime === d.lastTransitionTime
      );
    })
  );
}

const count = z.number().int().optional();

const DeploymentState = z.looseObject({
  metadata: z.looseObject({ name: z.string(), generation: z.number().int().optional() }),
  spec: z.looseObject({ replicas: count }).optional(),
  status: z
    .looseObject({
      observedGeneration: count,
      replicas: count,
      updatedReplicas: count,
      availableReplicas: count,
    })
    .optional(),
});

const DaemonSetState = z.looseObject({
  metadata: z.looseObject({ name: z.string(), generation: z.number().int().optional() }),
  status: z
    .looseObject({
      observedGeneration: count,
      desiredNumberScheduled: count,
      currentNumberScheduled: count,
      numberReady: count,
      updatedNumberScheduled: count,
      numberAvailable: count,
    })
    .optional(),
});

/** Undefined when ready, otherwise why not, for the Progressing message. */
export function deploymentNotReady(raw: unknown): string | undefined {
  const d = DeploymentState.parse(raw);
  const name = `Deployment ${d.metadata.name}`;
  const s = d.status ?? {};
  // A status older than the spec says nothing about the pods of this spec.
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return `${name}: rollout not observed yet`;
  const want = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const total = s.replicas ?? 0;
  if (updated < want) return `${name}: ${updated} of ${want} replicas updated`;
  if (available < want) return `${name}: ${available} of ${want} replicas available`;
  if (total > updated) return `${name}: ${total - updated} old replicas still running`;
  return undefined;
}

export function daemonSetNotReady(raw: unknown): string | undefined {
  const d = DaemonSetState.parse(raw);
  const name = `DaemonSet ${d.metadata.name}`;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return `${name}: rollout not observed yet`;
  const desired = s.desiredNumberScheduled ?? 0;
  const scheduled = s.currentNumberScheduled ?? 0;
  const ready = s.numberReady ?? 0;
  const updated = s.updatedNumberScheduled ?? 0;
  if (scheduled !== desired) return `${name}: ${scheduled} of ${desired} pods scheduled`;
  if (updated !== desired) return `${name}: ${updated} of ${desired} pods updated`;
  if (ready !== desired) return `${name}: ${ready} of ${desired} pods ready`;
  return undefined;
}
