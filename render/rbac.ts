// Builds one component's RBAC: a ClusterRole and a namespaced Role, each bound to the component's
// ServiceAccount. Rules come in groups, each naming the code that needs it; the generated manifest prints that
// as a comment above the group, so a reviewer can check every grant against a caller.
import { APP_LABELS } from './names';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject, type Note } from './object';

const RBAC_API = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

/** Rules one piece of code needs, and why (which code): the comment above them in the manifest. */
export interface RuleGroup {
  readonly why: string;
  readonly rules: readonly PolicyRule[];
}

export interface ComponentRbac {
  readonly serviceAccount: string;
  readonly clusterRoleName: string;
  readonly roleName: string;
  readonly clusterRules: readonly RuleGroup[];
  readonly namespacedRules: readonly RuleGroup[];
}

/** ClusterRole, Role, ClusterRoleBinding, RoleBinding, in that order (upstream's). */
export function renderComponentRbac(rbac: ComponentRbac, opts: InstallOptions): AnnotatedObject[] {
  const subjects = [{ kind: 'ServiceAccount', name: rbac.serviceAccount, namespace: opts.namespace }];
  return [
    roleObject('ClusterRole', { name: rbac.clusterRoleName, labels: APP_LABELS }, rbac.clusterRules),
    roleObject(
      'Role',
      { name: rbac.roleName, namespace: opts.namespace, labels: APP_LABELS },
      rbac.namespacedRules,
    ),
    annotated({
      apiVersion: `${RBAC_API}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: rbac.clusterRoleName, labels: APP_LABELS },
      roleRef: { apiGroup: RBAC_API, kind: 'ClusterRole', name: rbac.clusterRoleName },
      subjects,
    }),
    annotated({
      apiVersion: `${RBAC_API}/v1`,
      kind: 'RoleBinding',
      metadata: { name: rbac.roleName, namespace: opts.namespace, labels: APP_LABELS },
      roleRef: { apiGroup: RBAC_API, kind: 'Role', name: rbac.roleName },
      subjects,
    }),
  ];
}

function roleObject(
  kind: 'ClusterRole' | 'Role',
  metadata: { name: string; namespace?: string; labels: Readonly<Record<string, string>> },
  groups: readonly RuleGroup[],
): AnnotatedObject {
  const rules: PolicyRule[] = [];
  const notes: Note[] = [];
  for (const group of groups) {
    notes.push({ path: ['rules', rules.length], text: group.why });
    rules.push(...group.rules);
  }
  return annotated({ apiVersion: `${RBAC_API}/v1`, kind, metadata, rules }, ...notes);
}
