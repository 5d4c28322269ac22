import { z } from 'zod';
import { resourceSchema } from './meta';

export const CommunityAlias = z.object({
  name: z.string().optional().describe('The name of the alias, used in BGPAdvertisement communities.'),
  value: z.string().optional().describe('The community value: AA:NN or large:A:B:C.'),
});

export const CommunitySpec = z
  .object({ communities: z.array(CommunityAlias).optional() })
  .describe('CommunitySpec defines named aliases for BGP community values.');
export type CommunitySpec = z.infer<typeof CommunitySpec>;

export const Community = resourceSchema('Community', CommunitySpec, z.object({}));
export type Community = z.infer<typeof Community>;
