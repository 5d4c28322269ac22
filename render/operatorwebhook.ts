// The operator's own MetalLB validating webhook outside OLM (under OLM the CSV's webhookdefinitions make
// these, render/csv.ts): the Service in front of the operator Deployment's webhook port and the
// ValidatingWebhookConfiguration that sends MetalLB CREATE and UPDATE to it. Names are upstream's
// (metallb-operator config/webhook). Only an OpenShift install renders them: there the service CA issues the
// serving certificate into OPERATOR_WEBHOOK_CERT_SECRET and injects its CA bundle into the configuration;
// elsewhere nothing outside OLM provides a certificate yet, so the webhook stays off.
import { INJECT_CABUNDLE_ANNOTATION, SERVING_CERT_ANNOTATION } from './openshift';
import { annotated, type AnnotatedObject } from './object';
import { OPERATOR_LABELS, OPERATOR_WEBHOOK_PORT } from './operatordeployment';

export const OPERATOR_WEBHOOK_SERVICE = 'metallb-operator-webhook-service';
export const OPERATOR_WEBHOOK_CONFIGURATION = 'metallb-operator-webhook-configuration';
export const OPERATOR_WEBHOOK_CERT_SECRET = 'metallb-operator-webhook-server-cert';
/** Upstream's path (metallb-operator api/v1beta1/metallb_webhook.go); operator/bundle.test.ts pins it to the server's. */
export const METALLB_WEBHOOK_PATH = '/validate-metallb-io-v1beta1-metallb';

/** The webhook's rules, shared with the CSV's webhookdefinitions. */
export const METALLB_WEBHOOK_RULES = [
  {
    apiGroups: ['metallb.io'],
    apiVersions: ['v1beta1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['metallbs'],
  },
] as const;

export function renderOperatorWebhookOpenShift(namespace: string): AnnotatedObject[] {
  return [
    annotated({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: OPERATOR_WEBHOOK_SERVICE,
        namespace,
        annotations: { [SERVING_CERT_ANNOTATION]: OPERATOR_WEBHOOK_CERT_SECRET },
      },
      spec: { ports: [{ port: 443, targetPort: OPERATOR_WEBHOOK_PORT }], selector: OPERATOR_LABELS },
    }),
    annotated({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: {
        name: OPERATOR_WEBHOOK_CONFIGURATION,
        annotations: { [INJECT_CABUNDLE_ANNOTATION]: 'true' },
      },
      webhooks: [
        {
          name: 'metallbvalidationwebhook.metallb.io',
          admissionReviewVersions: ['v1'],
          clientConfig: {
            service: { name: OPERATOR_WEBHOOK_SERVICE, namespace, path: METALLB_WEBHOOK_PATH },
          },
          failurePolicy: 'Fail',
          sideEffects: 'None',
          rules: METALLB_WEBHOOK_RULES,
        },
      ],
    }),
  ];
}
