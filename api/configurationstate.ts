import { z } from 'zod';
import { Condition, resourceSchema } from './meta';

export const ConfigurationStateStatus = z.object({
  result: z
    .enum(['Valid', 'Invalid', 'Unknown'])
    .optional()
    .describe('Whether the configuration the component sees is valid.'),
  errorSummary: z.string().optional().describe('The configuration errors, one per line.'),
  conditions: z
    .array(Condition)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .describe('One condition per reconciler reporting on the configuration.'),
});
export type ConfigurationStateStatus = z.infer<typeof ConfigurationStateStatus>;

export const ConfigurationState = resourceSchema(
  'ConfigurationState',
  z.object({}),
  ConfigurationStateStatus,
);
export type ConfigurationState = z.infer<typeof ConfigurationState>;
