// Keeps the webhook's TLS material alive, as upstream's cert-controller does: a CA and a serving
// certificate in the Secret `metallb-webhook-cert`, reissued before they expire, and the CA injected as
// caBundle into the ValidatingWebhookConfiguration and into the BGPPeer CRD's conversion webhook. Every
// check is idempotent, so it also repairs a configuration that a redeploy reset.
import type { Logger } from '../../kube/log';
import { z } from 'zod';
import { Clock, TimerHandle } from '../../kube/clock';
import { describeError, isConflict, isNotFound } from '../../kube/errors';
import { collectionPath, objectPath, RESOURCES } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import { CertificatePair, createCA, createServingCert, isCertValid } from '../../kube/tls/certs';

const DAY_MS = 86_400_000;

export type FailurePolicy = 'Fail' | 'Ignore';

export interface CertManagerOptions {
  readonly rest: RestClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly namespace: string;
  /** Default metallb-webhook-cert. */
  readonly secretName?: string;
  /** Default metallb-webhook-service: the certificate names <service>.<namespace>.svc. */
  readonly serviceName?: string;
  /** Default metallb-webhook-configuration. */
  readonly webhookConfigName?: string;
  /** CRDs whose conversion webhook gets the CA. Default bgppeers.metallb.io. */
  readonly conversionCRDs?: readonly string[];
  /** Extra SANs, e.g. 127.0.0.1 when the API server reaches the webhook by URL. */
  readonly extraIPs?: readonly string[];
  readonly extraDNSNames?: readonly string[];
  /** Written into every webhook of the configuration when set. */
  readonly failurePolicy?: FailurePolicy;
  readonly certValidityMs?: number;
  /** Reissue when less than this is left. Default 90 days, as cert-controller's lookahead. */
  readonly rotateBeforeMs?: number;
  /** How often to re-check the Secret and the caBundles. Default one minute. */
  readonly checkEveryMs?: number;
  /** Called with the serving certificate whenever it is (re)loaded. */
  readonly onCertificate: (cert: CertificatePair) => void;
}

const SecretSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }),
  data: z.record(z.string(), z.string()).nullish(),
});

const WebhookConfigSchema = z.looseObject({
  webhooks: z
    .array(
      z.looseObject({
        clientConfig: z.looseObject({ caBundle: z.string().optional() }),
        failurePolicy: z.string().optional(),
      }),
    )
    .nullish(),
});

const CRDSchema = z.looseObject({
  spec: z.looseObject({
    conversion: z
      .looseObject({
        strategy: z.string().optional(),
        webhook: z
          .looseObject({ clientConfig: z.looseObject({ caBundle: z.string().optional() }).optional() })
          .optional(),
      })
      .optional(),
  }),
});

interface Material {
  readonly ca: CertificatePair;
  readonly serving: CertificatePair;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string =>
  s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8');

export class CertManager {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private current: string | undefined;

  constructor(private readonly o: CertManagerOptions) {}

  get secretName(): string {
    return this.o.secretName ?? 'metallb-webhook-cert';
  }

  /** Makes sure a valid certificate exists, is served, and is trusted; returns it. */
  async ensure(): Promise<CertificatePair> {
    const material = await this.ensureSecret();
    if (this.current !== material.serving.cert) {
      this.current = material.serving.cert;
      this.o.onCertificate(material.serving);
    }
    const caBundle = b64(material.ca.cert);
    await this.injectWebhookConfig(caBundle);
    for (const crd of this.o.conversionCRDs ?? ['bgppeers.metallb.io']) await this.injectCRD(crd, caBundle);
    return material.serving;
  }

  /** Re-checks periodically until stop(). */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.ensure()
        .catch((err: unknown) =>
          this.o.logger.error('webhook certificate check failed', { error: describeError(err) }),
        )
        .finally(() => {
          if (!this.stopped) this.timer = this.o.clock.setTimeout(tick, this.o.checkEveryMs ?? 60_000);
        });
    };
    this.timer = this.o.clock.setTimeout(tick, this.o.checkEveryMs ?? 60_000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
  }

  private async ensureSecret(): Promise<Material> {
    const path = objectPath(RESOURCES.secrets, this.secretName, this.o.namespace);
    for (let attempt = 0; ; attempt++) {
      const existing = await this.readSecret(path);
      const margin = this.o.rotateBeforeMs ?? 90 * DAY_MS;
      const ca = existing?.ca;
      if (existing && ca && isCertValid(existing.serving.cert, ca.cert, margin)) return existing;
      // Keep a CA that is still good: the API server's trust (caBundle) then survives the reissue.
      const caOk = ca !== undefined && isCertValid(ca.cert, ca.cert, margin);
      const nextCA = caOk && ca ? ca : createCA();
      const serving = createServingCert(nextCA, {
        dnsNames: this.dnsNames(),
        ips: this.o.extraIPs ?? [],
        validityMs: this.o.certValidityMs ?? 365 * DAY_MS,
      });
      const data = {
        'ca.crt': b64(nextCA.cert),
        'ca.key': b64(nextCA.key),
        'tls.crt': b64(serving.cert),
        'tls.key': b64(serving.key),
      };
      try {
        if (existing === undefined) {
          await this.o.rest.request({
            method: 'POST',
            path: collectionPath(RESOURCES.secrets, this.o.namespace),
            body: {
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: { name: this.secretName, namespace: this.o.namespace },
              type: 'Opaque',
              data,
            },
          });
        } else {
          await this.o.rest.request({
            method: 'PUT',
            path,
            body: {
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: {
                name: this.secretName,
                namespace: this.o.namespace,
                resourceVersion: existing.resourceVersion,
              },
              type: 'Opaque',
              data,
            },
          });
        }
        this.o.logger.info('webhook certificate issued', { secret: this.secretName, newCA: !caOk });
        return { ca: nextCA, serving };
      } catch (err) {
        // Another replica wrote it first: use theirs.
        if (isConflict(err) && attempt < 3) continue;
        throw err;
      }
    }
  }

  private async readSecret(
    path: string,
  ): Promise<(Material & { resourceVersion: string | undefined }) | undefined> {
    let raw: unknown;
    try {
      raw = await this.o.rest.request({ method: 'GET', path });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const secret = SecretSchema.parse(raw);
    const data = secret.data ?? {};
    return {
      resourceVersion: secret.metadata.resourceVersion,
      ca: { cert: unb64(data['ca.crt']), key: unb64(data['ca.key']) },
      serving: { cert: unb64(data['tls.crt']), key: unb64(data['tls.key']) },
    };
  }

  private dnsNames(): string[] {
    const service = this.o.serviceName ?? 'metallb-webhook-service';
    const ns = this.o.namespace;
    return [
      `${service}.${ns}.svc`,
      `${service}.${ns}.svc.cluster.local`,
      `${service}.${ns}`,
      service,
      ...(this.o.extraDNSNames ?? []),
    ];
  }

  private async injectWebhookConfig(caBundle: string): Promise<void> {
    const name = this.o.webhookConfigName ?? 'metallb-webhook-configuration';
    const path = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${encodeURIComponent(name)}`;
    await this.updateIfChanged(path, `ValidatingWebhookConfiguration ${name}`, (raw) => {
      const parsed = WebhookConfigSchema.parse(raw);
      let changed = false;
      const webhooks = (parsed.webhooks ?? []).map((w) => {
        const policy = this.o.failurePolicy ?? w.failurePolicy;
        if (w.clientConfig.caBundle === caBundle && w.failurePolicy === policy) return w;
        changed = true;
        return {
          ...w,
          clientConfig: { ...w.clientConfig, caBundle },
          ...(policy !== undefined ? { failurePolicy: policy } : {}),
        };
      });
      return changed ? { ...parsed, webhooks } : undefined;
    });
  }

  private async injectCRD(name: string, caBundle: string): Promise<void> {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`;
    await this.updateIfChanged(path, `CustomResourceDefinition ${name}`, (raw) => {
      const crd = CRDSchema.parse(raw);
      const conversion = crd.spec.conversion;
      if (conversion?.strategy !== 'Webhook' || !conversion.webhook) return undefined;
      const clientConfig = conversion.webhook.clientConfig ?? {};
      if (clientConfig.caBundle === caBundle) return undefined;
      return {
        ...crd,
        spec: {
          ...crd.spec,
          conversion: {
            ...conversion,
            webhook: { ...conversion.webhook, clientConfig: { ...clientConfig, caBundle } },
          },
        },
      };
    });
  }

  /** GET, change, PUT (the body carries the resourceVersion read, so a concurrent edit conflicts and is retried). */
  private async updateIfChanged(
    path: string,
    what: string,
    change: (raw: unknown) => unknown,
  ): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      let raw: unknown;
      try {
        raw = await this.o.rest.request({ method: 'GET', path });
      } catch (err) {
        if (isNotFound(err)) {
          this.o.logger.debug(`${what} not found, nothing to inject`);
          return;
        }
        throw err;
      }
      const next = change(raw);
      if (next === undefined) return;
      try {
        await this.o.rest.request({ method: 'PUT', path, body: next });
        this.o.logger.info('caBundle injected', { target: what });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }
}
