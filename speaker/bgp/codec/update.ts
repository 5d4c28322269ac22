// UPDATE message body (RFC 4271 4.3): withdrawn routes, path attributes, NLRI; IPv6 routes travel in
// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760). The strict decoder here applies RFC 4271 6.3 and fails on the
// first error; the receive path uses validate.ts (RFC 7606) instead, which decides what an error costs.
import { Afi, AttrType, ErrorCode, Safi, UpdateMessageSubcode } from './codes';
import {
  type PathAttribute,
  type UpdateContext,
  attributeCode,
  attributeEncodingLength,
  decodeAttribute,
  encodeAttribute,
} from './attributes';
import { scanAttributes } from './attributelist';
import { type Prefix, decodePrefixes, encodePrefixes, prefixesEncodingLength } from './prefix';
import { type Decoded, decoded, failed } from './result';

export interface UpdateMessage {
  readonly type: 'update';
  /** IPv4 withdrawals (RFC 4271 4.3 Withdrawn Routes). */
  readonly withdrawn: readonly Prefix[];
  readonly attributes: readonly PathAttribute[];
  /** IPv4 announcements (RFC 4271 4.3 NLRI). */
  readonly nlri: readonly Prefix[];
}

export function attributesEncodingLength(attributes: readonly PathAttribute[], ctx: UpdateContext): number {
  let n = 0;
  for (const a of attributes) n += attributeEncodingLength(a, ctx);
  return n;
}

export function updateBodyLength(update: UpdateMessage, ctx: UpdateContext): number {
  return (
    4 +
    prefixesEncodingLength(update.withdrawn) +
    attributesEncodingLength(update.attributes, ctx) +
    prefixesEncodingLength(update.nlri)
  );
}

export function encodeUpdateBody(
  update: UpdateMessage,
  ctx: UpdateContext,
  buf: Buffer,
  offset: number,
): number {
  const withdrawnLength = encodePrefixes(update.withdrawn, buf, offset + 2);
  buf.writeUInt16BE(withdrawnLength, offset);
  const attrsAt = offset + 4 + withdrawnLength;
  let at = attrsAt;
  for (const a of update.attributes) at += encodeAttribute(a, ctx, buf, at);
  buf.writeUInt16BE(at - attrsAt, attrsAt - 2);
  at += encodePrefixes(update.nlri, buf, at);
  return at - offset;
}

const S = UpdateMessageSubcode;

/** Decodes an UPDATE body of exactly buf[offset, end), applying every check of RFC 4271 6.3. */
export function decodeUpdateBody(
  buf: Uint8Array,
  offset: number,
  end: number,
  ctx: UpdateContext,
): Decoded<UpdateMessage> {
  const layout = updateLayout(buf, offset, end);
  if (!layout.ok) return layout;
  const { withdrawnEnd, attributesEnd } = layout.value;
  const withdrawn = decodePrefixes(4, buf, offset + 2, withdrawnEnd);
  if (!withdrawn.ok) return withdrawn;
  const scan = scanAttributes(buf, withdrawnEnd + 2, attributesEnd);
  if (!scan.ok) return { ok: false, error: scan.error };
  const attributes: PathAttribute[] = [];
  const seen = new Set<number>();
  for (const raw of scan.attributes) {
    // RFC 4271 6.3: an attribute that appears more than once makes the list malformed.
    if (seen.has(raw.code))
      return failed('attribute-duplicate', ErrorCode.UpdateMessageError, S.MalformedAttributeList);
    seen.add(raw.code);
    const attr = decodeAttribute(raw, ctx);
    if (!attr.ok) return { ok: false, error: attr.error };
    attributes.push(attr.value);
  }
  const nlri = decodePrefixes(4, buf, attributesEnd, end);
  if (!nlri.ok) return nlri;
  const missing = missingWellKnown(seen, nlri.value.length > 0, seen.has(AttrType.MP_REACH_NLRI));
  if (missing !== undefined) {
    return failed(
      'attribute-missing',
      ErrorCode.UpdateMessageError,
      S.MissingWellKnownAttribute,
      Uint8Array.of(missing),
    );
  }
  return decoded({ type: 'update', withdrawn: withdrawn.value, attributes, nlri: nlri.value }, end - offset);
}

/**
 * RFC 4271 6.3: Withdrawn Routes Length + Total Attribute Length + 23 must not exceed the message length, else
 * Malformed Attribute List. Returns where each field ends.
 */
export function updateLayout(
  buf: Uint8Array,
  offset: number,
  end: number,
): Decoded<{ withdrawnEnd: number; attributesEnd: number }> {
  const malformed = () => failed('update-lengths', ErrorCode.UpdateMessageError, S.MalformedAttributeList);
  if (end - offset < 4) return malformed();
  const withdrawnEnd = offset + 2 + (((buf[offset] ?? 0) << 8) | (buf[offset + 1] ?? 0));
  if (withdrawnEnd + 2 > end) return malformed();
  const attributesEnd = withdrawnEnd + 2 + (((buf[withdrawnEnd] ?? 0) << 8) | (buf[withdrawnEnd + 1] ?? 0));
  if (attributesEnd > end) return malformed();
  return decoded({ withdrawnEnd, attributesEnd }, end - offset);
}

/**
 * The first well-known mandatory attribute missing from an UPDATE that announces routes (RFC 4271 5, 6.3).
 * NEXT_HOP is needed only for IPv4 NLRI: MP_REACH_NLRI carries its own (RFC 4760 3). An UPDATE that only
 * withdraws needs nothing (RFC 7606 5.1 for MP_UNREACH_NLRI).
 */
export function missingWellKnown(
  present: ReadonlySet<number>,
  hasNlri: boolean,
  hasMpReach: boolean,
): number | undefined {
  if (!hasNlri && !hasMpReach) return undefined;
  if (!present.has(AttrType.ORIGIN)) return AttrType.ORIGIN;
  if (!present.has(AttrType.AS_PATH)) return AttrType.AS_PATH;
  if (hasNlri && !present.has(AttrType.NEXT_HOP)) return AttrType.NEXT_HOP;
  return undefined;
}

/** RFC 4724 2: End-of-RIB is an empty UPDATE for IPv4 unicast, and an empty MP_UNREACH_NLRI for others. */
export function endOfRib(afi: number, safi: number = Safi.Unicast): UpdateMessage {
  if (afi === Afi.IPv4 && safi === Safi.Unicast)
    return { type: 'update', withdrawn: [], attributes: [], nlri: [] };
  return {
    type: 'update',
    withdrawn: [],
    attributes: [{ type: 'mp-unreach', afi, safi, withdrawn: [] }],
    nlri: [],
  };
}

/** The family an End-of-RIB marker closes, or undefined if the UPDATE is not one. */
export function endOfRibFamily(update: UpdateMessage): { afi: number; safi: number } | undefined {
  if (update.withdrawn.length > 0 || update.nlri.length > 0) return undefined;
  if (update.attributes.length === 0) return { afi: Afi.IPv4, safi: Safi.Unicast };
  const [only] = update.attributes;
  if (update.attributes.length === 1 && only !== undefined) {
    if (only.type === 'mp-unreach' && only.withdrawn.length === 0) return { afi: only.afi, safi: only.safi };
    if (
      only.type === 'unknown' &&
      attributeCode(only) === AttrType.MP_UNREACH_NLRI &&
      only.value.length === 3
    ) {
      return { afi: ((only.value[0] ?? 0) << 8) | (only.value[1] ?? 0), safi: only.value[2] ?? 0 };
    }
  }
  return undefined;
}
