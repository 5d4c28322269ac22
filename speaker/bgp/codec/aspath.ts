// AS_PATH and AS4_PATH values (RFC 4271 4.3 type 2, RFC 6793 3 and 4.2.2): a list of segments, each a type,
// a count and that many AS numbers of 2 or 4 octets. Confederation segment types are RFC 5065 3.
export type AsSegmentType = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsSegment {
  readonly type: AsSegmentType;
  readonly asns: readonly number[];
}

export type AsSize = 2 | 4;

const SEGMENT_CODE: Record<AsSegmentType, number> = {
  set: 1,
  sequence: 2,
  'confed-sequence': 3,
  'confed-set': 4,
};
const SEGMENT_TYPE: Record<number, AsSegmentType | undefined> = {
  1: 'set',
  2: 'sequence',
  3: 'confed-sequence',
  4: 'confed-set',
};

export function asPathEncodingLength(segments: readonly AsSegment[], asSize: AsSize): number {
  let n = 0;
  for (const s of segments) n += 2 + asSize * s.asns.length;
  return n;
}

export function encodeAsPath(
  segments: readonly AsSegment[],
  asSize: AsSize,
  buf: Buffer,
  offset: number,
): number {
  let at = offset;
  for (const s of segments) {
    if (s.asns.length === 0 || s.asns.length > 255)
      throw new RangeError('an AS_PATH segment holds 1-255 ASes');
    buf[at] = SEGMENT_CODE[s.type];
    buf[at + 1] = s.asns.length;
    at += 2;
    for (const asn of s.asns) {
      if (asSize === 2) buf.writeUInt16BE(asn, at);
      else buf.writeUInt32BE(asn, at);
      at += asSize;
    }
  }
  return at - offset;
}

/**
 * Decodes segments filling exactly buf[offset, end); undefined when that is not possible: an unknown segment
 * type, an empty segment or a count that overruns the attribute (RFC 7606 7.2 calls all three malformed).
 */
export function decodeAsPath(
  buf: Uint8Array,
  offset: number,
  end: number,
  asSize: AsSize,
): AsSegment[] | undefined {
  const out: AsSegment[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = offset;
  while (at < end) {
    if (at + 2 > end) return undefined;
    const type = SEGMENT_TYPE[buf[at] ?? 0];
    const count = buf[at + 1] ?? 0;
    if (type === undefined || count === 0 || at + 2 + count * asSize > end) return undefined;
    const asns: number[] = [];
    for (let i = 0; i < count; i++) {
      const p = at + 2 + i * asSize;
      asns.push(asSize === 2 ? view.getUint16(p) : view.getUint32(p));
    }
    out.push({ type, asns });
    at += 2 + count * asSize;
  }
  return out;
}
