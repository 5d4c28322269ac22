// The HTTPS endpoint the API server calls: validating admission at upstream's paths and BGPPeer conversion
// at /convert. Routing and decoding are in `handle`, which tests drive with plain JSON; `listen` adds TLS.
// A request that cannot be parsed gets a 400; a failure while validating is a denial that says so, never a
// crash (with failurePolicy Fail the API server then refuses the write, which is the safe side).
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { Logger } from '../../kube/log';
import type { BGPType } from '../../config/modes';
import type { ClusterResources } from '../../config/resources';
import { describeError } from '../../kube/errors';
import { serveJsonPost } from '../../kube/jsonpost';
import { listen, type Listening } from '../../kube/listen';
import {
  AdmissionReviewSchema,
  AdmissionVerdict,
  ConversionReviewSchema,
  admissionResponse,
  conversionResponse,
  deny,
} from './admission';
import type { CertificatePair } from '../../kube/tls/certs';
import { DEFAULT_TLS_SERVER_SETTINGS, type TlsServerSettings } from '../../kube/tls/settings';
import { convertPeers } from './conversion';
import { ResourceKey, VALIDATION_PATHS, resourcesNeeded, validateAdmission } from './validate';

export const CONVERT_PATH = '/convert';
const MAX_BODY = 3 * 1024 * 1024;

export interface WebhookHandlerOptions {
  readonly namespace: string;
  readonly bgpType?: BGPType;
  /** The current objects of the given kinds (metallb.io, and Nodes, Namespaces, Secrets). */
  readonly snapshot: (kinds: readonly ResourceKey[]) => Promise<ClusterResources>;
  readonly logger: Logger;
}

export interface WebhookResponse {
  readonly status: number;
  readonly body: unknown;
}

export class WebhookServer {
  private server: https.Server | undefined;
  private listening: Listening | undefined;
  private tls: TlsServerSettings = DEFAULT_TLS_SERVER_SETTINGS;

  constructor(private readonly options: WebhookHandlerOptions) {}

  async handle(path: string, body: unknown): Promise<WebhookResponse> {
    const { logger } = this.options;
    if (path === CONVERT_PATH) {
      const review = ConversionReviewSchema.safeParse(body);
      if (!review.success) return { status: 400, body: { error: 'not a ConversionReview' } };
      const { uid, desiredAPIVersion, objects } = review.data.request;
      const result = convertPeers(objects, desiredAPIVersion);
      if (!result.ok) logger.warn('conversion failed', { error: result.message });
      return { status: 200, body: conversionResponse(uid, result) };
    }
    const kind = VALIDATION_PATHS[path];
    if (kind === undefined) return { status: 404, body: { error: `no webhook at ${path}` } };
    const review = AdmissionReviewSchema.safeParse(body);
    if (!review.success) return { status: 400, body: { error: 'not an AdmissionReview' } };
    const req = review.data.request;
    let verdict: AdmissionVerdict;
    try {
      const existing = await this.options.snapshot(resourcesNeeded(kind, req.operation));
      verdict = validateAdmission(kind, req, {
        namespace: this.options.namespace,
        existing,
        ...(this.options.bgpType !== undefined ? { bgpType: this.options.bgpType } : {}),
      });
    } catch (err) {
      logger.error('validation failed', { kind, name: req.name, error: describeError(err) });
      verdict = deny(`validation of ${kind} ${req.name ?? ''} failed: ${describeError(err)}`);
    }
    if (!verdict.allowed)
      logger.info('admission denied', {
        kind,
        name: req.name,
        operation: req.operation,
        reason: verdict.message,
      });
    return { status: 200, body: admissionResponse(req.uid, verdict) };
  }

  async listen(
    port: number,
    host: string,
    cert: CertificatePair,
    tls: TlsServerSettings = DEFAULT_TLS_SERVER_SETTINGS,
  ): Promise<number> {
    const server = https.createServer({ ...tls, cert: cert.cert, key: cert.key }, (req, res) => {
      void this.serve(req, res);
    });
    this.server = server;
    this.tls = tls;
    this.listening = await listen(server, 'webhook server', port, host);
    return this.listening.port;
  }

  /**
   * Swaps the serving certificate for new connections (rotation). The TLS settings go with it: a new
   * secure context without them would fall back to Node's defaults (TLS 1.2, every cipher).
   */
  setCertificate(cert: CertificatePair): void {
    this.server?.setSecureContext({ ...this.tls, cert: cert.cert, key: cert.key });
  }

  async close(): Promise<void> {
    const listening = this.listening;
    this.server = undefined;
    this.listening = undefined;
    await listening?.close();
  }

  private serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return serveJsonPost(req, res, {
      maxBytes: MAX_BODY,
      logger: this.options.logger,
      handle: (path, body) => this.handle(path, body),
    });
  }
}
