// The legacy AddressPool of the OKD/OCP 4.9 operator (metallb.io/v1alpha1). It is a pool and, through its
// protocol, an advertisement of that pool: layer2 or bgp.
import { z } from 'zod';
import { resourceSchema } from './meta';

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

export const AddressPool = resourceSchema('AddressPool', AddressPoolSpec, z.object({}));
export type AddressPool = z.infer<typeof AddressPool>;
