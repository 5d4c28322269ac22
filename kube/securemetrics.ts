// /metrics over HTTPS with Kubernetes authentication and authorization, as MetalLB serves it through
// controller-runtime's secure serving: the caller's bearer token goes through a TokenReview, and the user
// it names must be allowed `get` on the non-resource URL /metrics (a SubjectAccessReview). The certificate
// comes from --metrics-cert-dir, or is self-signed at start-up as controller-runtime does.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { Registry } from './prometheus/registry';
import type { Logger } from './log';
import { z } from 'zod';
import { describeError } from './errors';
import { listen, type Listening } from './listen';
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
    cert = {
      cert: await readFile(path.join(o.certDir, 'tls.crt'), 'utf8'),
      key: await readFile(path.join(o.certDir, 'tls.key'), 'utf8'),
    };
  } else {
    cert = createServingCert(createCA(), { dnsNames: ['localhost'], validityMs: 365 * 86_400_000 });
  }
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://metrics').pathname;
    if (url !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404).end('not found\n');
      return;
    }
    const verdict = await authorizeMetrics(o.rest, req.headers.authorization);
    if (verdict !== 200) {
      res
        .writeHead(verdict, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end(verdict === 401 ? 'Unauthorized\n' : 'Forbidden\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': o.registry.contentType }).end(await o.registry.metrics());
  };
  const options = { ...(o.tls ?? DEFAULT_TLS_SERVER_SETTINGS), cert: cert.cert, key: cert.key };
  const server = https.createServer(options, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.logger.error('metrics request failed', { error: describeError(err) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return listen(server, 'secure metrics server', o.port, o.host);
}
