// The Secret and ConfigMap keys a pod's env refers to (secretKeyRef, configMapKeyRef), read with the node's
// credentials: the Node authorizer allows exactly the objects of pods bound to the node.
import { z } from 'zod';
import { isNotFound } from '../../../kube/errors';
import type { RestClient } from '../../../kube/rest';

const secretSchema = z.looseObject({ data: z.record(z.string(), z.string()).optional() });
const configMapSchema = z.looseObject({
  data: z.record(z.string(), z.string()).optional(),
  binaryData: z.record(z.string(), z.string()).optional(),
});

/** The value of `key` in Secret or ConfigMap namespace/name, or undefined when the object or key is absent. */
export async function lookupKey(
  client: RestClient,
  kind: 'Secret' | 'ConfigMap',
  namespace: string,
  name: string,
  key: string,
): Promise<string | undefined> {
  const plural = kind === 'Secret' ? 'secrets' : 'configmaps';
  let raw: unknown;
  try {
    raw = await client.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}/${plural}/${name}` });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  if (kind === 'Secret') {
    const v = secretSchema.parse(raw).data?.[key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  }
  const cm = configMapSchema.parse(raw);
  const bin = cm.binaryData?.[key];
  return cm.data?.[key] ?? (bin === undefined ? undefined : Buffer.from(bin, 'base64').toString('utf8'));
}
