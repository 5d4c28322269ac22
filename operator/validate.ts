// What makes a MetalLB resource invalid, beyond its CRD schema: the rules of upstream's validating webhook
// (metallb-operator api/v1beta1/metallb_webhook.go Validate), with messages that name the field. The webhook
// route and the reconciler both call it; the reconciler re-checks because a resource may predate the webhook.
import { isIP } from 'node:net';
import { BGP_BACKENDS, type MetalLBSpec } from '../api/metallb';
import type { Toleration } from '../api/corev1';

export interface SpecViolation {
  /** e.g. `spec.speakerTolerations[1].effect`. */
  readonly field: string;
  readonly reason: string;
}

export function describeViolations(violations: readonly SpecViolation[]): string {
  return violations.map((v) => `${v.field}: ${v.reason}`).join('; ');
}

type Affinity = NonNullable<NonNullable<MetalLBSpec['speakerConfig']>['affinity']>;

/** Kubernetes evicts at the end of tolerationSeconds, which only means something for NoExecute taints. */
function tolerations(field: string, list: readonly Toleration[] | undefined): SpecViolation[] {
  return (list ?? []).flatMap((t, i) =>
    t.tolerationSeconds !== undefined && t.tolerationSeconds > 0 && t.effect !== 'NoExecute'
      ? [{ field: `${field}[${i}].effect`, reason: 'must be NoExecute when tolerationSeconds is set' }]
      : [],
  );
}

// The scheduler's own range for preferred terms; upstream checks node and pod affinity, not anti-affinity.
function weights(field: string, affinity: Affinity | undefined): SpecViolation[] {
  const out: SpecViolation[] = [];
  for (const kind of ['nodeAffinity', 'podAffinity'] as const) {
    const terms = affinity?.[kind]?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    terms.forEach((term, i) => {
      if (term.weight < 1 || term.weight > 100)
        out.push({
          field: `${field}.affinity.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}].weight`,
          reason: `${term.weight} is outside 1..100`,
        });
    });
  }
  return out;
}

function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export interface ValidationEnvironment {
  /** FRRK8S_EXTERNAL_NAMESPACE: the default namespace of an external frr-k8s. */
  readonly frrk8sExternalNamespace?: string;
}

export function validateMetalLBSpec(spec: MetalLBSpec, env: ValidationEnvironment = {}): SpecViolation[] {
  const violations = [
    ...tolerations('spec.controllerTolerations', spec.controllerTolerations),
    ...tolerations('spec.speakerTolerations', spec.speakerTolerations),
    ...weights('spec.controllerConfig', spec.controllerConfig?.affinity),
    ...weights('spec.speakerConfig', spec.speakerConfig?.affinity),
  ];
  const backend = spec.bgpBackend ?? '';
  if (backend !== '' && !(BGP_BACKENDS as readonly string[]).includes(backend))
    violations.push({
      field: 'spec.bgpBackend',
      reason: `${JSON.stringify(backend)} is not one of ${BGP_BACKENDS.join(', ')}`,
    });
  if (
    backend === 'frr-k8s-external' &&
    (spec.frrk8sConfig?.namespace ?? '') === '' &&
    (env.frrk8sExternalNamespace ?? '') === ''
  )
    violations.push({
      field: 'spec.frrk8sConfig.namespace',
      reason: 'frr-k8s-external needs a namespace here or in FRRK8S_EXTERNAL_NAMESPACE',
    });
  (spec.frrk8sConfig?.alwaysBlock ?? []).forEach((cidr, i) => {
    if (!isCidr(cidr))
      violations.push({
        field: `spec.frrk8sConfig.alwaysBlock[${i}]`,
        reason: `${JSON.stringify(cidr)} is not a CIDR`,
      });
  });
  return violations;
}
