// The `bgpextras` ConfigMap (upstream internal/k8s/controllers/config_controller.go, config.go ExtraConfig):
// key `extras` in the MetalLB namespace, raw FRR text appended to the node's frr.conf (render.ts). FRR mode
// only: upstream rejects it in native mode, whose speaker has no FRR to hand it to.
import { z } from 'zod';
import type { Decoder } from '../../kube/listwatch';
import { kubeObjectSchema, type KubeObject } from '../../kube/object';

export const BGP_EXTRAS_CONFIGMAP = 'bgpextras';

export interface BgpExtrasConfigMap extends KubeObject {
  /** data.extras, '' when the key is absent. */
  readonly extras: string;
}

const schema = kubeObjectSchema.extend({ data: z.record(z.string(), z.string()).optional() });

export const decodeBgpExtras: Decoder<BgpExtrasConfigMap> = (raw) => {
  const o = schema.parse(raw);
  return { metadata: o.metadata, extras: o.data?.extras ?? '' };
};

/** Upstream's error for extras in native mode, naming the object and the key. */
export function nativeExtrasError(namespace: string): string {
  return `ConfigMap ${namespace}/${BGP_EXTRAS_CONFIGMAP}: data.extras: bgp extra info not supported in native mode`;
}
