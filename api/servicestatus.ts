// ServiceL2Status and ServiceBGPStatus: status-only records a speaker writes about what it announces.
import { z } from 'zod';
import { resourceSchema } from './meta';

const immutable = (description: string) =>
  z
    .string()
    .optional()
    .meta({ 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'Value is immutable' }] })
    .describe(description);

export const InterfaceInfo = z.object({ name: z.string().optional().describe('Name of the interface.') });

export const MetalLBServiceL2Status = z.object({
  node: immutable('The node the service is announced from.'),
  serviceName: immutable('The name of the service.'),
  serviceNamespace: immutable('The namespace of the service.'),
  interfaces: z
    .array(InterfaceInfo)
    .optional()
    .describe('The interfaces announcing; set only when the announcement is restricted to some interfaces.'),
});
export const ServiceL2Status = resourceSchema('ServiceL2Status', z.object({}), MetalLBServiceL2Status);
export type ServiceL2Status = z.infer<typeof ServiceL2Status>;

export const MetalLBServiceBGPStatus = z.object({
  node: immutable('The node the service is advertised from.'),
  serviceName: immutable('The name of the service.'),
  serviceNamespace: immutable('The namespace of the service.'),
  peers: z
    .array(z.string())
    .optional()
    .describe('The BGPPeers the service is configured to be advertised to from this node.'),
});
export const ServiceBGPStatus = resourceSchema('ServiceBGPStatus', z.object({}), MetalLBServiceBGPStatus);
export type ServiceBGPStatus = z.infer<typeof ServiceBGPStatus>;
