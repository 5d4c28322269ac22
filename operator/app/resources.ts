// The REST resources the operator writes, by the apiVersion and kind of what render/ produces. Named here
// rather than discovered (kube/resource.ts says why); a rendered kind missing from this table is a
// programming error the unit test catches for every golden case.
import { METALLB } from '../../api/resources';
import { apiVersionOf, RESOURCES, type ResourceRef } from '../../kube/resource';

const ref = (
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
): ResourceRef => ({
  group,
  version,
  plural,
  kind,
  namespaced,
});

export const SCC_RESOURCE = ref(
  'security.openshift.io',
  'v1',
  'securitycontextconstraints',
  'SecurityContextConstraints',
  false,
);

/** Not an operand: the operator only annotates the conversion CRD on OpenShift (render/openshift.ts). */
export const CRD_RESOURCE = ref(
  'apiextensions.k8s.io',
  'v1',
  'customresourcedefinitions',
  'CustomResourceDefinition',
  false,
);

export const OPERAND_RESOURCES: readonly ResourceRef[] = [
  RESOURCES.secrets,
  RESOURCES.services,
  RESOURCES.configMaps,
  ref('apps', 'v1', 'deployments', 'Deployment', true),
  ref('apps', 'v1', 'daemonsets', 'DaemonSet', true),
  ref(
    'admissionregistration.k8s.io',
    'v1',
    'validatingwebhookconfigurations',
    'ValidatingWebhookConfiguration',
    false,
  ),
  ref('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true),
  ref('monitoring.coreos.com', 'v1', 'servicemonitors', 'ServiceMonitor', true),
  ref('monitoring.coreos.com', 'v1', 'podmonitors', 'PodMonitor', true),
  // OpenShift mode only (render/openshift.ts).
  SCC_RESOURCE,
  ref('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  ref('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
];

export const DEPLOYMENTS = ref('apps', 'v1', 'deployments', 'Deployment', true);
export const DAEMONSETS = ref('apps', 'v1', 'daemonsets', 'DaemonSet', true);
export { METALLB };

export class UnknownOperandKindError extends Error {
  override readonly name = 'UnknownOperandKindError';
}

export function resourceFor(apiVersion: string, kind: string): ResourceRef {
  const found = OPERAND_RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
  if (found === undefined)
    throw new UnknownOperandKindError(`${apiVersion} ${kind} is not in operator/app/resources.ts`);
  return found;
}
