// Starts the webhook server with its certificate: self-managed (issued, stored in the Secret, injected as
// caBundle, rotated) unless --disable-cert-rotation, in which case tls.crt/tls.key are read from --cert-dir
// as provisioned by someone else (cert-manager, a mounted Secret).
import { readCertDir } from '../../kube/securemetrics';
import type { Logger } from '../../kube/log';
import type { BGPType } from '../../config/modes';
import type { Clock } from '../../kube/clock';
import type { RestClient } from '../../kube/rest';
import { CertManager, FailurePolicy } from '../webhooks/certmanager';
import { restSnapshot } from '../webhooks/lister';
import { WebhookServer } from '../webhooks/server';
import type { TlsServerSettings } from '../../kube/tls/settings';

export interface WebhookOptions {
  readonly rest: RestClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly namespace: string;
  readonly port: number;
  readonly host?: string;
  readonly bgpType?: BGPType;
  readonly failurePolicy?: FailurePolicy;
  readonly secretName?: string;
  readonly serviceName?: string;
  readonly webhookConfigName?: string;
  readonly disableCertRotation?: boolean;
  readonly certDir?: string;
  readonly extraIPs?: readonly string[];
  readonly checkEveryMs?: number;
  /** --tls-min-version, --tls-cipher-suites, --tls-curve-preferences; default TLS 1.2 and up. */
  readonly tls?: TlsServerSettings;
}

export interface RunningWebhooks {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startWebhooks(o: WebhookOptions): Promise<RunningWebhooks> {
  const server = new WebhookServer({
    namespace: o.namespace,
    snapshot: restSnapshot(o.rest, o.namespace),
    logger: o.logger.child({ component: 'webhook' }),
    ...(o.bgpType !== undefined ? { bgpType: o.bgpType } : {}),
  });
  const host = o.host ?? '0.0.0.0';
  if (o.disableCertRotation === true) {
    const dir = o.certDir ?? '/tmp/k8s-webhook-server/serving-certs';
    const cert = await readCertDir(dir);
    const port = await server.listen(o.port, host, cert, o.tls);
    return { port, stop: () => server.close() };
  }
  let listening = false;
  const certs = new CertManager({
    rest: o.rest,
    clock: o.clock,
    logger: o.logger,
    namespace: o.namespace,
    onCertificate: (cert) => {
      if (listening) server.setCertificate(cert);
    },
    ...(o.failurePolicy !== undefined ? { failurePolicy: o.failurePolicy } : {}),
    ...(o.secretName !== undefined ? { secretName: o.secretName } : {}),
    ...(o.serviceName !== undefined ? { serviceName: o.serviceName } : {}),
    ...(o.webhookConfigName !== undefined ? { webhookConfigName: o.webhookConfigName } : {}),
    ...(o.extraIPs !== undefined ? { extraIPs: o.extraIPs } : {}),
    ...(o.checkEveryMs !== undefined ? { checkEveryMs: o.checkEveryMs } : {}),
  });
  const cert = await certs.ensure();
  const port = await server.listen(o.port, host, cert, o.tls);
  listening = true;
  certs.start();
  return {
    port,
    async stop() {
      certs.stop();
      await server.close();
    },
  };
}
