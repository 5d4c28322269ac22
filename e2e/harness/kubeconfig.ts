// Kubeconfig files for the components and for tests. Certificates are embedded (the *-data fields) so a
// kubeconfig stays valid if copied out of the run folder, e.g. for a `kubectl` session while debugging.
import * as fs from 'node:fs/promises';
import * as https from 'node:https';
import { stringify } from 'yaml';
import { KubeRestClient, type RestClient } from '../../kube/rest';
import type { CertPair } from './certs';

export interface KubeconfigSpec {
  server: string;
  caPem: string;
  user: string;
  /** Client certificate auth. */
  client?: CertPair;
  /** Bearer-token auth (e.g. a ServiceAccount token from the TokenRequest API). */
  token?: string;
  contextName?: string;
  namespace?: string;
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

export async function kubeconfigYaml(spec: KubeconfigSpec): Promise<string> {
  if ((spec.client === undefined) === (spec.token === undefined)) {
    throw new Error('kubeconfig: exactly one of client and token must be given');
  }
  const userEntry: Record<string, string> = {};
  if (spec.client !== undefined) {
    userEntry['client-certificate-data'] = b64(await fs.readFile(spec.client.certPath));
    userEntry['client-key-data'] = b64(await fs.readFile(spec.client.keyPath));
  } else if (spec.token !== undefined) {
    userEntry.token = spec.token;
  }
  const ctx = spec.contextName ?? spec.user;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'ironlb-e2e', cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caPem) } },
    ],
    users: [{ name: spec.user, user: userEntry }],
    contexts: [
      {
        name: ctx,
        context: {
          cluster: 'ironlb-e2e',
          user: spec.user,
          ...(spec.namespace ? { namespace: spec.namespace } : {}),
        },
      },
    ],
    'current-context': ctx,
    preferences: {},
  });
}

/** Writes a kubeconfig readable only by us (it holds a private key or a token). */
export async function writeKubeconfig(file: string, spec: KubeconfigSpec): Promise<string> {
  await fs.writeFile(file, await kubeconfigYaml(spec), { mode: 0o600 });
  return file;
}

// --- in-memory credentials -------------------------------------------------------------------------------

/** How one identity reaches the apiserver, without a file. */
export interface Credentials {
  server: string;
  caPem: string;
  /** Client certificate (PEM) and its key; or `token`. */
  certPem?: string;
  keyPem?: string;
  token?: string;
}

/**
 * The two methods kube/rest.ts needs from a KubeConfig, backed by plain credentials. The harness uses it instead
 * of client-node's KubeConfig because client-node 2.x is ESM-only, which jest's CommonJS runtime cannot load
 * without --experimental-vm-modules.
 */
export class CredentialsConfig {
  // One keep-alive agent per identity: the watch and the requests reuse TLS sessions, and close() frees them
  // so nothing keeps jest alive.
  private readonly agent: https.Agent;

  constructor(readonly credentials: Credentials) {
    const c = credentials;
    if ((c.token === undefined) === (c.certPem === undefined || c.keyPem === undefined)) {
      throw new Error('credentials: give either a token or a client certificate and key');
    }
    this.agent = new https.Agent({
      keepAlive: true,
      ca: c.caPem,
      ...(c.certPem !== undefined ? { cert: c.certPem } : {}),
      ...(c.keyPem !== undefined ? { key: c.keyPem } : {}),
    });
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.credentials.server };
  }

  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    const c = this.credentials;
    opts.agent = this.agent;
    opts.ca = c.caPem;
    if (c.certPem !== undefined) opts.cert = c.certPem;
    if (c.keyPem !== undefined) opts.key = c.keyPem;
    if (c.token !== undefined) {
      const headers = opts.headers === undefined || Array.isArray(opts.headers) ? {} : opts.headers;
      opts.headers = { ...headers, Authorization: `Bearer ${c.token}` };
    }
    return Promise.resolve();
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Loads a certificate pair into in-memory credentials. */
export async function certCredentials(server: string, caPem: string, pair: CertPair): Promise<Credentials> {
  const [certPem, keyPem] = await Promise.all([
    fs.readFile(pair.certPath, 'utf8'),
    fs.readFile(pair.keyPath, 'utf8'),
  ]);
  return { server, caPem, certPem, keyPem };
}

/** A JSON REST client (kube/rest.ts) for `credentials`; close() it when done. */
export function restClient(credentials: Credentials, userAgent = 'ironlb-e2e-harness'): HarnessRestClient {
  const config = new CredentialsConfig(credentials);
  const rest = new KubeRestClient(config, { userAgent });
  return { request: (req) => rest.request(req), config, close: () => config.close() };
}

export interface HarnessRestClient extends RestClient {
  readonly config: CredentialsConfig;
  close(): void;
}
