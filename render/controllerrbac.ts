// What the controller may do: exactly what controller/ calls (the why of each group names the caller), not
// upstream's broader grants. The names are upstream's; the ClusterRole keeps its `metallb-system:` prefix in
// any namespace, as upstream's native manifest does.
import { CONTROLLER, WEBHOOK_CONFIGURATION } from './names';
import type { InstallOptions } from './options';
import type { AnnotatedObject } from './object';
import { type ComponentRbac, renderComponentRbac } from './rbac';

export const CONTROLLER_RBAC: ComponentRbac = {
  serviceAccount: CONTROLLER,
  clusterRoleName: 'metallb-system:controller',
  roleName: CONTROLLER,
  clusterRules: [
    {
      why: 'Service informer (every namespace), annotation and status writes (controller/reconciler/serviceapi.ts).',
      rules: [
        { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'patch'] },
        { apiGroups: [''], resources: ['services/status'], verbs: ['patch'] },
      ],
    },
    {
      why: 'Namespace informer (pool namespaceSelectors) and webhook snapshots (controller/webhooks/lister.ts).',
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] }],
    },
    {
      why: 'Webhook snapshots: L2Advertisement/BGPPeer nodeSelectors.',
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }],
    },
    {
      why: 'Events on Services, in their own namespaces (kube/eventrecorder.ts).',
      rules: [{ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] }],
    },
    {
      why:
        'CA injection into our own webhook configuration and the BGPPeer conversion webhook\n' +
        '(controller/webhooks/certmanager.ts).',
      rules: [
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          resourceNames: [WEBHOOK_CONFIGURATION],
          verbs: ['get', 'update'],
        },
        {
          apiGroups: ['apiextensions.k8s.io'],
          resources: ['customresourcedefinitions'],
          resourceNames: ['bgppeers.metallb.io'],
          verbs: ['get', 'update'],
        },
      ],
    },
    {
      why: 'Secure metrics: authenticate and authorize scrapers (controller/app/securemetrics.ts).',
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ],
    },
  ],
  namespacedRules: [
    {
      why: 'Webhook certificate (get/create/update), memberlist key (create), BGPPeer password Secrets (list).',
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'update'] }],
    },
    {
      why: "The controller's own Pod, as owner of its ConfigurationState.",
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    },
    {
      why: 'Leader election (kube/leaseclient.ts).',
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
      ],
    },
    {
      why: 'Config informers and webhook snapshots.',
      rules: [
        {
          apiGroups: ['metallb.io'],
          resources: [
            'ipaddresspools',
            'addresspools',
            'l2advertisements',
            'bgpadvertisements',
            'bgppeers',
            'communities',
            'bfdprofiles',
          ],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
    {
      why: 'Pool usage counters, by server-side apply.',
      rules: [{ apiGroups: ['metallb.io'], resources: ['ipaddresspools/status'], verbs: ['patch'] }],
    },
    {
      why: "The controller's ConfigurationState, by server-side apply, and its informer.",
      rules: [
        {
          apiGroups: ['metallb.io'],
          resources: ['configurationstates'],
          verbs: ['get', 'list', 'watch', 'create', 'patch'],
        },
        { apiGroups: ['metallb.io'], resources: ['configurationstates/status'], verbs: ['patch'] },
      ],
    },
  ],
};

export function renderControllerRbac(opts: InstallOptions): AnnotatedObject[] {
  return renderComponentRbac(CONTROLLER_RBAC, opts);
}
