// What the speaker may do: exactly what speaker/ calls (the why of each group names the caller). Names are
// upstream's (ClusterRole `metallb-system:speaker`, Role `pod-lister`).
import { SPEAKER } from './names';
import type { InstallOptions } from './options';
import type { AnnotatedObject } from './object';
import { type ComponentRbac, renderComponentRbac } from './rbac';

export const SPEAKER_RBAC: ComponentRbac = {
  serviceAccount: SPEAKER,
  clusterRoleName: 'metallb-system:speaker',
  roleName: 'pod-lister',
  clusterRules: [
    {
      why:
        'Informers of speaker/app/speaker.ts: Services (assigned addresses), EndpointSlices (serving\n' +
        'endpoints), Nodes (election, node selectors), Namespaces (pool namespaceSelectors in buildConfig).',
      rules: [
        { apiGroups: [''], resources: ['services', 'nodes', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      why: 'nodeAssigned and announceFailed Events on Services (speaker/app/writers.ts, kube/eventrecorder.ts).',
      rules: [{ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] }],
    },
    {
      why:
        'HTTPS metrics with --metrics-cert-dir (OpenShift): authenticate and authorize scrapers\n' +
        '(speaker/main.ts, kube/securemetrics.ts authorizeMetrics).',
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ],
    },
  ],
  namespacedRules: [
    {
      why:
        'Speaker Pods: membership candidates (list/watch, speaker/app/speaker.ts) and our own Pod as owner of\n' +
        'what we write (get).',
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      why: 'Config informers (buildConfig input for the Layer 2 and BGP paths, speaker/app/speaker.ts).',
      rules: [
        {
          apiGroups: ['metallb.io'],
          resources: [
            'ipaddresspools',
            'l2advertisements',
            'addresspools',
            'bgppeers',
            'bgpadvertisements',
            'communities',
            'bfdprofiles',
          ],
          verbs: ['list', 'watch'],
        },
      ],
    },
    {
      why:
        'The bgpextras ConfigMap: an informer on that one name, appended to frr.conf in FRR mode and refused\n' +
        'in native mode (speaker/frr/extras.ts, speaker/app/speaker.ts).',
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch'] }],
    },
    {
      why:
        'BGPPeer passwordSecret: an informer on the basic-auth Secrets of the namespace, the only type that\n' +
        'can hold a BGP password (config/peers.ts).',
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }],
    },
    {
      why:
        'Our ServiceL2Status and ServiceBGPStatus objects and ConfigurationState speaker-<node>: informers, server-side apply\n' +
        '(a PATCH that creates the object is authorized as create too), and deletion when this node stops\n' +
        'announcing (speaker/app/writers.ts).',
      rules: [
        {
          apiGroups: ['metallb.io'],
          resources: ['servicel2statuses', 'servicebgpstatuses'],
          verbs: ['list', 'watch', 'create', 'patch', 'delete'],
        },
        {
          apiGroups: ['metallb.io'],
          resources: ['configurationstates'],
          verbs: ['list', 'watch', 'create', 'patch'],
        },
        {
          apiGroups: ['metallb.io'],
          resources: ['servicel2statuses/status', 'servicebgpstatuses/status', 'configurationstates/status'],
          verbs: ['patch'],
        },
      ],
    },
  ],
};

export function renderSpeakerRbac(opts: InstallOptions): AnnotatedObject[] {
  return renderComponentRbac(SPEAKER_RBAC, opts);
}
