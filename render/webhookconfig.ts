// The ValidatingWebhookConfiguration: upstream's webhook names (<kind>validationwebhook.metallb.io) and paths
// (/validate-metallb-io-<version>-<kind>), one per kind the controller's webhook server validates
// (controller/webhooks/validate.ts). The controller injects the CA bundle itself.
import { WEBHOOK_CONFIGURATION, WEBHOOK_SERVICE } from './names';
import { INJECT_CABUNDLE_ANNOTATION } from './openshift';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

interface ValidatedKind {
  /** Lower-case kind, as in the webhook name and path. */
  readonly kind: string;
  readonly version: string;
  readonly plural: string;
  readonly operations: readonly string[];
}

// BFDProfiles are checked on DELETE (still referenced by a peer?), not on UPDATE, as upstream does.
export const VALIDATED_KINDS: readonly ValidatedKind[] = [
  { kind: 'bgppeer', version: 'v1beta2', plural: 'bgppeers', operations: ['CREATE', 'UPDATE'] },
  { kind: 'bfdprofile', version: 'v1beta1', plural: 'bfdprofiles', operations: ['CREATE', 'DELETE'] },
  {
    kind: 'bgpadvertisement',
    version: 'v1beta1',
    plural: 'bgpadvertisements',
    operations: ['CREATE', 'UPDATE'],
  },
  { kind: 'community', version: 'v1beta1', plural: 'communities', operations: ['CREATE', 'UPDATE'] },
  { kind: 'ipaddresspool', version: 'v1beta1', plural: 'ipaddresspools', operations: ['CREATE', 'UPDATE'] },
  {
    kind: 'l2advertisement',
    version: 'v1beta1',
    plural: 'l2advertisements',
    operations: ['CREATE', 'UPDATE'],
  },
];

export function renderWebhookConfiguration(opts: InstallOptions): AnnotatedObject[] {
  return [
    annotated({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: {
        name: WEBHOOK_CONFIGURATION,
        // On OpenShift the service CA injects its bundle; elsewhere the controller does.
        ...(opts.platform === 'openshift' ? { annotations: { [INJECT_CABUNDLE_ANNOTATION]: 'true' } } : {}),
      },
      webhooks: VALIDATED_KINDS.map((k) => ({
        name: `${k.kind}validationwebhook.metallb.io`,
        admissionReviewVersions: ['v1'],
        clientConfig: {
          service: {
            name: WEBHOOK_SERVICE,
            namespace: opts.namespace,
            path: `/validate-metallb-io-${k.version}-${k.kind}`,
          },
        },
        failurePolicy: 'Fail',
        sideEffects: 'None',
        rules: [
          {
            apiGroups: ['metallb.io'],
            apiVersions: [k.version],
            operations: k.operations,
            resources: [k.plural],
          },
        ],
      })),
    }),
  ];
}
