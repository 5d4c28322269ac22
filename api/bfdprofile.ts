import { z } from 'zod';
import { resourceSchema } from './meta';

const interval = (what: string, dflt: number) =>
  z
    .number()
    .int()
    .min(10)
    .max(60000)
    .optional()
    .meta({ format: 'int32' })
    .describe(`${what} in milliseconds (10 to 60000, default ${dflt}).`);

export const BFDProfileSpec = z
  .object({
    receiveInterval: interval(
      'The minimum interval this system is capable of receiving control packets',
      300,
    ),
    transmitInterval: interval(
      'The minimum transmission interval (less jitter) this system wants to use to send BFD control packets',
      300,
    ),
    detectMultiplier: z
      .number()
      .int()
      .min(2)
      .max(255)
      .optional()
      .meta({ format: 'int32' })
      .describe('Configures the detection multiplier to determine packet loss.'),
    echoInterval: interval(
      'The minimal echo receive transmission interval that this system is capable of handling',
      50,
    ),
    echoMode: z.boolean().optional().describe('Enables or disables the echo transmission mode.'),
    passiveMode: z
      .boolean()
      .optional()
      .describe('Mark session as passive: wait for the peer to start the session.'),
    minimumTtl: z
      .number()
      .int()
      .min(1)
      .max(254)
      .optional()
      .meta({ format: 'int32' })
      .describe('For multi hop sessions only: the minimum expected TTL for an incoming BFD control packet.'),
  })
  .describe('BFDProfileSpec defines the BFD parameters of BGP sessions that reference it.');
export type BFDProfileSpec = z.infer<typeof BFDProfileSpec>;

export const BFDProfile = resourceSchema('BFDProfile', BFDProfileSpec, z.object({}));
export type BFDProfile = z.infer<typeof BFDProfile>;
