// Credentials made usable: one keep-alive https.Agent carrying the CA, the client certificate and the TLS
// options (so requests and watches share connections and TLS sessions), and the Authorization header,
// re-computed per request so a rotated token file is picked up. It has the two methods kube/rest.ts and
// kube/watch.ts call on a connection (KubeConfigLike), so they take it or a client-node KubeConfig alike.
import http from 'node:http';
import https from 'node:https';
import type { ClusterCredentials } from './credentials';

export interface ClusterAccessOptions {
  /** Concurrent connections to the API server. Default 32 (watches hold one each). */
  readonly maxSockets?: number;
}

export class ClusterAccess {
  readonly agent: http.Agent;

  constructor(
    readonly credentials: ClusterCredentials,
    options: ClusterAccessOptions = {},
  ) {
    const c = credentials;
    const common = { keepAlive: true, maxSockets: options.maxSockets ?? 32 };
    this.agent = c.server.startsWith('http:')
      ? new http.Agent(common)
      : new https.Agent({
          ...common,
          ...(c.caPem !== undefined ? { ca: c.caPem } : {}),
          ...(c.clientCertPem !== undefined ? { cert: c.clientCertPem } : {}),
          ...(c.clientKeyPem !== undefined ? { key: c.clientKeyPem } : {}),
          ...(c.tlsServerName !== undefined ? { servername: c.tlsServerName } : {}),
          rejectUnauthorized: !c.insecureSkipTLSVerify,
        });
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.credentials.server };
  }

  /** The Authorization header value for the next request, if the credentials carry one. */
  authorization(): string | undefined {
    const { bearer, basic } = this.credentials;
    if (bearer !== undefined) return `Bearer ${bearer.token()}`;
    if (basic !== undefined)
      return `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
    return undefined;
  }

  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    opts.agent = this.agent;
    const auth = this.authorization();
    if (auth !== undefined) {
      const headers = opts.headers === undefined || Array.isArray(opts.headers) ? {} : opts.headers;
      opts.headers = { ...headers, Authorization: auth };
    }
    return Promise.resolve();
  }

  /** Closes idle connections; for tests and shutdown. */
  close(): void {
    this.agent.destroy();
  }
}
