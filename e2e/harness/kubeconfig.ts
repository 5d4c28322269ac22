// Kubeconfig files for the components and for tests. Certificates are embedded (the *-data fields) so a
// kubeconfig stays valid if copied out of the run folder, e.g. for a `kubectl` session while debugging.
import * as fs from 'node:fs/promises';
import { stringify } from 'yaml';
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
    clusters: [{ name: 'ironlb-e2e', cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caPem) } }],
    users: [{ name: spec.user, user: userEntry }],
    contexts: [
      {
        name: ctx,
        context: { cluster: 'ironlb-e2e', user: spec.user, ...(spec.namespace ? { namespace: spec.namespace } : {}) },
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
