// BGPPeer v1beta1 → v1beta2, as MetalLB's conversion webhook does it: the fields keep their meaning; the
// legacy node selectors become metav1.LabelSelectors.
import { BGPPeer, BGPPeerV1beta1 } from '../api/bgppeer';

export function convertPeerToV1beta2(old: BGPPeerV1beta1): BGPPeer {
  const s = old.spec;
  return {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: old.metadata,
    spec: {
      myASN: s.myASN,
      peerASN: s.peerASN,
      peerAddress: s.peerAddress,
      ...(s.sourceAddress !== undefined ? { sourceAddress: s.sourceAddress } : {}),
      // v1beta1 allowed port 0, which meant the default.
      peerPort: s.peerPort === undefined || s.peerPort === 0 ? 179 : s.peerPort,
      ...(s.holdTime !== undefined ? { holdTime: s.holdTime } : {}),
      ...(s.keepaliveTime !== undefined ? { keepaliveTime: s.keepaliveTime } : {}),
      ...(s.routerID !== undefined ? { routerID: s.routerID } : {}),
      ...(s.nodeSelectors !== undefined
        ? {
            nodeSelectors: s.nodeSelectors.map((n) => ({
              ...(n.matchLabels !== undefined ? { matchLabels: n.matchLabels } : {}),
              ...(n.matchExpressions !== undefined ? { matchExpressions: n.matchExpressions } : {}),
            })),
          }
        : {}),
      ...(s.password !== undefined ? { password: s.password } : {}),
      ...(s.bfdProfile !== undefined ? { bfdProfile: s.bfdProfile } : {}),
      ...(s.ebgpMultiHop !== undefined ? { ebgpMultiHop: s.ebgpMultiHop } : {}),
      disableMP: false,
      dualStackAddressFamily: false,
    },
  };
}
