import { z } from 'zod';
import { LabelSelector, resourceSchema } from './meta';

export const ServiceAllocation = z
  .object({
    priority: z
      .number()
      .int()
      .optional()
      .describe(
        'Priority of this pool for the namespaces and services selected; a lower positive number is preferred, 0 means no priority.',
      ),
    namespaces: z
      .array(z.string())
      .optional()
      .describe('Namespaces whose services may be allocated from this pool.'),
    namespaceSelectors: z
      .array(LabelSelector)
      .optional()
      .describe('Selectors for the namespaces whose services may be allocated from this pool.'),
    serviceSelectors: z
      .array(LabelSelector)
      .optional()
      .describe(
        'Selectors for the services that may be allocated from this pool; a service matching any of them qualifies.',
      ),
  })
  .describe('Restricts the pool to some namespaces and services, and gives it a priority among pools.');
export type ServiceAllocation = z.infer<typeof ServiceAllocation>;

export const IPAddressPoolSpec = z
  .object({
    addresses: z
      .array(z.string())
      .describe(
        'The addresses of the pool: CIDRs (192.0.2.0/24, 2001:db8::/120) or ranges (192.0.2.10-192.0.2.20); IPv4 and IPv6 may be mixed for dual-stack.',
      ),
    autoAssign: z
      .boolean()
      .default(true)
      .optional()
      .describe(
        'Whether addresses are handed out automatically; when false only services that request the pool or an address get one.',
      ),
    avoidBuggyIPs: z
      .boolean()
      .default(false)
      .optional()
      .describe('Never allocate IPv4 addresses ending in .0 or .255.'),
    serviceAllocation: ServiceAllocation.optional(),
  })
  .describe('IPAddressPoolSpec defines the desired state of IPAddressPool.');
export type IPAddressPoolSpec = z.infer<typeof IPAddressPoolSpec>;

export const IPAddressPoolStatus = z
  .object({
    assignedIPv4: z.number().int().meta({ format: 'int64' }).describe('Number of assigned IPv4 addresses.'),
    assignedIPv6: z.number().int().meta({ format: 'int64' }).describe('Number of assigned IPv6 addresses.'),
    availableIPv4: z
      .number()
      .int()
      .meta({ format: 'int64' })
      .describe('Number of unassigned IPv4 addresses.'),
    availableIPv6: z
      .number()
      .int()
      .meta({ format: 'int64' })
      .describe('Number of unassigned IPv6 addresses.'),
  })
  .describe('IPAddressPoolStatus reports how much of the pool is in use.');
export type IPAddressPoolStatus = z.infer<typeof IPAddressPoolStatus>;

export const IPAddressPool = resourceSchema('IPAddressPool', IPAddressPoolSpec, IPAddressPoolStatus);
export type IPAddressPool = z.infer<typeof IPAddressPool>;
