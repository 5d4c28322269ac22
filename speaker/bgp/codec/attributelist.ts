// The path attribute list of an UPDATE (RFC 4271 4.3) framed into attributes, before any value is read:
// each attribute's flags, type code and value, found from its 1- or 2-octet length (Extended Length bit).
import { AttrFlag, ErrorCode, UpdateMessageSubcode } from './codes';
import type { BgpError } from './result';

/** One attribute as framed on the wire: `raw` is the whole TLV, the NOTIFICATION data RFC 4271 6.3 asks for. */
export interface RawAttribute {
  readonly flags: number;
  readonly code: number;
  readonly value: Uint8Array;
  readonly raw: Uint8Array;
}

export type ScanResult =
  | { readonly ok: true; readonly attributes: readonly RawAttribute[] }
  | { readonly ok: false; readonly attributes: readonly RawAttribute[]; readonly error: BgpError };

/**
 * Frames the path attributes filling buf[offset, end). An attribute header or value that runs past `end` is
 * RFC 7606 4's length conflict: the attributes framed before it are returned with the error, since the Total
 * Attribute Length still locates the NLRI.
 */
export function scanAttributes(buf: Uint8Array, offset: number, end: number): ScanResult {
  const attributes: RawAttribute[] = [];
  let at = offset;
  while (at < end) {
    const flags = buf[at] ?? 0;
    const header = flags & AttrFlag.ExtendedLength ? 4 : 3;
    if (at + header > end) return overrun(attributes, buf, at, end);
    const length = header === 4 ? ((buf[at + 2] ?? 0) << 8) | (buf[at + 3] ?? 0) : (buf[at + 2] ?? 0);
    if (at + header + length > end) return overrun(attributes, buf, at, end);
    attributes.push({
      flags,
      code: buf[at + 1] ?? 0,
      value: buf.subarray(at + header, at + header + length),
      raw: buf.subarray(at, at + header + length),
    });
    at += header + length;
  }
  return { ok: true, attributes };
}

function overrun(attributes: RawAttribute[], buf: Uint8Array, at: number, end: number): ScanResult {
  return {
    ok: false,
    attributes,
    error: {
      reason: 'attribute-overrun',
      notification: {
        code: ErrorCode.UpdateMessageError,
        subcode: UpdateMessageSubcode.AttributeLengthError,
        data: Uint8Array.from(buf.subarray(at, end)),
      },
    },
  };
}
