// Where the metallb.io kinds the controller reads and writes live in the REST API.
import { GROUP } from '../../api/meta';
import type { ResourceRef } from '../../kube/resource';

const metallb = (version: string, plural: string, kind: string): ResourceRef => ({
  group: GROUP,
  version,
  plural,
  kind,
  namespaced: true,
});

export const METALLB = {
  ipAddressPools: metallb('v1beta1', 'ipaddresspools', 'IPAddressPool'),
  addressPools: metallb('v1alpha1', 'addresspools', 'AddressPool'),
  l2Advertisements: metallb('v1beta1', 'l2advertisements', 'L2Advertisement'),
  bgpAdvertisements: metallb('v1beta1', 'bgpadvertisements', 'BGPAdvertisement'),
  bgpPeers: metallb('v1beta2', 'bgppeers', 'BGPPeer'),
  communities: metallb('v1beta1', 'communities', 'Community'),
  bfdProfiles: metallb('v1beta1', 'bfdprofiles', 'BFDProfile'),
  configurationStates: metallb('v1beta1', 'configurationstates', 'ConfigurationState'),
} as const satisfies Record<string, ResourceRef>;
