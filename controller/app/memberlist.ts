// The memberlist key the speakers share (upstream CreateMlSecret): created once with 128 random bytes under
// `secretkey`, never overwritten, so restarting the controller does not split the speakers' cluster.
import * as crypto from 'node:crypto';
import { isAlreadyExists } from '../../kube/errors';
import { collectionPath, RESOURCES } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';

export async function ensureMemberlistSecret(
  rest: RestClient,
  namespace: string,
  name: string,
): Promise<boolean> {
  try {
    await rest.request({
      method: 'POST',
      path: collectionPath(RESOURCES.secrets, namespace),
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace },
        data: { secretkey: crypto.randomBytes(128).toString('base64') },
      },
    });
    return true;
  } catch (err) {
    if (isAlreadyExists(err)) return false;
    throw err;
  }
}
