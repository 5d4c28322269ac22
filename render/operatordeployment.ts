// The operator's own Deployment, as the CSV's install strategy holds it (upstream's
// `metallb-operator-controller-manager`, config/manager/manager.yaml): the environment contract
// (operator/env.ts), leader election on, probes on :8080 as upstream's CSV reads them.
import { OPERATOR_SERVICE_ACCOUNT } from './operatorrbac';

export const OPERATOR_DEPLOYMENT = 'metallb-operator-controller-manager';
export const OPERATOR_LABELS = { 'control-plane': 'controller-manager' } as const;
const PROBE_PORT = 8080;
/** Where the MetalLB validating webhook listens; the CSV's webhookdefinitions target it. */
export const OPERATOR_WEBHOOK_PORT = 9443;

export interface OperatorImages {
  readonly operator: string;
  readonly controller: string;
  readonly speaker: string;
  readonly frr: string;
}

/** Where the operator reads its webhook certificate (operator/flags.ts --cert-dir default), and OLM mounts it. */
const CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';

/**
 * How the MetalLB validating webhook gets its certificate: `olm` mounts it from the CSV's webhookdefinitions,
 * `secret` names the Secret to mount (the service CA's, on OpenShift without OLM), `off` serves no webhook.
 */
export type OperatorWebhook =
  | { readonly kind: 'olm' }
  | { readonly kind: 'secret'; readonly secretName: string }
  | { readonly kind: 'off' };

/** The Deployment's spec (name and spec only: the form CSV `install.spec.deployments` takes). */
export function operatorDeploymentSpec(
  images: OperatorImages,
  webhook: OperatorWebhook = { kind: 'olm' },
): Record<string, unknown> {
  const serves = webhook.kind !== 'off';
  const mount = webhook.kind === 'secret';
  const probe = (path: string) => ({ httpGet: { path, port: PROBE_PORT } });
  return {
    replicas: 1,
    selector: { matchLabels: OPERATOR_LABELS },
    template: {
      metadata: { labels: OPERATOR_LABELS },
      spec: {
        serviceAccountName: OPERATOR_SERVICE_ACCOUNT,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: 'manager',
            image: images.operator,
            args: [
              '--enable-leader-election',
              // --cert-dir is the default, said explicitly: where OLM mounts the webhookdefinitions'
              // certificate, and a path in the spec that the e2e harness's process kubelet maps to the mount.
              ...(serves ? [`--webhook-port=${OPERATOR_WEBHOOK_PORT}`, `--cert-dir=${CERT_DIR}`] : []),
            ],
            env: [
              { name: 'OPERATOR_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'CONTROLLER_IMAGE', value: images.controller },
              { name: 'SPEAKER_IMAGE', value: images.speaker },
              { name: 'FRR_IMAGE', value: images.frr },
              { name: 'DEPLOY_SERVICEMONITORS', value: 'false' },
              { name: 'DEPLOY_PODMONITORS', value: 'false' },
            ],
            ports: [
              { name: 'health', containerPort: PROBE_PORT },
              ...(serves ? [{ name: 'webhook-server', containerPort: OPERATOR_WEBHOOK_PORT }] : []),
            ],
            readinessProbe: { ...probe('/readyz'), periodSeconds: 5 },
            livenessProbe: { ...probe('/healthz'), initialDelaySeconds: 15, periodSeconds: 20 },
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
            ...(mount ? { volumeMounts: [{ name: 'cert', mountPath: CERT_DIR, readOnly: true }] } : {}),
          },
        ],
        ...(mount ? { volumes: [{ name: 'cert', secret: { secretName: webhook.secretName } }] } : {}),
      },
    },
  };
}
