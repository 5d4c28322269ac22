// The Secret the webhook server's certificate lives in. It is created empty so the controller Pod can mount it
// before the controller has written anything (controller/webhooks/certmanager.ts fills it).
import { WEBHOOK_CERT_SECRET } from './names';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

export function renderWebhookCertSecret(opts: InstallOptions): AnnotatedObject[] {
  // On OpenShift the service CA creates it (render/webhookservice.ts) and refuses to fill one it did not make.
  if (opts.platform === 'openshift') return [];
  return [
    annotated(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: WEBHOOK_CERT_SECRET, namespace: opts.namespace },
      },
      {
        path: [],
        text: 'Filled by the controller itself (self-managed CA and serving certificate, rotated before expiry).',
      },
    ),
  ];
}
