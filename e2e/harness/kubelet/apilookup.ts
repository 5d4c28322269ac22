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

/**
 * Every key of Secret or ConfigMap namespace/name as raw bytes (a ConfigMap's data and binaryData), or undefined
 * when the object is absent: what a volume of it holds. Bytes, not strings: a Secret may hold binary keys (the
 * memberlist key is 128 random bytes).
 */
export async function readObjectData(
  client: RestClient,
  kind: 'Secret' | 'ConfigMap',
  namespace: string,
  name: string,
): Promise<Map<string, Buffer> | undefined> {
  const plural = kind === 'Secret' ? 'secrets' : 'configmaps';
  let raw: unknown;
  try {
    raw = await client.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}/${plural}/${name}` });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const out = new Map<string, Buffer>();
  if (kind === 'Secret') {
    for (const [k, v] of Object.entries(secretSchema.parse(raw).data ?? {}))
      out.set(k, Buffer.from(v, 'base64'));
    return out;
  }
  const cm = configMapSchema.parse(raw);
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}
