// What the operator says about, and does with, a legacy AddressPool (metallb.io/v1alpha1, the OKD/OCP 4.9
// operator's kind, which the controller still serves as a pool plus the advertisement its protocol implies:
// config/legacy.ts). Pure: the AddressPool and what the configuration model and the controller report in,
// its status and the objects of its migration out.
//   - Served: True when the configuration model accepts it and the controller's configuration is valid;
//     False with the model's own messages about this AddressPool, or with the controller's error summary when
//     another object makes the whole configuration invalid (MetalLB then keeps its last valid one), or with
//     reason Migrated once the IPAddressPool of its name serves in its place.
//   - Deprecated: always True, pointing at IPAddressPool plus L2Advertisement or BGPAdvertisement.
//   - Migrated: present once migration was asked for (annotation metallb.io/migrate: "true").
import { MIGRATE_ANNOTATION, MIGRATED_TO_ANNOTATION, type AddressPool } from '../../api/addresspool';
import type { Condition } from '../../api/meta';
import type { RenderedObject } from '../../render/object';
import { MANAGED_BY } from '../render/operands';

export const LEGACY_REASONS = {
  served: 'Served',
  invalid: 'InvalidAddressPool',
  configurationInvalid: 'ConfigurationInvalid',
  unknown: 'ConfigurationUnknown',
  migrated: 'Migrated',
  deprecated: 'Deprecated',
  nameTaken: 'NameTaken',
} as const;

/** On the IPAddressPool and advertisement a migration writes: which AddressPool they replace. */
export const MIGRATED_FROM_ANNOTATION = 'metallb.io/migrated-from';

export type AdvertisementKind = 'L2Advertisement' | 'BGPAdvertisement';

export const advertisementKindOf = (pool: AddressPool): AdvertisementKind =>
  pool.spec.protocol === 'layer2' ? 'L2Advertisement' : 'BGPAdvertisement';

/** metadata.name is optional in the schema only; the API server always sets it. */
export const nameOf = (pool: AddressPool): string => pool.metadata.name ?? '';

export const migrationSource = (pool: AddressPool): string => `AddressPool/${nameOf(pool)}`;

export const wantsMigration = (pool: AddressPool): boolean =>
  pool.metadata.annotations?.[MIGRATE_ANNOTATION] === 'true';

export const isMigrated = (pool: AddressPool): boolean =>
  (pool.metadata.annotations?.[MIGRATED_TO_ANNOTATION] ?? '') !== '';

export const deprecationMessage = (pool: AddressPool): string =>
  `AddressPool is deprecated: use IPAddressPool ${nameOf(pool)} with a ${advertisementKindOf(pool)} ` +
  `selecting it, or annotate this AddressPool ${MIGRATE_ANNOTATION}: "true" and the operator writes both`;

/**
 * The IPAddressPool and advertisement that stand for `pool`: the same name (so Services that name the pool in
 * metallb.io/address-pool keep it), addresses and autoAssign; an advertisement of that one pool with the
 * defaults MetalLB <= 0.12 gave `protocol: layer2` and `protocol: bgp`.
 */
export function migrationObjects(pool: AddressPool): RenderedObject[] {
  const name = nameOf(pool);
  const namespace = pool.metadata.namespace ?? '';
  const metadata = {
    name,
    namespace,
    labels: { ...MANAGED_BY },
    annotations: { [MIGRATED_FROM_ANNOTATION]: migrationSource(pool) },
  };
  return [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata,
      spec: { addresses: pool.spec.addresses, autoAssign: pool.spec.autoAssign ?? true },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: advertisementKindOf(pool),
      metadata,
      spec: { ipAddressPools: [name] },
    },
  ];
}

/** What is known besides the AddressPool itself. */
export interface LegacyFindings {
  /** The configuration model's messages about this AddressPool (config/build.ts), empty when it has none. */
  readonly ownErrors: readonly string[];
  /** The controller's ConfigurationState: undefined when it has written none yet. */
  readonly controller?: { readonly valid: boolean; readonly errorSummary: string };
  /** Set when migration was asked for but cannot be done, with why. */
  readonly migrationBlocked?: string;
}

type ConditionInput = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

function servedCondition(pool: AddressPool, findings: LegacyFindings): ConditionInput {
  const name = nameOf(pool);
  if (isMigrated(pool))
    return {
      type: 'Served',
      status: 'False',
      reason: LEGACY_REASONS.migrated,
      message: `served by IPAddressPool ${name} and ${advertisementKindOf(pool)} ${name} instead`,
    };
  if (findings.ownErrors.length > 0)
    return {
      type: 'Served',
      status: 'False',
      reason: LEGACY_REASONS.invalid,
      message: findings.ownErrors.join('; '),
    };
  if (findings.controller === undefined)
    return {
      type: 'Served',
      status: 'Unknown',
      reason: LEGACY_REASONS.unknown,
      message: 'the controller has not reported its configuration yet',
    };
  if (!findings.controller.valid)
    return {
      type: 'Served',
      status: 'False',
      reason: LEGACY_REASONS.configurationInvalid,
      message: `the controller rejects the configuration: ${findings.controller.errorSummary}`,
    };
  return {
    type: 'Served',
    status: 'True',
    reason: LEGACY_REASONS.served,
    message: `served as pool ${name} with ${pool.spec.protocol === 'layer2' ? 'a layer 2' : 'a BGP'} advertisement of it`,
  };
}

function migratedCondition(pool: AddressPool, findings: LegacyFindings): ConditionInput | undefined {
  if (isMigrated(pool))
    return {
      type: 'Migrated',
      status: 'True',
      reason: LEGACY_REASONS.migrated,
      message: `migrated to ${pool.metadata.annotations?.[MIGRATED_TO_ANNOTATION] ?? ''} and ${advertisementKindOf(pool)}/${nameOf(pool)}; this AddressPool may be deleted`,
    };
  if (findings.migrationBlocked !== undefined)
    return {
      type: 'Migrated',
      status: 'False',
      reason: LEGACY_REASONS.nameTaken,
      message: findings.migrationBlocked,
    };
  return undefined;
}

export interface LegacyStatus {
  readonly conditions: Condition[];
  readonly ipAddressPool: string;
  readonly advertisement: { readonly kind: AdvertisementKind; readonly name: string };
}

/** The status to write, keeping each condition's lastTransitionTime while its status stays the same. */
export function addressPoolStatus(pool: AddressPool, findings: LegacyFindings, now: Date): LegacyStatus {
  const previous = pool.status?.conditions ?? [];
  const generation = pool.metadata.generation;
  const inputs = [
    servedCondition(pool, findings),
    {
      type: 'Deprecated',
      status: 'True',
      reason: LEGACY_REASONS.deprecated,
      message: deprecationMessage(pool),
    } as const,
    migratedCondition(pool, findings),
  ].filter((c): c is ConditionInput => c !== undefined);
  const conditions = inputs.map((c) => {
    const before = previous.find((p) => p.type === c.type);
    return {
      ...c,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime: before?.status === c.status ? before.lastTransitionTime : now.toISOString(),
    };
  });
  return {
    conditions,
    ipAddressPool: nameOf(pool),
    advertisement: { kind: advertisementKindOf(pool), name: nameOf(pool) },
  };
}
