// The pod's own credentials, as client-go's rest.InClusterConfig reads them: the API server from
// KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, the CA, token and namespace from the ServiceAccount
// volume. The token is projected and rotates, so it is re-read (tokenfile.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClusterCredentials, CredentialsError } from './credentials';
import { FileTokenSource, FileTokenSourceOptions } from './tokenfile';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default SERVICE_ACCOUNT_DIR. */
  readonly serviceAccountDir?: string;
  readonly readFile?: (file: string) => string;
  readonly token?: FileTokenSourceOptions;
}

const ORIGIN = 'in-cluster';

/** Whether the environment looks like a pod's (the service variables are set). */
export function isInCluster(env: Readonly<Record<string, string | undefined>>): boolean {
  return (env.KUBERNETES_SERVICE_HOST ?? '') !== '' && (env.KUBERNETES_SERVICE_PORT ?? '') !== '';
}

export function inClusterCredentials(options: InClusterOptions): ClusterCredentials {
  const { env } = options;
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '';
  if (host === '' || port === '')
    throw new CredentialsError(
      ORIGIN,
      'KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT',
      'not set: not running in a pod (give a kubeconfig with $KUBECONFIG or --kubeconfig)',
    );
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const readFile = options.readFile ?? ((f: string) => readFileSync(f, 'utf8'));
  const read = (name: string): string => {
    try {
      return readFile(path.join(dir, name));
    } catch (err) {
      throw new CredentialsError(ORIGIN, path.join(dir, name), `cannot read: ${String(err)}`);
    }
  };
  const caPem = read('ca.crt');
  let bearer: FileTokenSource;
  try {
    bearer = new FileTokenSource(path.join(dir, 'token'), { readFile, ...options.token });
  } catch (err) {
    throw new CredentialsError(ORIGIN, path.join(dir, 'token'), `cannot read: ${String(err)}`);
  }
  let namespace: string | undefined;
  try {
    namespace = readFile(path.join(dir, 'namespace')).trim() || undefined;
  } catch {
    // Optional, as in client-go: only the token and CA are required.
  }
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caPem,
    insecureSkipTLSVerify: false,
    bearer,
    ...(namespace !== undefined ? { namespace } : {}),
    origin: ORIGIN,
  };
}
