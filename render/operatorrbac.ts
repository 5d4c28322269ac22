// What the operator may do: exactly what operator/ calls (the why of each group names the caller). Its
// ServiceAccount is upstream's `manager-account`; OLM creates it and these grants from the CSV
// (render/csv.ts). The only RBAC the operator writes is OpenShift's grant of the speaker SCC (render/openshift.ts).
import type { ComponentRbac } from './rbac';
import { WEBHOOK_CONFIGURATION } from './names';
import { CONVERSION_CRD, SCC_API_GROUP, SPEAKER_SCC, SPEAKER_SCC_ROLE } from './openshift';

export const OPERATOR_SERVICE_ACCOUNT = 'manager-account';

const OPERAND_VERBS = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

export const OPERATOR_RBAC: ComponentRbac = {
  serviceAccount: OPERATOR_SERVICE_ACCOUNT,
  clusterRoleName: 'ironlb-operator',
  roleName: 'ironlb-operator',
  clusterRules: [
    {
      why:
        'The metallb.io webhook configuration, applied and removed with the MetalLB resource\n' +
        '(operator/app/reconciler.ts). Create cannot be limited to a name.',
      rules: [
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          verbs: ['create'],
        },
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          resourceNames: [WEBHOOK_CONFIGURATION],
          verbs: ['get', 'patch', 'delete'],
        },
      ],
    },
    {
      why:
        'OpenShift only: the metallb-speaker SCC, applied with the operands (render/openshift.ts), and `use`\n' +
        'of it, without which the API server refuses to let the operator grant it to the speaker.\n' +
        'Create cannot be limited to a name.',
      rules: [
        { apiGroups: [SCC_API_GROUP], resources: ['securitycontextconstraints'], verbs: ['create'] },
        {
          apiGroups: [SCC_API_GROUP],
          resources: ['securitycontextconstraints'],
          resourceNames: [SPEAKER_SCC],
          verbs: ['get', 'patch', 'delete', 'use'],
        },
      ],
    },
    {
      why:
        'OpenShift only: the service-CA annotation on the BGPPeer CRD, whose conversion webhook the\n' +
        'controller serves (operator/app/reconciler.ts, operandclient.ts): read and update, never create.',
      rules: [
        {
          apiGroups: ['apiextensions.k8s.io'],
          resources: ['customresourcedefinitions'],
          resourceNames: [CONVERSION_CRD],
          verbs: ['get', 'update'],
        },
      ],
    },
    {
      why:
        "OpenShift only: the cluster's TLS security profile, watched for the operands' and the operator's\n" +
        'own TLS settings (operator/app/tlswatch.ts; list and watch by fieldSelector metadata.name=cluster).',
      rules: [
        {
          apiGroups: ['config.openshift.io'],
          resources: ['apiservers'],
          resourceNames: ['cluster'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
  ],
  namespacedRules: [
    {
      why: 'The MetalLB informer and its status conditions (operator/app/operator.ts, operandclient.ts).',
      rules: [
        { apiGroups: ['metallb.io'], resources: ['metallbs'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['metallb.io'], resources: ['metallbs/status'], verbs: ['get', 'patch'] },
      ],
    },
    {
      why: 'The operands, server-side applied; stale ones deleted (operator/app/reconciler.ts).',
      rules: [
        { apiGroups: [''], resources: ['secrets', 'services', 'configmaps'], verbs: OPERAND_VERBS },
        { apiGroups: ['apps'], resources: ['deployments', 'daemonsets'], verbs: OPERAND_VERBS },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: OPERAND_VERBS },
        {
          apiGroups: ['monitoring.coreos.com'],
          resources: ['servicemonitors', 'podmonitors'],
          verbs: OPERAND_VERBS,
        },
      ],
    },
    {
      why:
        'OpenShift only: the Role and RoleBinding that give the speaker `use` of its SCC (render/openshift.ts).\n' +
        'Create cannot be limited to a name.',
      rules: [
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create'] },
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['roles', 'rolebindings'],
          resourceNames: [SPEAKER_SCC_ROLE],
          verbs: ['get', 'patch', 'delete'],
        },
      ],
    },
    {
      why:
        'Legacy AddressPools (operator/legacy/): their status, the migrated-to mark, the IPAddressPool and\n' +
        'advertisement a migration writes, and what the status reads (the configuration around them and the\n' +
        "controller's ConfigurationState); the Deprecated event (kube/eventrecorder.ts).",
      rules: [
        { apiGroups: ['metallb.io'], resources: ['addresspools'], verbs: ['get', 'list', 'watch', 'patch'] },
        { apiGroups: ['metallb.io'], resources: ['addresspools/status'], verbs: ['get', 'patch'] },
        {
          apiGroups: ['metallb.io'],
          resources: ['ipaddresspools', 'l2advertisements', 'bgpadvertisements'],
          verbs: ['get', 'list', 'watch', 'create', 'patch'],
        },
        {
          apiGroups: ['metallb.io'],
          resources: ['communities', 'configurationstates'],
          verbs: ['list', 'watch'],
        },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    },
    {
      why: 'Leader election (kube/leaseclient.ts).',
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
      ],
    },
  ],
};
