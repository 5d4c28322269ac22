// The OCP 4.9 operator's AddressPool (metallb.io/v1alpha1) is a pool and, through its protocol, the
// advertisement of that pool: MetalLB <= 0.12 read `protocol: layer2` as "announce by ARP/NDP" and
// `protocol: bgp` as "announce to every peer with the default aggregation". Both halves are derived here.
import { AddressPool, MIGRATED_TO_ANNOTATION } from '../api/addresspool';
import { BGPSource, L2Source } from './advertisements';
import { PoolSource } from './pools';
import { Parsed } from './resources';

export interface LegacyParts {
  readonly pool: PoolSource;
  readonly l2?: L2Source;
  readonly bgp?: BGPSource;
}

/** Migrated by the operator: the IPAddressPool and advertisement it wrote serve in its place. */
export function isMigrated({ object }: Parsed<AddressPool>): boolean {
  return (object.metadata.annotations?.[MIGRATED_TO_ANNOTATION] ?? '') !== '';
}

export function splitAddressPool({ id, object }: Parsed<AddressPool>): LegacyParts {
  const pool: PoolSource = {
    id,
    addresses: object.spec.addresses,
    autoAssign: object.spec.autoAssign ?? true,
    avoidBuggyIPs: false,
    labels: object.metadata.labels ?? {},
  };
  // The advertisement selects exactly its own pool; it is reported as the AddressPool itself.
  const advertisement = { id, ipAddressPools: [id.name] };
  return object.spec.protocol === 'layer2' ? { pool, l2: advertisement } : { pool, bgp: advertisement };
}
