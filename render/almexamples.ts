// One example per owned kind and version, for the CSV's `alm-examples` (the console's "create" forms). Each
// parses with the kind's own schema (csv.test.ts), so an example can never drift from the API.
const NS = 'metallb-system';
const meta = (name: string) => ({ name, namespace: NS });

const POOL = 'first-pool';
const peerSpec = { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' };

export const ALM_EXAMPLES: readonly Record<string, unknown>[] = [
  { apiVersion: 'metallb.io/v1beta1', kind: 'MetalLB', metadata: meta('metallb'), spec: {} },
  {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: meta(POOL),
    spec: { addresses: ['192.0.2.200-192.0.2.250'] },
  },
  {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: meta('l2'),
    spec: { ipAddressPools: [POOL] },
  },
  {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPAdvertisement',
    metadata: meta('bgp'),
    spec: { ipAddressPools: [POOL] },
  },
  { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: meta('peer'), spec: peerSpec },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', metadata: meta('peer'), spec: peerSpec },
  {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'Community',
    metadata: meta('communities'),
    spec: { communities: [{ name: 'no-advertise', value: '65535:65282' }] },
  },
  {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BFDProfile',
    metadata: meta('fast'),
    spec: { receiveInterval: 300, transmitInterval: 300 },
  },
  // Written by the controller and the speakers, listed for completeness; the CSV marks them internal.
  { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: meta('l2-example'), spec: {} },
  { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceBGPStatus', metadata: meta('bgp-example'), spec: {} },
  { apiVersion: 'metallb.io/v1beta1', kind: 'ConfigurationState', metadata: meta('controller') },
  {
    apiVersion: 'metallb.io/v1alpha1',
    kind: 'AddressPool',
    metadata: meta('legacy'),
    spec: { protocol: 'layer2', addresses: ['192.0.2.100-192.0.2.150'] },
  },
];
