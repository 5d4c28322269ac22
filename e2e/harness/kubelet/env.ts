// Container environment, resolved as the kubelet does: literal values with $(VAR) expansion, the downward API
// (fieldRef), and keys of Secrets and ConfigMaps. Lookups go through the node's own identity, so the Node
// authorizer only lets a node read the Secrets and ConfigMaps its pods reference, exactly as in a cluster.
import type { EnvVar, Pod } from './pod';

export interface PodNetworkInfo {
  podIPs: string[];
  hostIPs: string[];
}

/** Reads one key of a Secret or ConfigMap (undefined when the object or key is missing). */
export type KeyLookup = (
  kind: 'Secret' | 'ConfigMap',
  namespace: string,
  name: string,
  key: string,
) => Promise<string | undefined>;

export class EnvResolutionError extends Error {
  constructor(pod: Pod, container: string, variable: string, reason: string) {
    super(
      `pod ${pod.metadata.namespace}/${pod.metadata.name} container ${container}: env ${variable}: ${reason}`,
    );
    this.name = 'EnvResolutionError';
  }
}

/** The downward-API value of `fieldPath`, or undefined for fields this kubelet does not support. */
export function fieldRefValue(pod: Pod, fieldPath: string, net: PodNetworkInfo): string | undefined {
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
      return net.podIPs[0] ?? '';
    case 'status.podIPs':
      return net.podIPs.join(',');
    case 'status.hostIP':
      return net.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return net.hostIPs.join(',');
    default:
      return undefined;
  }
}

/**
 * Expands $(NAME) references to variables defined earlier (or in `defined`), keeps unknown references
 * verbatim and turns $$ into $, following Kubernetes' expansion rules (k8s.io/kubernetes/third_party/forked/
 * golang/expansion).
 */
export function expand(text: string, defined: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '$' || i + 1 >= text.length) {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = text.indexOf(')', i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      const name = text.slice(i + 2, close);
      const value = defined.get(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Resolves a container's env list into name → value, in order (later entries may reference earlier ones). */
export async function resolveEnv(
  pod: Pod,
  container: { name: string; env?: EnvVar[] },
  net: PodNetworkInfo,
  lookup: KeyLookup,
  base: ReadonlyMap<string, string> = new Map(),
): Promise<Map<string, string>> {
  const env = new Map(base);
  for (const v of container.env ?? []) {
    const from = v.valueFrom;
    if (from === undefined) {
      env.set(v.name, expand(v.value ?? '', env));
      continue;
    }
    if (from.fieldRef !== undefined) {
      const value = fieldRefValue(pod, from.fieldRef.fieldPath, net);
      if (value === undefined) {
        throw new EnvResolutionError(
          pod,
          container.name,
          v.name,
          `unsupported fieldPath ${from.fieldRef.fieldPath}`,
        );
      }
      env.set(v.name, value);
      continue;
    }
    const ref = from.secretKeyRef ?? from.configMapKeyRef;
    const kind = from.secretKeyRef !== undefined ? 'Secret' : 'ConfigMap';
    if (ref === undefined) throw new EnvResolutionError(pod, container.name, v.name, 'unsupported valueFrom');
    const name = ref.name ?? '';
    const value = await lookup(kind, pod.metadata.namespace, name, ref.key);
    if (value === undefined) {
      if (ref.optional === true) continue;
      throw new EnvResolutionError(
        pod,
        container.name,
        v.name,
        `${kind} ${pod.metadata.namespace}/${name} has no key ${ref.key}`,
      );
    }
    env.set(v.name, value);
  }
  return env;
}
