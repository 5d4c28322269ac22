// The ClusterServiceVersion of the OLM bundle (registry+v1): what OperatorHub shows, the operator Deployment
// OLM runs, the RBAC OLM grants to every ServiceAccount (the operator's, the controller's and the speakers',
// from the same rule groups the native manifest binds: controllerrbac.ts, speakerrbac.ts), every CRD in crds/
// as owned, and every image an operand runs as relatedImages (disconnected installs mirror them). Upstream's
// CSV (metallb-operator bundle/manifests/metallb-operator.clusterserviceversion.yaml) is the model; the
// validators of operator-framework/api (pkg/validation) decide what is required.
import { GROUP, KINDS, type KindDefinition } from '../api/registry';
import { ALM_EXAMPLES } from './almexamples';
import { CONTROLLER_RBAC } from './controllerrbac';
import {
  OPERATOR_DEPLOYMENT,
  OPERATOR_WEBHOOK_PORT,
  operatorDeploymentSpec,
  type OperatorImages,
} from './operatordeployment';
import { OPERATOR_RBAC } from './operatorrbac';
import { METALLB_WEBHOOK_PATH, METALLB_WEBHOOK_RULES } from './operatorwebhook';
import type { ComponentRbac, PolicyRule } from './rbac';
import { SPEAKER_RBAC } from './speakerrbac';

export const PACKAGE = 'ironlb-operator';
/**
 * OLM's channel naming convention (candidate, fast, stable; the good-practices validator warns on others):
 * `candidate` until a release is supported.
 */
export const CHANNEL = 'candidate';
const MATURITY = 'alpha';

export interface BundleOptions {
  /** Semver, without the leading v (package.json's version). */
  readonly version: string;
  readonly images: OperatorImages;
  /** The CSV's createdAt; fixed per release so regenerating does not drift. */
  readonly createdAt: string;
  readonly minKubeVersion: string;
}

export const csvName = (version: string): string => `${PACKAGE}.v${version}`;

/** When this version was cut: set with the version in package.json, so regenerating never drifts. */
export const RELEASED_AT = '2026-12-01T00:00:00Z';

/** The published images of a release: ironlb's three, and upstream's FRR (FRR_IMAGE's default). */
export function releaseBundleOptions(version: string): BundleOptions {
  const image = (name: string) => `quay.io/ironlb/ironlb-${name}:v${version}`;
  return {
    version,
    images: {
      operator: image('operator'),
      controller: image('controller'),
      speaker: image('speaker'),
      frr: 'quay.io/frrouting/frr:9.1.0',
    },
    createdAt: RELEASED_AT,
    minKubeVersion: '1.25.0',
  };
}

// A plain mark of the project: a ring for the pool and a dot for the address it hands out.
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">' +
  '<circle cx="32" cy="32" r="26" fill="none" stroke="#4a5d7e" stroke-width="8"/>' +
  '<circle cx="32" cy="32" r="9" fill="#c0392b"/></svg>';

export const CSV_DESCRIPTION = `ironlb gives LoadBalancer Services an address on bare-metal clusters and announces it with
ARP/NDP (layer 2) or BGP. It is a reimplementation of MetalLB and its operator that serves the same
metallb.io API: existing IPAddressPool, L2Advertisement, BGPPeer and MetalLB resources work unchanged.

Create one MetalLB resource named \`metallb\` in the operator's namespace; the operator deploys the
controller and the speakers from it and reports their state in the resource's conditions.`;

export const CSV_ICON = { base64data: Buffer.from(ICON_SVG).toString('base64'), mediatype: 'image/svg+xml' };

/** Kinds the components write themselves: hidden from the console's create forms. */
const INTERNAL_KINDS = ['ServiceL2Status', 'ServiceBGPStatus', 'ConfigurationState'];

const crdName = (def: KindDefinition) => `${def.plural}.${GROUP}`;

function ownedCrds(): Record<string, unknown>[] {
  return KINDS.flatMap((def) =>
    def.versions.map((v) => ({
      name: crdName(def),
      version: v.name,
      kind: def.kind,
      displayName: def.kind,
      description: v.description,
    })),
  );
}

const rules = (groups: ComponentRbac['clusterRules']): PolicyRule[] => groups.flatMap((g) => g.rules);

function permissions(which: 'clusterRules' | 'namespacedRules'): Record<string, unknown>[] {
  return [OPERATOR_RBAC, CONTROLLER_RBAC, SPEAKER_RBAC].map((c) => ({
    serviceAccountName: c.serviceAccount,
    rules: rules(c[which]),
  }));
}

export function renderClusterServiceVersion(opts: BundleOptions): Record<string, unknown> {
  const { images } = opts;
  return {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'ClusterServiceVersion',
    metadata: {
      name: csvName(opts.version),
      namespace: 'placeholder',
      annotations: {
        'alm-examples': JSON.stringify(ALM_EXAMPLES, null, 2),
        capabilities: 'Basic Install',
        categories: 'Networking',
        certified: 'false',
        containerImage: images.operator,
        createdAt: opts.createdAt,
        description: 'Bare-metal LoadBalancer Services, drop-in compatible with the MetalLB API.',
        'operatorframework.io/suggested-namespace': 'metallb-system',
        'operators.operatorframework.io/internal-objects': JSON.stringify(
          KINDS.filter((k) => INTERNAL_KINDS.includes(k.kind)).map(crdName),
        ),
        support: 'Community',
      },
      labels: {
        'operatorframework.io/arch.amd64': 'supported',
        'operatorframework.io/arch.arm64': 'supported',
        'operatorframework.io/os.linux': 'supported',
      },
    },
    spec: {
      displayName: 'ironlb',
      description: CSV_DESCRIPTION,
      version: opts.version,
      minKubeVersion: opts.minKubeVersion,
      maturity: MATURITY,
      provider: { name: 'ironlb' },
      // No maintainers and no repository link yet: the project has published neither, and the CSV must not
      // invent contacts. OperatorHub's suite warns until they are set.
      links: [{ name: 'MetalLB API (served unchanged)', url: 'https://metallb.io/apis/' }],
      keywords: ['load balancer', 'bare metal', 'metallb', 'bgp', 'arp', 'ndp'],
      icon: [CSV_ICON],
      // The operator reads only its own namespace (OPERATOR_NAMESPACE), whatever the OperatorGroup targets.
      installModes: [
        { type: 'OwnNamespace', supported: true },
        { type: 'SingleNamespace', supported: false },
        { type: 'MultiNamespace', supported: false },
        { type: 'AllNamespaces', supported: true },
      ],
      customresourcedefinitions: { owned: ownedCrds() },
      install: {
        strategy: 'deployment',
        spec: {
          deployments: [{ name: OPERATOR_DEPLOYMENT, spec: operatorDeploymentSpec(images) }],
          permissions: permissions('namespacedRules'),
          clusterPermissions: permissions('clusterRules'),
        },
      },
      // OLM creates the ValidatingWebhookConfiguration and mounts its serving certificate into the operator
      // (upstream's metallbvalidationwebhook.metallb.io; operator/webhook/ serves it).
      webhookdefinitions: [
        {
          type: 'ValidatingAdmissionWebhook',
          generateName: 'metallbvalidationwebhook.metallb.io',
          deploymentName: OPERATOR_DEPLOYMENT,
          containerPort: 443,
          targetPort: OPERATOR_WEBHOOK_PORT,
          webhookPath: METALLB_WEBHOOK_PATH,
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          rules: METALLB_WEBHOOK_RULES,
        },
      ],
      relatedImages: [
        { name: 'operator', image: images.operator },
        { name: 'controller', image: images.controller },
        { name: 'speaker', image: images.speaker },
        { name: 'frr', image: images.frr },
      ],
    },
  };
}
