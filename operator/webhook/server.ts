// The HTTPS endpoint the API server calls for MetalLB admission. The serving certificate is the one OLM
// mounts for the CSV's webhookdefinitions (tls.crt and tls.key in the cert dir, controller-runtime's layout);
// OLM rotates it by rewriting the Secret and rolling the Deployment, so it is read once at start. Its TLS
// settings are the operands' (TLS_*, or on OpenShift the cluster's profile) and change live (useTls).
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { Logger } from '../../kube/log';
import { serveJsonPost } from '../../kube/jsonpost';
import { listen, type Listening } from '../../kube/listen';
import { DEFAULT_TLS_SERVER_SETTINGS, type TlsServerSettings } from '../../kube/tls/settings';
import type { ValidationEnvironment } from '../validate';
import { reviewMetalLB } from './review';

const MAX_BODY = 3 * 1024 * 1024;

export interface ServingCertificate {
  readonly cert: string;
  readonly key: string;
}

export class MetalLBWebhookServer {
  private server: https.Server | undefined;
  private listening: Listening | undefined;
  private cert: ServingCertificate | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly validation: ValidationEnvironment = {},
  ) {}

  async listen(
    port: number,
    host: string,
    cert: ServingCertificate,
    tls: TlsServerSettings = DEFAULT_TLS_SERVER_SETTINGS,
  ): Promise<number> {
    const server = https.createServer({ ...tls, cert: cert.cert, key: cert.key }, (req, res) => {
      void this.serve(req, res);
    });
    this.server = server;
    this.cert = cert;
    this.listening = await listen(server, 'operator webhook server', port, host);
    return this.listening.port;
  }

  /** New TLS settings for new connections; open ones keep what they negotiated. */
  useTls(tls: TlsServerSettings): void {
    if (this.cert === undefined) return;
    this.server?.setSecureContext({ ...tls, cert: this.cert.cert, key: this.cert.key });
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
      logger: this.logger,
      handle: (path, body) => {
        const out = reviewMetalLB(path, body, this.validation);
        if (out.status === 200) this.logger.debug('reviewed MetalLB', { path: req.url });
        return out;
      },
    });
  }
}
