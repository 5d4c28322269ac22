// BGPPeer is served in two versions. v1beta2 is stored (the conversion hub); v1beta1 is deprecated and
// converted through the webhook at /convert.
import { z } from 'zod';
import { Duration, LabelSelector, resourceSchema } from './meta';

const uint32 = () => z.number().int().min(0).max(4294967295).meta({ format: 'int64' });

export const SecretReference = z
  .object({
    name: z.string().optional().describe('name is unique within a namespace to reference a secret resource.'),
    namespace: z
      .string()
      .optional()
      .describe('namespace defines the space within which the secret name must be unique.'),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' })
  .describe('A reference to a Secret of type kubernetes.io/basic-auth holding the key "password".');

export const CONNECT_TIME_RULE_MESSAGE = 'connect time should be between 1 seconds to 65535';
export const CONNECT_TIME_WHOLE_SECONDS_MESSAGE = 'connect time should contain a whole number of seconds';

export const BGPPeerSpecV1beta2 = z
  .object({
    myASN: uint32().describe('AS number to use for the local end of the session.'),
    peerASN: uint32()
      .optional()
      .describe('AS number to expect from the remote end of the session; exclusive with dynamicASN.'),
    dynamicASN: z
      .enum(['internal', 'external'])
      .optional()
      .describe('Detect the peer AS number: internal (same as myASN) or external; exclusive with peerASN.'),
    localASN: z
      .number()
      .int()
      .min(1)
      .max(4294967295)
      .optional()
      .meta({ format: 'int64' })
      .describe('AS number to present to the peer instead of myASN (local-as).'),
    peerAddress: z
      .string()
      .optional()
      .describe('Address to dial when establishing the session; exclusive with interface.'),
    interface: z.string().optional().describe('Interface for unnumbered BGP; exclusive with peerAddress.'),
    sourceAddress: z.string().optional().describe('Source address to use when establishing the session.'),
    peerPort: z
      .number()
      .int()
      .min(1)
      .max(16384)
      .default(179)
      .optional()
      .describe('Port to dial when establishing the session.'),
    holdTime: Duration.optional().describe('Requested BGP hold time, per RFC 4271.'),
    keepaliveTime: Duration.optional().describe('Requested BGP keepalive time, per RFC 4271.'),
    connectTime: Duration.optional()
      .meta({
        'x-kubernetes-validations': [
          {
            rule: 'duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535',
            message: CONNECT_TIME_RULE_MESSAGE,
          },
          {
            rule: 'duration(self).getMilliseconds() % 1000 == 0',
            message: CONNECT_TIME_WHOLE_SECONDS_MESSAGE,
          },
        ],
      })
      .describe('Requested BGP connect time, the time between TCP connection attempts.'),
    routerID: z.string().optional().describe('BGP router ID to advertise to the peer.'),
    nodeSelectors: z
      .array(LabelSelector)
      .optional()
      .describe('The nodes that connect to this peer; empty means all nodes.'),
    password: z
      .string()
      .optional()
      .describe('Authentication password for routers enforcing TCP MD5 authenticated sessions.'),
    passwordSecret: SecretReference.optional(),
    bfdProfile: z.string().optional().describe('The name of the BFD profile for the session.'),
    enableGracefulRestart: z
      .boolean()
      .optional()
      .meta({
        'x-kubernetes-validations': [
          { rule: 'self == oldSelf', message: 'EnableGracefulRestart cannot be changed after creation' },
        ],
      })
      .describe('Enable BGP graceful restart for the session (immutable).'),
    ebgpMultiHop: z.boolean().optional().describe('Whether the peer is multiple hops away (eBGP multihop).'),
    vrf: z.string().optional().describe('The host VRF to establish the session from.'),
    disableMP: z
      .boolean()
      .default(false)
      .optional()
      .describe('Deprecated: has no effect; kept for compatibility.'),
    dualStackAddressFamily: z
      .boolean()
      .default(false)
      .optional()
      .describe('Activate both IPv4 and IPv6 address families on the session.'),
  })
  .describe('BGPPeerSpec defines a BGP session with a router.');
export type BGPPeerSpecV1beta2 = z.infer<typeof BGPPeerSpecV1beta2>;

export const BGPPeer = resourceSchema('BGPPeer', BGPPeerSpecV1beta2, z.object({}));
export type BGPPeer = z.infer<typeof BGPPeer>;

/** v1beta1's node selectors predate metav1.LabelSelector: values must be non-empty. */
export const LegacyNodeSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string(),
        operator: z.string(),
        values: z.array(z.string()).min(1),
      }),
    )
    .optional(),
});

export const BGPPeerSpecV1beta1 = z
  .object({
    myASN: uint32().describe('AS number to use for the local end of the session.'),
    peerASN: uint32().describe('AS number to expect from the remote end of the session.'),
    peerAddress: z.string().describe('Address to dial when establishing the session.'),
    sourceAddress: z.string().optional().describe('Source address to use when establishing the session.'),
    peerPort: z
      .number()
      .int()
      .min(0)
      .max(16384)
      .optional()
      .describe('Port to dial when establishing the session.'),
    holdTime: Duration.optional().describe('Requested BGP hold time, per RFC 4271.'),
    keepaliveTime: Duration.optional().describe('Requested BGP keepalive time, per RFC 4271.'),
    routerID: z.string().optional().describe('BGP router ID to advertise to the peer.'),
    nodeSelectors: z.array(LegacyNodeSelector).optional().describe('The nodes that connect to this peer.'),
    password: z
      .string()
      .optional()
      .describe('Authentication password for routers enforcing TCP MD5 authenticated sessions.'),
    bfdProfile: z.string().optional().describe('The name of the BFD profile for the session.'),
    ebgpMultiHop: z.boolean().optional().describe('Whether the peer is multiple hops away (eBGP multihop).'),
  })
  .describe('Deprecated BGPPeer v1beta1 spec; use v1beta2.');
export type BGPPeerSpecV1beta1 = z.infer<typeof BGPPeerSpecV1beta1>;

export const BGPPeerV1beta1 = resourceSchema('BGPPeer', BGPPeerSpecV1beta1, z.object({}));
export type BGPPeerV1beta1 = z.infer<typeof BGPPeerV1beta1>;
