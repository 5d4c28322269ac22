// A small JSON client for the Kubernetes REST API. Authentication and TLS come from a connection
// (KubeConfigLike): in the deployables a ClusterAccess built from kube/credentials, which never loads
// client-node (its generated model graph alone is about 80 MiB of RSS); in tests and the harness also
// client-node's KubeConfig, which has the same two methods.
// Why not client-node's generated APIs: they deserialize into model classes with Date fields (so cached
// objects differ from watched ones, which stay plain JSON), they read MicroTime fields (Lease renewTime,
// Event eventTime) back as strings while typing them as Date, they write a plain Date as
// "...123Z" which the API server rejects for MicroTime, and every PATCH defaults to JSON Patch unless a
// Content-Type middleware is passed. Plain JSON in and out, with the content type chosen per call, avoids
// all four.
import http from 'node:http';
import https from 'node:https';
import { KubeApiError, KubeStatus, KubeTransportError, kubeStatusSchema } from './errors';

/**
 * How to reach the API server: its URL, and the agent and headers of each request. ClusterAccess
 * (kube/credentials) implements it; so does client-node's KubeConfig, structurally.
 */
export interface KubeConfigLike {
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | undefined;

export interface RestRequest {
  readonly method: HttpMethod;
  /** Absolute API path, e.g. /api/v1/namespaces/default/services. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON (JSON is also valid YAML, so server-side apply bodies go here too). */
  readonly body?: unknown;
  /** Defaults to application/json when there is a body. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** What the rest of kube/ needs from an API client; tests implement it in memory. */
export interface RestClient {
  /** The parsed JSON response, undefined for an empty body. Throws KubeApiError or KubeTransportError. */
  request(req: RestRequest): Promise<unknown>;
}

export const CONTENT_TYPE = {
  json: 'application/json',
  mergePatch: 'application/merge-patch+json',
  strategicMergePatch: 'application/strategic-merge-patch+json',
  jsonPatch: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export interface KubeRestClientOptions {
  /** Per-request timeout (no response or a stalled body). Default 30s. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

export function buildUrl(server: string, path: string, query?: Readonly<Record<string, QueryValue>>): URL {
  // The server may carry a path prefix (Rancher-style proxies: https://host/k8s/clusters/c-1).
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/** The metav1.Status in an error body, or a Status made up from the text when the body is not one. */
export function parseErrorBody(code: number, text: string): KubeStatus {
  try {
    const parsed = kubeStatusSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: fall through.
  }
  return { code, message: text.slice(0, 500) };
}

/**
 * client-node's KubeConfig hands out one cached `https.Agent` per cluster and user, built without keepAlive, so every
 * request would pay a TCP and TLS handshake (a fifth of the controller's CPU in the 5,000-Service bench, and a
 * cap on its throughput). This swaps in a keep-alive agent with the same TLS options, one per original agent.
 * Proxy agents (a subclass) are left alone.
 */
export class KeepAliveAgents {
  private readonly byOriginal = new WeakMap<https.Agent, https.Agent>();

  upgrade(agent: http.Agent | boolean): http.Agent | boolean {
    if (
      !(agent instanceof https.Agent) ||
      agent.constructor !== https.Agent ||
      agent.options.keepAlive === true
    ) {
      return agent;
    }
    let upgraded = this.byOriginal.get(agent);
    if (upgraded === undefined) {
      upgraded = new https.Agent({ ...agent.options, keepAlive: true, maxSockets: 32 });
      this.byOriginal.set(agent, upgraded);
    }
    return upgraded;
  }
}

export class KubeRestClient implements RestClient {
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly agents = new KeepAliveAgents();

  constructor(
    private readonly kubeConfig: KubeConfigLike,
    options: KubeRestClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'ironlb';
  }

  async request(req: RestRequest): Promise<unknown> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster === null)
      throw new KubeTransportError(req.method, req.path, new Error('kubeconfig has no current cluster'));
    const url = buildUrl(cluster.server, req.path, req.query);
    const headers: Record<string, string> = { Accept: CONTENT_TYPE.json, 'User-Agent': this.userAgent };
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    if (payload !== undefined) {
      headers['Content-Type'] = req.contentType ?? CONTENT_TYPE.json;
      headers['Content-Length'] = String(payload.length);
    }
    const options: https.RequestOptions = { method: req.method, headers };
    if (req.signal !== undefined) options.signal = req.signal;
    await this.kubeConfig.applyToHTTPSOptions(options);
    if (options.agent !== undefined) options.agent = this.agents.upgrade(options.agent);
    const { code, text } = await this.send(url, options, payload, req);
    if (code >= 200 && code < 300) {
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new KubeTransportError(req.method, req.path, err);
      }
    }
    throw new KubeApiError(code, req.method, req.path, parseErrorBody(code, text));
  }

  private send(
    url: URL,
    options: https.RequestOptions,
    payload: Buffer | undefined,
    req: RestRequest,
  ): Promise<{ code: number; text: string }> {
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const fail = (err: unknown): void => reject(new KubeTransportError(req.method, req.path, err));
      const request = transport.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () =>
          resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      request.setTimeout(this.timeoutMs, () =>
        request.destroy(new Error(`no response within ${this.timeoutMs}ms`)),
      );
      request.on('error', fail);
      request.end(payload);
    });
  }
}
