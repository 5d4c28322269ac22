// BGPPeer conversion between v1beta1 (served, deprecated) and v1beta2 (stored), for the /convert webhook.
// v1beta1 -> v1beta2 is config's convertPeerToV1beta2; v1beta2 -> v1beta1 keeps the fields v1beta1 has and
// drops the rest, as upstream's ConvertFrom does. Metadata and unknown top-level fields pass through.
import { z } from 'zod';
import { BGPPeer, BGPPeerSpecV1beta1, BGPPeerV1beta1 } from '../../api/bgppeer';
import { convertPeerToV1beta2 } from '../../config/peerconversion';

export const V1BETA1 = 'metallb.io/v1beta1';
export const V1BETA2 = 'metallb.io/v1beta2';

type SpecV1beta1 = z.infer<typeof BGPPeerSpecV1beta1>;

export function toV1beta1(peer: BGPPeer): SpecV1beta1 {
  const s = peer.spec;
  const spec: SpecV1beta1 = { myASN: s.myASN, peerASN: s.peerASN ?? 0, peerAddress: s.peerAddress ?? '' };
  if (s.sourceAddress !== undefined) spec.sourceAddress = s.sourceAddress;
  if (s.peerPort !== undefined) spec.peerPort = s.peerPort;
  if (s.holdTime !== undefined) spec.holdTime = s.holdTime;
  if (s.keepaliveTime !== undefined) spec.keepaliveTime = s.keepaliveTime;
  if (s.routerID !== undefined) spec.routerID = s.routerID;
  if (s.password !== undefined) spec.password = s.password;
  if (s.bfdProfile !== undefined) spec.bfdProfile = s.bfdProfile;
  if (s.ebgpMultiHop !== undefined) spec.ebgpMultiHop = s.ebgpMultiHop;
  if (s.nodeSelectors !== undefined) {
    spec.nodeSelectors = s.nodeSelectors.map((sel) => ({
      ...(sel.matchLabels !== undefined ? { matchLabels: sel.matchLabels } : {}),
      ...(sel.matchExpressions !== undefined
        ? {
            matchExpressions: sel.matchExpressions.map((e) => ({
              key: e.key,
              operator: e.operator,
              values: e.values ?? [],
            })),
          }
        : {}),
    }));
  }
  return spec;
}

export type ConversionResult = { ok: true; objects: unknown[] } | { ok: false; message: string };

function apiVersionOf(obj: unknown): unknown {
  return typeof obj === 'object' && obj !== null ? Reflect.get(obj, 'apiVersion') : undefined;
}

/** Converts every object to `desired`; one failure fails the review, as the API server requires. */
export function convertPeers(objects: readonly unknown[], desired: string): ConversionResult {
  if (desired !== V1BETA1 && desired !== V1BETA2)
    return { ok: false, message: `unsupported desiredAPIVersion ${desired}` };
  const out: unknown[] = [];
  for (const [i, obj] of objects.entries()) {
    if (typeof obj !== 'object' || obj === null)
      return { ok: false, message: `objects[${i}] is not an object` };
    const from = apiVersionOf(obj);
    if (from === desired) {
      out.push(obj);
      continue;
    }
    if (from === V1BETA1) {
      const parsed = BGPPeerV1beta1.safeParse(obj);
      if (!parsed.success)
        return { ok: false, message: `objects[${i}]: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
      out.push({ ...obj, apiVersion: V1BETA2, spec: convertPeerToV1beta2(parsed.data).spec });
    } else if (from === V1BETA2) {
      const parsed = BGPPeer.safeParse(obj);
      if (!parsed.success)
        return { ok: false, message: `objects[${i}]: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
      out.push({ ...obj, apiVersion: V1BETA1, spec: toV1beta1(parsed.data) });
    } else {
      return { ok: false, message: `objects[${i}]: unsupported apiVersion ${String(from)}` };
    }
  }
  return { ok: true, objects: out };
}
