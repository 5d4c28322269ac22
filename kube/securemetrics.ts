// /metrics over HTTPS with Kubernetes authentication and authorization, as MetalLB serves it through
// controller-runtime's secure serving: the caller's bearer token goes through a TokenReview, and the user
// it names must be allowed `get` on the non-resource URL /metrics (a SubjectAccessReview). The certificate
// comes from --metrics-cert-dir, or is self-signed at start-up as controller-runtime does.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Registry } from './prometheus/registry';
import type { Logger } from './log';
import { z } from 'zod';
import { HealthServer } from './health';
import type { Listening } from './listen';
import type { RestClient } from './rest';
import { createCA, createServingCert } from './tls/certs';
import { DEFAULT_TLS_SERVER_SETTINGS, type TlsServerSettings } from './tls/settings';

export interface SecureMetricsOptions {
  readonly registry: Registry;
  readonly rest: RestClient;
  readonly logger: Logger;
  readonly port: number;
  readonly host: string;
  /** Holds tls.crt and tls.key; empty: a self-signed certificate. */
  readonly certDir?: string;
  /** Minimum version, ciphers and groups (kube/tls/settings.ts); default TLS 1.2 and up. */
  readonly tls?: TlsServerSettings;
}

const TokenReviewStatus = z.looseObject({
  status: z
    .looseObject({
      authenticated: z.boolean().optional(),
      user: z
        .looseObject({
          username: z.string().optional(),
          uid: z.string().optional(),
          groups: z.array(z.string()).optional(),
          extra: z.record(z.string(), z.array(z.string())).optional(),
        })
        .optional(),
    })
    .optional(),
});
const SubjectAccessReviewStatus = z.looseObject({
  status: z.looseObject({ allowed: z.boolean().optional() }).optional(),
});

/** 200 when the bearer token belongs to someone allowed to GET /metrics; else 401 or 403. */
export async function authorizeMetrics(
  rest: RestClient,
  authorization: string | undefined,
): Promise<200 | 401 | 403> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  const token = match?.[1];
  if (token === undefined) return 401;
  const review = TokenReviewStatus.parse(
    await rest.request({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    }),
  );
  const user = review.status?.user;
  if (review.status?.authenticated !== true || user === undefined) return 401;
  const access = SubjectAccessReviewStatus.parse(
    await rest.request({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          uid: user.uid,
          groups: user.groups ?? [],
          extra: user.extra ?? {},
          nonResourceAttributes: { path: '/metrics', verb: 'get' },
        },
      },
    }),
  );
  return access.status?.allowed === true ? 200 : 403;
}

export async function startSecureMetrics(o: SecureMetricsOptions): Promise<Listening> {
  let cert: { cert: string; key: string };
  if (o.certDir) {
    cert = await readCertDir(o.certDir);
  } else {
    cert = createServingCert(createCA(), { dnsNames: ['localhost'], validityMs: 365 * 86_400_000 });
  }
  const server = new HealthServer({
    logger: o.logger,
    metrics: o.registry,
    probes: false,
    tls: { ...cert, settings: o.tls ?? DEFAULT_TLS_SERVER_SETTINGS },
    authorizeMetrics: (authorization) => authorizeMetrics(o.rest, authorization),
  });
  const port = await server.listen(o.port, o.host);
  return { port, close: () => server.close() };
}

/** tls.crt and tls.key of a certificate directory (controller-runtime's layout, the service CA's Secret keys). */
export async function readCertDir(dir: string): Promise<{ cert: string; key: string }> {
  return {
    cert: await readFile(path.join(dir, 'tls.crt'), 'utf8'),
    key: await readFile(path.join(dir, 'tls.key'), 'utf8'),
  };
}
