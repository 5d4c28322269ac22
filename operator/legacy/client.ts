// The legacy AddressPool reconciler's writes: the migration objects by server-side apply under the operator's
// field manager, the migrated-to annotation by a merge patch of metadata only, and the status through the
// status subresource.
import { MIGRATED_TO_ANNOTATION } from '../../api/addresspool';
import { METALLB } from '../../api/resources';
import { applyObject, applyStatus } from '../../kube/apply';
import { objectPath, type ResourceRef } from '../../kube/resource';
import { CONTENT_TYPE, type RestClient } from '../../kube/rest';
import type { RenderedObject } from '../../render/object';
import { FIELD_MANAGER } from '../render/operands';
import type { LegacyStatus } from './addresspool';
import type { LegacyClient } from './reconciler';

export class UnknownMigrationKindError extends Error {
  override readonly name = 'UnknownMigrationKindError';
}

function resourceOf(kind: string): ResourceRef {
  switch (kind) {
    case 'IPAddressPool':
      return METALLB.ipAddressPools;
    case 'L2Advertisement':
      return METALLB.l2Advertisements;
    case 'BGPAdvertisement':
      return METALLB.bgpAdvertisements;
    default:
      throw new UnknownMigrationKindError(`a migration writes no ${kind}`);
  }
}

export class RestLegacyClient implements LegacyClient {
  constructor(private readonly rest: RestClient) {}

  async apply(obj: RenderedObject): Promise<void> {
    await applyObject(this.rest, resourceOf(obj.kind), obj, { fieldManager: FIELD_MANAGER, force: true });
  }

  async markMigrated(namespace: string, name: string, value: string): Promise<void> {
    await this.rest.request({
      method: 'PATCH',
      path: objectPath(METALLB.addressPools, name, namespace),
      contentType: CONTENT_TYPE.mergePatch,
      body: { metadata: { annotations: { [MIGRATED_TO_ANNOTATION]: value } } },
    });
  }

  async writeStatus(namespace: string, name: string, status: LegacyStatus): Promise<void> {
    await applyStatus(
      this.rest,
      METALLB.addressPools,
      { apiVersion: 'metallb.io/v1alpha1', kind: 'AddressPool', metadata: { name, namespace }, status },
      { fieldManager: FIELD_MANAGER, force: true },
    );
  }
}
