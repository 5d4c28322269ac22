// One reconcile of a legacy AddressPool, level triggered (the OKD 4.9 operator reconciled AddressPools beside
// the MetalLB resource: metallb-operator controllers/addresspool_controller.go on release-4.9). It reads the
// AddressPool and the configuration around it from the informers' caches and:
//   - records a Deprecated event the first time it sees the AddressPool (when its status has no Deprecated
//     condition yet);
//   - if migration is asked for, server-side applies the IPAddressPool and advertisement of the same name
//     (addresspool.ts), then marks the AddressPool `metallb.io/migrated-to`. In that order the address of every
//     Service is kept: while both exist, the configuration has two pools of one name and the controller keeps
//     its last valid one; once marked, the AddressPool leaves the configuration (config/legacy.ts) and the
//     IPAddressPool of the same name and addresses is the pool the Services are already in. An IPAddressPool or
//     advertisement of that name that the migration did not write blocks it (Migrated False, NameTaken);
//   - writes the status: Served, Deprecated, Migrated, and the pool and advertisement it stands for.
import type { Logger } from '../../kube/log';
import { AddressPool, MIGRATED_TO_ANNOTATION } from '../../api/addresspool';
import { ConfigurationState } from '../../api/configurationstate';
import type { Clock } from '../../kube/clock';
import type { EventType } from '../../kube/events';
import { splitKey, type KubeObject } from '../../kube/object';
import type { ReconcileResult, Reconciler } from '../../kube/reconciler';
import { buildConfig } from '../../config/build';
import type { RenderedObject } from '../../render/object';
import { sameConditions } from '../app/status';
import {
  MIGRATED_FROM_ANNOTATION,
  addressPoolStatus,
  deprecationMessage,
  isMigrated,
  migrationObjects,
  migrationSource,
  nameOf,
  wantsMigration,
  type LegacyStatus,
} from './addresspool';

/** The controller's ConfigurationState (controller/reconciler/statuswriters.ts CONFIG_STATE_NAME). */
export const CONTROLLER_STATE_NAME = 'controller';

export interface Cache {
  get(key: string): KubeObject | undefined;
  list(): KubeObject[];
}

export interface LegacyClient {
  /** Server-side apply of a migration object. */
  apply(obj: RenderedObject): Promise<void>;
  /** Adds the migrated-to annotation to the AddressPool. */
  markMigrated(namespace: string, name: string, value: string): Promise<void>;
  writeStatus(namespace: string, name: string, status: LegacyStatus): Promise<void>;
}

export interface LegacyEvents {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface AddressPoolReconcilerOptions {
  readonly namespace: string;
  readonly addressPools: Cache;
  readonly ipAddressPools: Cache;
  readonly l2Advertisements: Cache;
  readonly bgpAdvertisements: Cache;
  readonly communities: Cache;
  readonly configurationStates: Cache;
  readonly client: LegacyClient;
  readonly events: LegacyEvents;
  readonly clock: Clock;
  readonly logger: Logger;
}

const cacheOf = (o: AddressPoolReconcilerOptions, kind: string): Cache | undefined =>
  kind === 'IPAddressPool'
    ? o.ipAddressPools
    : kind === 'L2Advertisement'
      ? o.l2Advertisements
      : kind === 'BGPAdvertisement'
        ? o.bgpAdvertisements
        : undefined;

function sameStatus(pool: AddressPool, next: LegacyStatus): boolean {
  const current = pool.status;
  return (
    current?.ipAddressPool === next.ipAddressPool &&
    current.advertisement?.kind === next.advertisement.kind &&
    current.advertisement.name === next.advertisement.name &&
    sameConditions(current.conditions ?? [], next.conditions)
  );
}

export class AddressPoolReconciler implements Reconciler {
  constructor(private readonly options: AddressPoolReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const o = this.options;
    const { namespace, name } = splitKey(key);
    if (namespace !== o.namespace) return;
    const raw = o.addressPools.get(key);
    if (raw === undefined || (raw.metadata !== undefined && 'deletionTimestamp' in raw.metadata)) return;
    const parsed = AddressPool.safeParse(raw);
    if (!parsed.success) {
      // The CRD schema is the same as this one, so only a hand-made object of another shape gets here.
      o.logger.warn('AddressPool does not parse', { addressPool: key, error: parsed.error.message });
      return;
    }
    let pool = parsed.data;
    if (!(pool.status?.conditions ?? []).some((c) => c.type === 'Deprecated'))
      o.events.event(raw, 'Warning', 'Deprecated', deprecationMessage(pool));

    let migrationBlocked: string | undefined;
    if (wantsMigration(pool) && !isMigrated(pool)) {
      const objects = migrationObjects(pool);
      migrationBlocked = this.blockerOf(objects, migrationSource(pool));
      if (migrationBlocked === undefined) {
        for (const obj of objects) await o.client.apply(obj);
        const target = `IPAddressPool/${name}`;
        await o.client.markMigrated(namespace, name, target);
        o.logger.info('migrated AddressPool', { addressPool: key, to: target });
        pool = {
          ...pool,
          metadata: {
            ...pool.metadata,
            annotations: { ...pool.metadata.annotations, [MIGRATED_TO_ANNOTATION]: target },
          },
        };
      }
    }

    const status = addressPoolStatus(
      pool,
      {
        ownErrors: isMigrated(pool) ? [] : this.ownErrors(pool),
        ...this.controllerState(),
        ...(migrationBlocked !== undefined ? { migrationBlocked } : {}),
      },
      new Date(o.clock.now()),
    );
    if (!sameStatus(pool, status)) await o.client.writeStatus(namespace, name, status);
  }

  /** Why a migration object cannot be written: one of that name exists that no migration of this pool wrote. */
  private blockerOf(objects: readonly RenderedObject[], source: string): string | undefined {
    for (const obj of objects) {
      const existing = cacheOf(this.options, obj.kind)?.get(
        `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`,
      );
      if (existing !== undefined && existing.metadata?.annotations?.[MIGRATED_FROM_ANNOTATION] !== source)
        return `${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name} exists and was not written by this migration; rename or remove it`;
    }
    return undefined;
  }

  /** The configuration model's messages about this AddressPool, from the pools and advertisements around it. */
  private ownErrors(pool: AddressPool): string[] {
    const o = this.options;
    const result = buildConfig({
      ipAddressPools: o.ipAddressPools.list(),
      addressPools: o.addressPools.list(),
      l2Advertisements: o.l2Advertisements.list(),
      bgpAdvertisements: o.bgpAdvertisements.list(),
      communities: o.communities.list(),
    });
    if (result.ok) return [];
    return result.errors
      .filter(
        (e) => e.kind === 'AddressPool' && e.name === nameOf(pool) && e.namespace === pool.metadata.namespace,
      )
      .map((e) => e.message);
  }

  private controllerState(): { controller?: { valid: boolean; errorSummary: string } } {
    const raw = this.options.configurationStates.get(`${this.options.namespace}/${CONTROLLER_STATE_NAME}`);
    const parsed = ConfigurationState.safeParse(raw);
    const result = parsed.success ? parsed.data.status?.result : undefined;
    if (!parsed.success || result === undefined || result === 'Unknown') return {};
    return {
      controller: { valid: result === 'Valid', errorSummary: parsed.data.status?.errorSummary ?? '' },
    };
  }
}
