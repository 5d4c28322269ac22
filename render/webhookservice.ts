// The Service the API server calls the controller's webhook server through (validation here, BGPPeer
// conversion from the CRD in crds/).
import { CONTROLLER, WEBHOOK_CERT_SECRET, WEBHOOK_PORT, WEBHOOK_SERVICE } from './names';
import { SERVING_CERT_ANNOTATION } from './openshift';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

export function renderWebhookService(opts: InstallOptions): AnnotatedObject[] {
  return [
    annotated({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: WEBHOOK_SERVICE,
        namespace: opts.namespace,
        // On OpenShift the service CA issues the serving certificate into the Secret the controller mounts,
        // and rotates it (upstream's non-OLM OpenShift overlay does the same for this Service).
        ...(opts.platform === 'openshift'
          ? { annotations: { [SERVING_CERT_ANNOTATION]: WEBHOOK_CERT_SECRET } }
          : {}),
      },
      spec: {
        ports: [{ port: 443, targetPort: WEBHOOK_PORT }],
        selector: { component: CONTROLLER },
      },
    }),
  ];
}
