// The HTTPS endpoint the API server calls for MetalLB admission. The serving certificate is the one OLM
// mounts for the CSV's webhookdefinitions (tls.crt and tls.key in the cert dir, controller-runtime's layout);
// OLM rotates it by rewriting the Secret and rolling the Deployment, so it is read once at start.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { Logger } from '../../kube/log';
import { serveJsonPost } from '../../kube/jsonpost';
import { listen, type Listening } from '../../kube/listen';
import type { ValidationEnvironment } from '../validate';
import { reviewMetalLB } from './review';

const MAX_BODY = 3 * 1024 * 1024;

export interface ServingCertificate {
  readonly cert: string;
  readonly key: string;
}

export class MetalLBWebhookServer {
  private listening: Listening | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly validation: ValidationEnvironment = {},
  ) {}

  async listen(port: number, host: string, cert: ServingCertificate): Promise<number> {
    const server = https.createServer(
      { cert: cert.cert, key: cert.key, minVersion: 'TLSv1.2' },
      (req, res) => {
        void this.serve(req, res);
      },
    );
    this.listening = await listen(server, 'operator webhook server', port, host);
    return this.listening.port;
  }

  async close(): Promise<void> {
    await this.listening?.close();
    this.listening = undefined;
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
