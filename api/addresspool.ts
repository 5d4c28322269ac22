// The legacy AddressPool of the OKD/OCP 4.9 operator (metallb.io/v1alpha1). It is a pool and, through its
// protocol, an advertisement of that pool: layer2 or bgp. Its status is ironlb's (the 4.9 CRD had an empty
// one): the operator reports there whether the pool is served and what it stands for (operator/legacy/).
import { z } from 'zod';
import { Condition, resourceSchema } from './meta';

/** Set by a user: asks the operator to write the equivalent IPAddressPool and advertisement. */
export const MIGRATE_ANNOTATION = 'metallb.io/migrate';
/**
 * Set by the operator once the IPAddressPool and advertisement exist: `IPAddressPool/<name>`. A migrated
 * AddressPool is left out of the configuration (config/legacy.ts), the IPAddressPool of the same name and
 * addresses serving in its place.
 */
export const MIGRATED_TO_ANNOTATION = 'metallb.io/migrated-to';

export const AddressPoolSpec = z
  .object({
    name: z.string().optional().describe('Unused; metadata.name names the pool.'),
    protocol: z.enum(['layer2', 'bgp']).describe('How the pool is announced.'),
    addresses: z.array(z.string()).describe('CIDRs or ranges, as in IPAddressPool.'),
    autoAssign: z
      .boolean()
      .default(true)
      .optional()
      .describe('Whether addresses are handed out automatically.'),
  })
  .describe('AddressPoolSpec defines a legacy address pool.');
export type AddressPoolSpec = z.infer<typeof AddressPoolSpec>;

export const AddressPoolStatus = z
  .object({
    conditions: z
      .array(Condition)
      .optional()
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
      .describe('Served, Deprecated and Migrated, written by the operator.'),
    ipAddressPool: z.string().optional().describe('The pool this AddressPool stands for.'),
    advertisement: z
      .object({
        kind: z.enum(['L2Advertisement', 'BGPAdvertisement']),
        name: z.string(),
      })
      .optional()
      .describe('The advertisement this AddressPool stands for.'),
  })
  .describe('AddressPoolStatus says whether the pool is served and what it stands for.');
export type AddressPoolStatus = z.infer<typeof AddressPoolStatus>;

export const AddressPool = resourceSchema('AddressPool', AddressPoolSpec, AddressPoolStatus);
export type AddressPool = z.infer<typeof AddressPool>;
