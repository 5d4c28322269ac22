// What buildConfig reads: the raw objects of each kind, as the informers or a YAML file hand them over.
// Each is parsed with its zod schema here; an object that fails its schema is reported and left out of the
// rest of the build.
import { z } from 'zod';
import { AddressPool } from '../api/addresspool';
import { BFDProfile } from '../api/bfdprofile';
import { BGPAdvertisement } from '../api/bgpadvertisement';
import { BGPPeer, BGPPeerV1beta1 } from '../api/bgppeer';
import { Community } from '../api/community';
import { IPAddressPool } from '../api/ipaddresspool';
import { L2Advertisement } from '../api/l2advertisement';
import { ObjectMeta } from '../api/meta';
import { convertPeerToV1beta2 } from './peerconversion';
import { ErrorSink, ObjectIdentity, compareText, schemaErrors } from './errors';
import { ConfigKind } from './types';

/** Everything is `unknown`: objects are validated here, never trusted. */
export interface ClusterResources {
  readonly ipAddressPools?: readonly unknown[];
  /** Legacy metallb.io/v1alpha1 AddressPools: a pool plus the advertisement its protocol implies. */
  readonly addressPools?: readonly unknown[];
  readonly l2Advertisements?: readonly unknown[];
  readonly bgpAdvertisements?: readonly unknown[];
  /** v1beta2, or v1beta1 when apiVersion says so (converted as the /convert webhook does). */
  readonly bgpPeers?: readonly unknown[];
  readonly communities?: readonly unknown[];
  readonly bfdProfiles?: readonly unknown[];
  /** Secrets that BGPPeer passwordSecret may reference. */
  readonly secrets?: readonly unknown[];
  /** For serviceAllocation.namespaceSelectors. */
  readonly namespaces?: readonly unknown[];
  /** For advertisement node selectors and L2 preferred nodes. */
  readonly nodes?: readonly unknown[];
}

// The core/v1 objects, only as far as the config reads them.
export const SecretObject = z.object({
  metadata: ObjectMeta,
  type: z.string().optional(),
  data: z.record(z.string(), z.string()).optional(),
  stringData: z.record(z.string(), z.string()).optional(),
});
export type SecretObject = z.infer<typeof SecretObject>;

export const LabelledObject = z.object({ metadata: ObjectMeta });
export type LabelledObject = z.infer<typeof LabelledObject>;

export interface Parsed<T> {
  readonly id: ObjectIdentity;
  readonly object: T;
}

export interface ParsedResources {
  readonly ipAddressPools: Parsed<IPAddressPool>[];
  readonly addressPools: Parsed<AddressPool>[];
  readonly l2Advertisements: Parsed<L2Advertisement>[];
  readonly bgpAdvertisements: Parsed<BGPAdvertisement>[];
  readonly bgpPeers: Parsed<BGPPeer>[];
  readonly communities: Parsed<Community>[];
  readonly bfdProfiles: Parsed<BFDProfile>[];
  readonly secrets: SecretObject[];
  readonly namespaces: LabelledObject[];
  readonly nodes: LabelledObject[];
  /** Names of objects that failed their schema, per kind: references to them are not reported again. */
  readonly rejected: ReadonlyMap<ConfigKind, ReadonlySet<string>>;
}

function identityOf(kind: ConfigKind, raw: unknown): ObjectIdentity {
  const meta = ObjectMeta.safeParse(
    typeof raw === 'object' && raw !== null ? (raw as { metadata?: unknown }).metadata : undefined,
  );
  return {
    kind,
    namespace: meta.success ? (meta.data.namespace ?? '') : '',
    name: meta.success ? (meta.data.name ?? '') : '',
  };
}

function byIdentity<T>(a: Parsed<T>, b: Parsed<T>): number {
  return compareText(a.id.namespace, b.id.namespace) || compareText(a.id.name, b.id.name);
}

export function parseResources(resources: ClusterResources, sink: ErrorSink): ParsedResources {
  const rejected = new Map<ConfigKind, Set<string>>();
  function parseAll<T>(
    kind: ConfigKind,
    raws: readonly unknown[] | undefined,
    schemaFor: (raw: unknown) => z.ZodType<T>,
  ) {
    const out: Parsed<T>[] = [];
    for (const raw of raws ?? []) {
      const id = identityOf(kind, raw);
      const result = schemaFor(raw).safeParse(raw);
      if (result.success) {
        out.push({ id, object: result.data });
      } else {
        sink.errors.push(...schemaErrors(id, result.error));
        const names = rejected.get(kind) ?? new Set<string>();
        names.add(id.name);
        rejected.set(kind, names);
      }
    }
    // Deterministic order whatever order the informers listed: errors and "first defined" are stable.
    return out.sort(byIdentity);
  }
  const plain = <T>(schema: z.ZodType<T>, raws: readonly unknown[] | undefined): T[] =>
    (raws ?? []).flatMap((raw) => {
      const result = schema.safeParse(raw);
      return result.success ? [result.data] : [];
    });

  const isV1beta1 = (raw: unknown): boolean =>
    typeof raw === 'object' &&
    raw !== null &&
    (raw as { apiVersion?: unknown }).apiVersion === 'metallb.io/v1beta1';
  const rawPeers = resources.bgpPeers ?? [];
  const v1beta2Peers = parseAll(
    'BGPPeer',
    rawPeers.filter((raw) => !isV1beta1(raw)),
    () => BGPPeer,
  );
  const v1beta1Peers = parseAll('BGPPeer', rawPeers.filter(isV1beta1), () => BGPPeerV1beta1);
  return {
    ipAddressPools: parseAll('IPAddressPool', resources.ipAddressPools, () => IPAddressPool),
    addressPools: parseAll('AddressPool', resources.addressPools, () => AddressPool),
    l2Advertisements: parseAll('L2Advertisement', resources.l2Advertisements, () => L2Advertisement),
    bgpAdvertisements: parseAll('BGPAdvertisement', resources.bgpAdvertisements, () => BGPAdvertisement),
    bgpPeers: [
      ...v1beta2Peers,
      ...v1beta1Peers.map((p) => ({ id: p.id, object: convertPeerToV1beta2(p.object) })),
    ].sort(byIdentity),
    communities: parseAll('Community', resources.communities, () => Community),
    bfdProfiles: parseAll('BFDProfile', resources.bfdProfiles, () => BFDProfile),
    secrets: plain(SecretObject, resources.secrets),
    namespaces: plain(LabelledObject, resources.namespaces),
    nodes: plain(LabelledObject, resources.nodes),
    rejected,
  };
}
