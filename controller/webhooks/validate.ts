// Validating admission for the metallb.io kinds (upstream internal/k8s/webhooks): the object under review replaces
// its namesake in the current set, and the set goes through buildConfig, the same model the controller and
// speakers load. Errors that may resolve by themselves once another object exists (a Secret, a BFD profile,
// a community alias: `transient`) do not deny, so objects can be applied in any order, as upstream's
// resetTransientErrorsFields allows.
import { objectRef } from '../../api/meta';
import { UnknownKindError, VALIDATED_KINDS, kindDefinition, validationPath } from '../../api/resources';
import { buildConfig } from '../../config/build';
import type { BGPType } from '../../config/modes';
import type { ClusterResources } from '../../config/resources';
import { AdmissionRequest, AdmissionVerdict, allow, deny } from './admission';

export type WebhookKind =
  'IPAddressPool' | 'BGPAdvertisement' | 'L2Advertisement' | 'Community' | 'BGPPeer' | 'BFDProfile';

export interface ValidationContext {
  /** The MetalLB namespace: every metallb.io object must be created there. */
  readonly namespace: string;
  readonly bgpType?: BGPType;
  /** The objects as the API server holds them now. */
  readonly existing: ClusterResources;
}

export type ResourceKey = keyof ClusterResources;

/** The config list the reviewed object replaces its namesake in. */
function listOf(kind: WebhookKind): ResourceKey {
  const list = kindDefinition(kind).configList;
  if (list === undefined) throw new UnknownKindError(`${kind}: no configList in api/registry.ts`);
  return list;
}

/** Which kinds take part in each kind's validation, after upstream's validators. */
const CONTEXT_OF: Record<WebhookKind, readonly ResourceKey[]> = {
  // BGPAdvertisements are checked against the pools they select (aggregation length), so a pool change
  // that breaks one is refused, as upstream validates pools together with ads and nodes.
  IPAddressPool: ['ipAddressPools', 'bgpAdvertisements', 'nodes', 'namespaces'],
  L2Advertisement: ['l2Advertisements', 'ipAddressPools', 'nodes'],
  BGPAdvertisement: ['bgpAdvertisements', 'ipAddressPools', 'nodes', 'communities'],
  Community: ['communities'],
  BGPPeer: ['bgpPeers', 'nodes', 'bfdProfiles', 'secrets'],
  BFDProfile: ['bfdProfiles'],
};

function isWebhookKind(kind: string): kind is WebhookKind {
  return kind in CONTEXT_OF;
}

/** Upstream's paths (kubebuilder markers in internal/k8s/webhooks), from the registry's validated kinds. */
export const VALIDATION_PATHS: Readonly<Record<string, WebhookKind>> = Object.fromEntries(
  VALIDATED_KINDS.flatMap((def) => (isWebhookKind(def.kind) ? [[validationPath(def), def.kind]] : [])),
);

/** The kinds a review of `kind` reads, so the webhook fetches no more than it needs. */
export function resourcesNeeded(
  kind: WebhookKind,
  operation: AdmissionRequest['operation'],
): readonly ResourceKey[] {
  if (kind === 'BFDProfile') return operation === 'DELETE' ? ['bgpPeers'] : [];
  if (operation === 'CREATE' || operation === 'UPDATE') return CONTEXT_OF[kind];
  return [];
}

interface Meta {
  readonly name: string;
  readonly namespace: string;
}

function metaOf(obj: unknown): Meta {
  const metadata: unknown =
    typeof obj === 'object' && obj !== null ? Reflect.get(obj, 'metadata') : undefined;
  const field = (k: string): string => {
    const v: unknown =
      typeof metadata === 'object' && metadata !== null ? Reflect.get(metadata, k) : undefined;
    return typeof v === 'string' ? v : '';
  };
  return { name: field('name'), namespace: field('namespace') };
}

export function validateAdmission(
  kind: WebhookKind,
  req: AdmissionRequest,
  ctx: ValidationContext,
): AdmissionVerdict {
  if (req.operation === 'DELETE') return kind === 'BFDProfile' ? checkBFDDelete(req, ctx) : allow();
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const obj = req.object;
  const meta = metaOf(obj);
  const namespace = meta.namespace || (req.namespace ?? '');
  if (req.operation === 'CREATE' && namespace !== ctx.namespace) {
    return deny(`resource must be created in ${ctx.namespace} namespace`);
  }
  // Upstream registers BFDProfile for CREATE (namespace only) and DELETE; an update is not validated.
  if (kind === 'BFDProfile') return allow();
  const warnings: string[] = [];
  if (kind === 'BGPPeer' && specFlag(obj, 'disableMP')) {
    // Upstream admits this with a warning and skips every other check (internal/k8s/webhooks/webhookv1beta2/bgppeer_webhook.go: a disableMP CREATE skips validation);
    // ironlb keeps the warning and still validates the rest.
    warnings.push('disableMP is deprecated and has no effect');
  }
  const resources = withObject(kind, obj, { ...meta, namespace }, ctx.existing);
  const result = buildConfig(resources, ctx.bgpType !== undefined ? { bgpType: ctx.bgpType } : {});
  if (result.ok) return allow(warnings);
  const errors = result.errors.filter((e) => !e.transient);
  if (errors.length === 0) return allow(warnings);
  // The object under review first: that is what the user just changed.
  const own = errors.filter((e) => e.kind === kind && e.name === meta.name);
  const ordered = [...own, ...errors.filter((e) => !own.includes(e))];
  return deny(ordered.map((e) => e.message).join('; '));
}

/** The current set with `obj` in place of its namesake, restricted to what this kind's rules look at. */
function withObject(
  kind: WebhookKind,
  obj: unknown,
  meta: Meta,
  existing: ClusterResources,
): ClusterResources {
  const out: Record<string, readonly unknown[]> = {};
  for (const key of CONTEXT_OF[kind]) out[key] = existing[key] ?? [];
  const listKey = listOf(kind);
  const others = (existing[listKey] ?? []).filter((o) => {
    const m = metaOf(o);
    return !(m.name === meta.name && m.namespace === meta.namespace);
  });
  out[listKey] = [...others, obj];
  return out;
}

function specFlag(obj: unknown, field: string): boolean {
  const spec: unknown = typeof obj === 'object' && obj !== null ? Reflect.get(obj, 'spec') : undefined;
  return typeof spec === 'object' && spec !== null && Reflect.get(spec, field) === true;
}

function checkBFDDelete(req: AdmissionRequest, ctx: ValidationContext): AdmissionVerdict {
  const profile = metaOf(req.oldObject).name || (req.name ?? '');
  for (const peer of ctx.existing.bgpPeers ?? []) {
    const spec: unknown = typeof peer === 'object' && peer !== null ? Reflect.get(peer, 'spec') : undefined;
    const used = typeof spec === 'object' && spec !== null ? Reflect.get(spec, 'bfdProfile') : undefined;
    if (used === profile) {
      const m = metaOf(peer);
      return deny(`failed to delete BFDProfile ${profile}: used by ${objectRef('BGPPeer', m)}`);
    }
  }
  return allow();
}
