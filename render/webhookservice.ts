// The Service the API server calls the controller's webhook server through (validation here, BGPPeer
// conversion from the CRD in crds/).
import { CONTROLLER, WEBHOOK_PORT, WEBHOOK_SERVICE } from './names';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

export function renderWebhookService(opts: InstallOptions): AnnotatedObject[] {
  return [
    annotated({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: WEBHOOK_SERVICE, namespace: opts.namespace },
      spec: {
        ports: [{ port: 443, targetPort: WEBHOOK_PORT }],
        selector: { component: CONTROLLER },
      },
    }),
  ];
}
