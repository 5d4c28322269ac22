// What every deployable's main does first: find its cluster credentials (--kubeconfig, then $KUBECONFIG,
// ~/.kube/config or the in-cluster ServiceAccount: load.ts), say where it connects, or stop with one clear
// line and exit status 1. Nothing can run without them, and a crash-looping Pod with that line in its log is
// what an on-call engineer can act on.
import type { Logger } from '../log';
import { describeError } from '../errors';
import { ClusterAccess } from './clusteraccess';
import { loadCredentials } from './load';

export async function clusterAccessOrExit(logger: Logger, kubeconfig = ''): Promise<ClusterAccess> {
  let credentials;
  try {
    credentials = await loadCredentials({ env: process.env, ...(kubeconfig !== '' ? { kubeconfig } : {}) });
  } catch (err) {
    logger.error('cannot load cluster credentials', { op: 'startup', error: describeError(err) });
    process.exit(1);
  }
  logger.info('connecting to the API server', {
    server: credentials.server,
    credentials: credentials.origin,
  });
  return new ClusterAccess(credentials);
}
