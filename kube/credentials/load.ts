// Where a process finds its credentials, in client-node's loadFromDefault order (and kubectl's): an explicit
// --kubeconfig, else the $KUBECONFIG list, else ~/.kube/config, else the pod's ServiceAccount.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ClusterCredentials, CredentialsError } from './credentials';
import { inClusterCredentials, isInCluster, SERVICE_ACCOUNT_DIR } from './incluster';
import { loadKubeconfigFiles } from './kubeconfig';

export interface LoadCredentialsOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** --kubeconfig: this file only; it must exist. */
  readonly kubeconfig?: string;
  /** Default $HOME. */
  readonly homeDir?: string;
  readonly serviceAccountDir?: string;
  readonly exists?: (file: string) => boolean;
}

/** The files a search would read, in order, and which one it would take; for tests and error messages. */
export function kubeconfigCandidates(options: LoadCredentialsOptions): string[] {
  if (options.kubeconfig !== undefined && options.kubeconfig !== '') return [options.kubeconfig];
  const list = (options.env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f !== '');
  if (list.length > 0) return list;
  const home = options.homeDir ?? options.env.HOME ?? '';
  return home !== '' ? [path.join(home, '.kube', 'config')] : [];
}

export async function loadCredentials(options: LoadCredentialsOptions): Promise<ClusterCredentials> {
  const exists = options.exists ?? existsSync;
  if (options.kubeconfig !== undefined && options.kubeconfig !== '')
    return loadKubeconfigFiles([options.kubeconfig]);
  const fromEnv = (options.env.KUBECONFIG ?? '') !== '';
  // As client-go: files of a $KUBECONFIG list that do not exist are skipped.
  const files = kubeconfigCandidates(options).filter((f) => exists(f));
  if (files.length > 0) return loadKubeconfigFiles(files);
  if (fromEnv)
    throw new CredentialsError(
      `kubeconfig ${options.env.KUBECONFIG ?? ''}`,
      '',
      'none of the $KUBECONFIG files exists',
    );
  if (isInCluster(options.env))
    return inClusterCredentials({
      env: options.env,
      serviceAccountDir: options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR,
    });
  throw new CredentialsError(
    'credentials',
    '',
    'no kubeconfig ($KUBECONFIG, --kubeconfig, ~/.kube/config) and not in a pod (KUBERNETES_SERVICE_HOST unset)',
  );
}
