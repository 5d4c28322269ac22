import { z } from 'zod';
import { LabelSelector, resourceSchema } from './meta';

export const SERVICE_SELECTORS_NEED_DEFAULT_AGGREGATION =
  'serviceSelectors and aggregationLength are mutually exclusive, can only be used together with default aggregationLength (32) and aggregationLengthV6 (128)';

export const BGPAdvertisementSpec = z
  .object({
    aggregationLength: z
      .number()
      .int()
      .min(1)
      .default(32)
      .optional()
      .meta({ format: 'int32' })
      .describe('The IPv4 prefix length announced: the service address masked to this length.'),
    aggregationLengthV6: z
      .number()
      .int()
      .default(128)
      .optional()
      .meta({ format: 'int32' })
      .describe('The IPv6 prefix length announced.'),
    localPref: z
      .number()
      .int()
      .min(0)
      .max(4294967295)
      .optional()
      .meta({ format: 'int64' })
      .describe('The BGP LOCAL_PREF attribute, sent to iBGP peers.'),
    communities: z
      .array(z.string())
      .optional()
      .describe('BGP communities: AA:NN, large:A:B:C, or the name of a Community alias.'),
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
      .describe('The nodes that advertise (the next hops); empty means all nodes.'),
    peers: z
      .array(z.string())
      .optional()
      .describe('The BGPPeers to advertise to, by name; empty means all peers.'),
    serviceSelectors: z
      .array(LabelSelector)
      .optional()
      .describe('Only services matching any selector; empty means all.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.serviceSelectors) || ((!has(self.aggregationLength) || self.aggregationLength == 32) && (!has(self.aggregationLengthV6) || self.aggregationLengthV6 == 128))',
        message: SERVICE_SELECTORS_NEED_DEFAULT_AGGREGATION,
      },
    ],
  })
  .describe('BGPAdvertisementSpec defines how pools are announced to BGP peers.');
export type BGPAdvertisementSpec = z.infer<typeof BGPAdvertisementSpec>;

export const BGPAdvertisement = resourceSchema('BGPAdvertisement', BGPAdvertisementSpec, z.object({}));
export type BGPAdvertisement = z.infer<typeof BGPAdvertisement>;
