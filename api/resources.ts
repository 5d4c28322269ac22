// The metallb.io kinds as REST resources and as webhook routes, derived from the one registry (registry.ts):
// adding a kind there is the only change needed here.
import { z } from 'zod';
import { ConfigListKey, GROUP, KINDS, KindDefinition, KindVersion } from './registry';
import type { ResourceRef } from './resourceref';

export class UnknownKindError extends Error {
  override readonly name = 'UnknownKindError';
}

export function kindDefinition(kind: string): KindDefinition {
  const def = KINDS.find((k) => k.kind === kind);
  if (!def) throw new UnknownKindError(`metallb.io kind ${kind} is not in api/registry.ts`);
  return def;
}

/** The version the API server stores: the one ironlb reads and writes. */
export function storageVersion(def: KindDefinition): KindVersion {
  const version = def.versions.find((v) => v.storage);
  if (!version) throw new UnknownKindError(`${def.kind}: no storage version in api/registry.ts`);
  return version;
}

export function resourceRef(def: KindDefinition, version: string = storageVersion(def).name): ResourceRef {
  // Every metallb.io kind is namespaced: MetalLB reads them from its own namespace only.
  return { group: GROUP, version, plural: def.plural, kind: def.kind, namespaced: true };
}

const ref = (kind: string): ResourceRef => resourceRef(kindDefinition(kind));

/** The kinds the deployables read and write, at their storage versions. */
export const METALLB = {
  ipAddressPools: ref('IPAddressPool'),
  addressPools: ref('AddressPool'),
  l2Advertisements: ref('L2Advertisement'),
  bgpAdvertisements: ref('BGPAdvertisement'),
  bgpPeers: ref('BGPPeer'),
  communities: ref('Community'),
  bfdProfiles: ref('BFDProfile'),
  serviceL2Statuses: ref('ServiceL2Status'),
  serviceBGPStatuses: ref('ServiceBGPStatus'),
  configurationStates: ref('ConfigurationState'),
  metallbs: ref('MetalLB'),
} as const satisfies Record<string, ResourceRef>;

/** Kinds that are configuration, by the key the config model lists them under. */
export const CONFIG_KINDS: readonly (KindDefinition & { configList: ConfigListKey })[] = KINDS.filter(
  (k): k is KindDefinition & { configList: ConfigListKey } => k.configList !== undefined,
);

/** Upstream's validating webhook path for a kind (kubebuilder markers in internal/k8s/webhooks). */
export function validationPath(def: KindDefinition): string {
  return `/validate-${GROUP.replace(/\./g, '-')}-${storageVersion(def).name}-${def.singular}`;
}

export const VALIDATED_KINDS: readonly (KindDefinition & { configList: ConfigListKey })[] =
  CONFIG_KINDS.filter((k) => k.validated === true);

/** Every served version's whole-object schema, by `apiVersion/kind` as a manifest writes them. */
export function objectSchemas(): ReadonlyMap<string, { schema: z.ZodType; def: KindDefinition }> {
  const out = new Map<string, { schema: z.ZodType; def: KindDefinition }>();
  for (const def of KINDS) {
    for (const v of def.versions) {
      if (v.object) out.set(`${GROUP}/${v.name}/${def.kind}`, { schema: v.object, def });
    }
  }
  return out;
}
