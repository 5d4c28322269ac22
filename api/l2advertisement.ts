import { z } from 'zod';
import { LabelSelector, resourceSchema } from './meta';

export const PreferredNodeSelector = z.object({
  weight: z
    .number()
    .int()
    .min(1)
    .max(100)
    .meta({ format: 'int32' })
    .describe('Weight of this preference, 1 to 100.'),
  preference: LabelSelector.describe(
    'The nodes this preference applies to; an empty selector matches every node.',
  ),
});

export const L2AdvertisementSpec = z
  .object({
    ipAddressPools: z
      .array(z.string())
      .optional()
      .describe('The pools advertised, by name. Empty with no selectors means all pools.'),
    ipAddressPoolSelectors: z
      .array(LabelSelector)
      .optional()
      .describe('Selectors for the pools advertised, by label.'),
    nodeSelectors: z
      .array(LabelSelector)
      .optional()
      .describe('The nodes allowed to announce; empty means all nodes.'),
    interfaces: z
      .array(z.string())
      .optional()
      .describe('Announce only from these interfaces; empty means all interfaces.'),
    serviceSelectors: z
      .array(LabelSelector)
      .optional()
      .describe('Only services matching any selector; empty means all.'),
    preferredNodeSelectors: z
      .array(PreferredNodeSelector)
      .optional()
      .describe(
        'Soft preference among eligible nodes for which one announces a service; weights of matching selectors are summed.',
      ),
  })
  .describe('L2AdvertisementSpec defines how pools are announced by ARP and NDP.');
export type L2AdvertisementSpec = z.infer<typeof L2AdvertisementSpec>;

export const L2Advertisement = resourceSchema('L2Advertisement', L2AdvertisementSpec, z.object({}));
export type L2Advertisement = z.infer<typeof L2Advertisement>;
