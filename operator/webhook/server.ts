// The HTTPS endpoint the API server calls for MetalLB admission. The serving certificate is the one OLM
// mounts for the CSV's webhookdefinitions (tls.crt and tls.key in the cert dir, controller-runtime's layout);
// OLM rotates it by rewriting the Secret and rolling the Deployment, so it is read once at start.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { Logger } from 'winston';
import { describeError } from '../../kube/errors';
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

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    try {
      if (req.method !== 'POST') return reply(405, { error: 'POST only' });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        size += buf.length;
        if (size > MAX_BODY) return reply(413, { error: 'request too large' });
        chunks.push(buf);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { error: 'body is not JSON' });
      }
      const out = reviewMetalLB(new URL(req.url ?? '/', 'https://webhook').pathname, body, this.validation);
      if (out.status === 200) this.logger.debug('reviewed MetalLB', { path: req.url });
      reply(out.status, out.body);
    } catch (err) {
      this.logger.error('webhook request failed', { path: req.url, error: describeError(err) });
      if (!res.headersSent) reply(500, { error: 'internal error' });
      else res.end();
    }
  }
}
