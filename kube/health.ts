// The probe and scrape endpoints: /healthz (liveness), /readyz (readiness) and /metrics, on node:http.
// Replies follow controller-runtime's healthz handler ("ok", or 500 with one "[+]name ok" /
// "[-]name failed: reason" line per check) so probes and humans read them the same way as MetalLB's.
// MetalLB serves health on 17472 (the speaker on 127.0.0.1 only) and metrics on 9120; one server class
// serves either or both. Over HTTPS when given a certificate (the speaker's --metrics-cert-dir), with /metrics
// then behind the caller's authorization as upstream's secure serving has it; probes stay open, as the
// kubelet sends no credentials.
import http from 'node:http';
import https from 'node:https';
import type { Registry } from './prometheus/registry';
import type { Logger } from './log';
import { describeError } from './errors';
import { listen, type Listening } from './listen';
import type { TlsServerSettings } from './tls/settings';

/** Resolves (or returns) when healthy; throws with the reason when not. */
export type HealthCheck = () => void | Promise<void>;

export interface HealthServerOptions {
  readonly logger: Logger;
  /** Serve /metrics from this registry; omit to serve no metrics. */
  readonly metrics?: Registry;
  /** Serve /healthz and /readyz. Default true. */
  readonly probes?: boolean;
  /** A check that has not answered by then fails. Default 5s. */
  readonly checkTimeoutMs?: number;
  /** Serve HTTPS with this PEM certificate and key, under these TLS settings (kube/tls/settings.ts). */
  readonly tls?: { readonly cert: string; readonly key: string; readonly settings: TlsServerSettings };
  /**
   * Decides each /metrics request from its Authorization header (kube/securemetrics.ts authorizeMetrics:
   * TokenReview, then SubjectAccessReview); absent serves everyone.
   */
  readonly authorizeMetrics?: (authorization: string | undefined) => Promise<200 | 401 | 403>;
}

interface CheckResult {
  readonly name: string;
  readonly error?: string;
}

export class HealthServer {
  private readonly liveness = new Map<string, HealthCheck>();
  private readonly readiness = new Map<string, HealthCheck>();
  private listening: Listening | undefined;

  constructor(private readonly options: HealthServerOptions) {}

  /** A failing liveness check gets the container restarted: only for states the process cannot leave. */
  addLivenessCheck(name: string, check: HealthCheck): void {
    this.liveness.set(name, check);
  }

  /** e.g. "informers-synced", "leader-elected"... not ready keeps traffic and rollouts waiting. */
  addReadinessCheck(name: string, check: HealthCheck): void {
    this.readiness.set(name, check);
  }

  /** Listens and resolves with the bound port (pass port 0 for any free one). */
  async listen(port: number, host: string): Promise<number> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      void this.handle(req, res).catch((err: unknown) => {
        this.options.logger.error('health endpoint failed', { path: req.url, error: describeError(err) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    };
    const tls = this.options.tls;
    const server =
      tls === undefined
        ? http.createServer(handler)
        : https.createServer({ ...tls.settings, cert: tls.cert, key: tls.key }, handler);
    this.listening = await listen(server, 'health server', port, host);
    return this.listening.port;
  }

  async close(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const probes = this.options.probes ?? true;
    if (probes && (path === '/healthz' || path === '/livez'))
      return this.probe(res, this.liveness, 'healthz');
    if (probes && path === '/readyz') return this.probe(res, this.readiness, 'readyz');
    const registry = this.options.metrics;
    if (registry !== undefined && path === '/metrics') {
      const verdict = (await this.options.authorizeMetrics?.(req.headers.authorization)) ?? 200;
      if (verdict !== 200) {
        res
          .writeHead(verdict, { 'Content-Type': 'text/plain; charset=utf-8' })
          .end(verdict === 401 ? 'Unauthorized\n' : 'Forbidden\n');
        return;
      }
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
  }

  private async probe(
    res: http.ServerResponse,
    checks: Map<string, HealthCheck>,
    what: string,
  ): Promise<void> {
    const results = await Promise.all([...checks].map(([name, check]) => this.run(name, check)));
    const failed = results.filter((r) => r.error !== undefined);
    const lines = results.map((r) =>
      r.error === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.error}`,
    );
    if (failed.length === 0) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    this.options.logger.info(`${what} check failed`, {
      failed: failed.map((f) => `${f.name}: ${f.error ?? ''}`),
    });
    res
      .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end(`${lines.join('\n')}\n${what} check failed\n`);
  }

  private async run(name: string, check: HealthCheck): Promise<CheckResult> {
    const timeoutMs = this.options.checkTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(check), timeout]);
      return { name };
    } catch (err) {
      return { name, error: describeError(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
