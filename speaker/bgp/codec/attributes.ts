// Path attributes (RFC 4271 4.3 "Path Attributes", 5): flags, type code, 1- or 2-octet length, value. Each
// typed attribute carries `flags` only when the peer's flags differ from the ones this codec would write, so
// canonical values compare simply and odd encodings still round-trip. A malformed value yields both the
// RFC 4271 6.3 NOTIFICATION and the RFC 7606 disposition, so one table serves the strict decoder and the
// receive-side validator.
import { type AsSegment, type AsSize, asPathEncodingLength, decodeAsPath, encodeAsPath } from './aspath';
import { AttrFlag, AttrType, ErrorCode, UpdateMessageSubcode } from './codes';
import {
  type MpReach,
  type MpUnreach,
  decodeMpReach,
  decodeMpUnreach,
  encodeMpReach,
  encodeMpUnreach,
  isUnicastFamily,
  mpReachLength,
  mpUnreachLength,
} from './mp';
import { addressBytes, readAddress } from './prefix';
import type { RawAttribute } from './attributelist';
import type { BgpError } from './result';

export interface UpdateContext {
  /** Both sides sent the 4-octet AS capability (RFC 6793 4): AS_PATH and AGGREGATOR carry 4-octet ASes. */
  readonly fourOctetAs: boolean;
}

export type Origin = 'igp' | 'egp' | 'incomplete';
export interface LargeCommunity {
  readonly global: number;
  readonly local1: number;
  readonly local2: number;
}

interface Flagged {
  /** The wire flags, present only when they differ from `defaultFlags` for this attribute. */
  readonly flags?: number;
}

export type PathAttribute = Flagged &
  (
    | { readonly type: 'origin'; readonly origin: Origin }
    | { readonly type: 'as-path'; readonly segments: readonly AsSegment[] }
    | { readonly type: 'next-hop'; readonly nextHop: string }
    | { readonly type: 'med'; readonly med: number }
    | { readonly type: 'local-pref'; readonly localPref: number }
    | { readonly type: 'atomic-aggregate' }
    | { readonly type: 'aggregator'; readonly asn: number; readonly address: string }
    /** RFC 1997: each community a 32-bit number, high 16 bits the AS. */
    | { readonly type: 'communities'; readonly communities: readonly number[] }
    | ({ readonly type: 'mp-reach' } & MpReach)
    | ({ readonly type: 'mp-unreach' } & MpUnreach)
    | { readonly type: 'as4-path'; readonly segments: readonly AsSegment[] }
    | { readonly type: 'as4-aggregator'; readonly asn: number; readonly address: string }
    | { readonly type: 'large-communities'; readonly communities: readonly LargeCommunity[] }
    | { readonly type: 'unknown'; readonly code: number; readonly flags: number; readonly value: Uint8Array }
  );

export type AttributeKind = PathAttribute['type'];

const O = AttrFlag.Optional;
const T = AttrFlag.Transitive;

/** Type code and the Optional/Transitive flags the RFC defines for it. */
const KNOWN: Record<Exclude<AttributeKind, 'unknown'>, { code: number; flags: number }> = {
  origin: { code: AttrType.ORIGIN, flags: T },
  'as-path': { code: AttrType.AS_PATH, flags: T },
  'next-hop': { code: AttrType.NEXT_HOP, flags: T },
  med: { code: AttrType.MULTI_EXIT_DISC, flags: O },
  'local-pref': { code: AttrType.LOCAL_PREF, flags: T },
  'atomic-aggregate': { code: AttrType.ATOMIC_AGGREGATE, flags: T },
  aggregator: { code: AttrType.AGGREGATOR, flags: O | T },
  communities: { code: AttrType.COMMUNITIES, flags: O | T },
  'mp-reach': { code: AttrType.MP_REACH_NLRI, flags: O },
  'mp-unreach': { code: AttrType.MP_UNREACH_NLRI, flags: O },
  'as4-path': { code: AttrType.AS4_PATH, flags: O | T },
  'as4-aggregator': { code: AttrType.AS4_AGGREGATOR, flags: O | T },
  'large-communities': { code: AttrType.LARGE_COMMUNITY, flags: O | T },
};

const KIND_BY_CODE = new Map<number, Exclude<AttributeKind, 'unknown'>>(
  Object.entries(KNOWN).map(([kind, k]) => [k.code, kind as Exclude<AttributeKind, 'unknown'>]),
);

export function attributeCode(attr: PathAttribute): number {
  return attr.type === 'unknown' ? attr.code : KNOWN[attr.type].code;
}

const ORIGINS: readonly Origin[] = ['igp', 'egp', 'incomplete'];

function valueLength(attr: PathAttribute, asSize: AsSize): number {
  switch (attr.type) {
    case 'origin':
      return 1;
    case 'as-path':
      return asPathEncodingLength(attr.segments, asSize);
    case 'as4-path':
      return asPathEncodingLength(attr.segments, 4);
    case 'next-hop':
    case 'med':
    case 'local-pref':
      return 4;
    case 'atomic-aggregate':
      return 0;
    case 'aggregator':
      return asSize + 4;
    case 'as4-aggregator':
      return 8;
    case 'communities':
      return 4 * attr.communities.length;
    case 'large-communities':
      return 12 * attr.communities.length;
    case 'mp-reach':
      return mpReachLength(attr);
    case 'mp-unreach':
      return mpUnreachLength(attr);
    case 'unknown':
      return attr.value.length;
  }
}

function wireFlags(attr: PathAttribute, length: number): number {
  const base = attr.flags ?? (attr.type === 'unknown' ? attr.flags : KNOWN[attr.type].flags);
  // RFC 4271 4.3: a value over 255 octets needs the 2-octet length the Extended Length bit announces.
  return length > 255 ? base | AttrFlag.ExtendedLength : base;
}

export function attributeEncodingLength(attr: PathAttribute, ctx: UpdateContext): number {
  const length = valueLength(attr, ctx.fourOctetAs ? 4 : 2);
  return (wireFlags(attr, length) & AttrFlag.ExtendedLength ? 4 : 3) + length;
}

export function encodeAttribute(
  attr: PathAttribute,
  ctx: UpdateContext,
  buf: Buffer,
  offset: number,
): number {
  const asSize: AsSize = ctx.fourOctetAs ? 4 : 2;
  const length = valueLength(attr, asSize);
  if (length > 0xffff) throw new RangeError(`attribute value of ${length} octets does not fit`);
  const flags = wireFlags(attr, length);
  buf[offset] = flags;
  buf[offset + 1] = attributeCode(attr);
  let at = offset + 2;
  if (flags & AttrFlag.ExtendedLength) {
    buf.writeUInt16BE(length, at);
    at += 2;
  } else {
    buf[at++] = length;
  }
  switch (attr.type) {
    case 'origin':
      buf[at] = ORIGINS.indexOf(attr.origin);
      break;
    case 'as-path':
      encodeAsPath(attr.segments, asSize, buf, at);
      break;
    case 'as4-path':
      encodeAsPath(attr.segments, 4, buf, at);
      break;
    case 'next-hop':
      addressBytes(4, attr.nextHop).copy(buf, at);
      break;
    case 'med':
      buf.writeUInt32BE(attr.med, at);
      break;
    case 'local-pref':
      buf.writeUInt32BE(attr.localPref, at);
      break;
    case 'atomic-aggregate':
      break;
    case 'aggregator':
    case 'as4-aggregator': {
      const size = attr.type === 'aggregator' ? asSize : 4;
      if (size === 2) buf.writeUInt16BE(attr.asn, at);
      else buf.writeUInt32BE(attr.asn, at);
      addressBytes(4, attr.address).copy(buf, at + size);
      break;
    }
    case 'communities':
      attr.communities.forEach((c, i) => buf.writeUInt32BE(c, at + 4 * i));
      break;
    case 'large-communities':
      attr.communities.forEach((c, i) => {
        buf.writeUInt32BE(c.global, at + 12 * i);
        buf.writeUInt32BE(c.local1, at + 12 * i + 4);
        buf.writeUInt32BE(c.local2, at + 12 * i + 8);
      });
      break;
    case 'mp-reach':
      encodeMpReach(attr, buf, at);
      break;
    case 'mp-unreach':
      encodeMpUnreach(attr, buf, at);
      break;
    case 'unknown':
      buf.set(attr.value, at);
      break;
  }
  return at + length - offset;
}

/** What RFC 7606 2 tells a receiver to do about a malformed attribute. */
export type Disposition = 'treat-as-withdraw' | 'attribute-discard' | 'session-reset';

export interface AttributeError extends BgpError {
  readonly disposition: Disposition;
  readonly code: number;
}

export type AttributeDecoded =
  | { readonly ok: true; readonly value: PathAttribute }
  | { readonly ok: false; readonly error: AttributeError };

function fault(
  raw: RawAttribute,
  reason: string,
  subcode: number,
  disposition: Disposition,
  withData = true,
): AttributeDecoded {
  return {
    ok: false,
    error: {
      reason,
      disposition,
      code: raw.code,
      notification: {
        code: ErrorCode.UpdateMessageError,
        subcode,
        data: withData ? Uint8Array.from(raw.raw) : new Uint8Array(0),
      },
    },
  };
}

const S = UpdateMessageSubcode;

/** Decodes one framed attribute's value (RFC 4271 6.3 checks, RFC 7606 7 dispositions). */
export function decodeAttribute(raw: RawAttribute, ctx: UpdateContext): AttributeDecoded {
  const { code, value } = raw;
  const length = value.length;
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const kind = KIND_BY_CODE.get(code);
  if (kind === undefined || ((kind === 'mp-reach' || kind === 'mp-unreach') && !mpUnicast(value))) {
    // RFC 4271 6.3: an unrecognized attribute that claims to be well-known cannot be passed on or ignored.
    if ((raw.flags & O) === 0 && kind === undefined) {
      return fault(
        raw,
        'attribute-unrecognized-well-known',
        S.UnrecognizedWellKnownAttribute,
        'session-reset',
      );
    }
    if (code === AttrType.ORIGINATOR_ID && length !== 4) {
      return fault(raw, 'originator-id-length', S.AttributeLengthError, 'treat-as-withdraw'); // RFC 7606 7.9
    }
    if (code === AttrType.CLUSTER_LIST && (length === 0 || length % 4 !== 0)) {
      return fault(raw, 'cluster-list-length', S.AttributeLengthError, 'treat-as-withdraw'); // RFC 7606 7.10
    }
    return { ok: true, value: { type: 'unknown', code, flags: raw.flags, value: Uint8Array.from(value) } };
  }
  const spec = KNOWN[kind];
  const asSize: AsSize = ctx.fourOctetAs ? 4 : 2;
  const isAs4 = kind === 'as4-path' || kind === 'as4-aggregator';
  // RFC 4271 6.3 Attribute Flags Error; RFC 7606 3(c): only the Optional and Transitive bits are checked.
  if ((raw.flags & (O | T)) !== spec.flags) {
    return fault(
      raw,
      `${kind}-flags`,
      S.AttributeFlagsError,
      isAs4 ? 'attribute-discard' : 'treat-as-withdraw',
    );
  }
  const lengthError = (disposition: Disposition) =>
    fault(raw, `${kind}-length`, S.AttributeLengthError, disposition);
  let attr: PathAttribute;
  switch (kind) {
    case 'origin': {
      if (length !== 1) return lengthError('treat-as-withdraw'); // RFC 7606 7.1
      const origin = ORIGINS[value[0] ?? 0];
      if (origin === undefined)
        return fault(raw, 'origin-value', S.InvalidOriginAttribute, 'treat-as-withdraw');
      attr = { type: 'origin', origin };
      break;
    }
    case 'as-path':
    case 'as4-path': {
      const segments = decodeAsPath(value, 0, length, kind === 'as4-path' ? 4 : asSize);
      if (segments === undefined) {
        // RFC 7606 7.2 for AS_PATH; RFC 6793 6: a malformed AS4_PATH is discarded, and is an optional attribute.
        return kind === 'as-path'
          ? fault(raw, 'as-path-malformed', S.MalformedASPath, 'treat-as-withdraw', false)
          : fault(raw, 'as4-path-malformed', S.OptionalAttributeError, 'attribute-discard');
      }
      attr = { type: kind, segments };
      break;
    }
    case 'next-hop':
      if (length !== 4) return lengthError('treat-as-withdraw'); // RFC 7606 7.3
      attr = { type: 'next-hop', nextHop: readAddress(4, value, 0) };
      break;
    case 'med':
      if (length !== 4) return lengthError('treat-as-withdraw'); // RFC 7606 7.4
      attr = { type: 'med', med: view.getUint32(0) };
      break;
    case 'local-pref':
      if (length !== 4) return lengthError('treat-as-withdraw'); // RFC 7606 7.5
      attr = { type: 'local-pref', localPref: view.getUint32(0) };
      break;
    case 'atomic-aggregate':
      if (length !== 0) return lengthError('attribute-discard'); // RFC 7606 7.6
      attr = { type: 'atomic-aggregate' };
      break;
    case 'aggregator':
    case 'as4-aggregator': {
      const size = kind === 'aggregator' ? asSize : 4;
      if (length !== size + 4) return lengthError('attribute-discard'); // RFC 7606 7.7, RFC 6793 6
      const asn = size === 2 ? view.getUint16(0) : view.getUint32(0);
      attr = { type: kind, asn, address: readAddress(4, value, size) };
      break;
    }
    case 'communities': {
      if (length === 0 || length % 4 !== 0) return lengthError('treat-as-withdraw'); // RFC 7606 7.8
      const communities: number[] = [];
      for (let i = 0; i < length; i += 4) communities.push(view.getUint32(i));
      attr = { type: 'communities', communities };
      break;
    }
    case 'large-communities': {
      if (length === 0 || length % 12 !== 0) return lengthError('treat-as-withdraw'); // RFC 8092 6
      const communities: LargeCommunity[] = [];
      for (let i = 0; i < length; i += 12) {
        communities.push({
          global: view.getUint32(i),
          local1: view.getUint32(i + 4),
          local2: view.getUint32(i + 8),
        });
      }
      attr = { type: 'large-communities', communities };
      break;
    }
    case 'mp-reach':
    case 'mp-unreach': {
      // RFC 7606 7.11: the NLRI cannot be located reliably, so the session is reset.
      const mp = kind === 'mp-reach' ? decodeMpReach(value) : decodeMpUnreach(value);
      if (mp === 'mp-nlri') return fault(raw, `${kind}-nlri`, S.InvalidNetworkField, 'session-reset', false);
      if (typeof mp === 'string')
        return fault(raw, `${kind}-${mp.slice(3)}`, S.OptionalAttributeError, 'session-reset');
      attr =
        kind === 'mp-reach'
          ? { type: 'mp-reach', ...(mp as MpReach) }
          : { type: 'mp-unreach', ...(mp as MpUnreach) };
      break;
    }
  }
  const canonical = wireFlags(attr, length);
  return { ok: true, value: raw.flags === canonical ? attr : { ...attr, flags: raw.flags } };
}

function mpUnicast(value: Uint8Array): boolean {
  // Too short to name a family: leave it to the MP decoder, which reports it as malformed.
  if (value.length < 3) return true;
  return isUnicastFamily(((value[0] ?? 0) << 8) | (value[1] ?? 0), value[2] ?? 0);
}
