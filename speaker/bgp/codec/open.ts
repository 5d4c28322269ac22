// OPEN message body (RFC 4271 4.2): version, My AS, Hold Time, BGP Identifier, optional parameters. Parameter
// type 2 carries capabilities (RFC 5492 4); how a peer groups its capabilities into parameters is kept, so a
// captured OPEN re-encodes to the same bytes. Semantic checks (version, AS, hold time, identifier, unknown
// parameters) belong to the session's OPEN check (fsm/open.ts), which knows the configuration.
import { ErrorCode, OPT_PARAM_CAPABILITIES, UNSPECIFIC } from './codes';
import {
  type Capability,
  capabilityEncodingLength,
  decodeCapabilities,
  encodeCapability,
} from './capabilities';
import { readAddress, addressBytes } from './prefix';
import { type Decoded, decoded, failed } from './result';

export type OptionalParameter =
  | { readonly type: 'capabilities'; readonly capabilities: readonly Capability[] }
  | { readonly type: 'unknown'; readonly code: number; readonly value: Uint8Array };

export interface OpenMessage {
  readonly type: 'open';
  readonly version: number;
  /** 2 octets: the AS number, or AS_TRANS (RFC 6793 4.1) when it does not fit. */
  readonly myAs: number;
  /** Seconds; 0 or at least 3 (RFC 4271 4.2). */
  readonly holdTime: number;
  /** Dotted quad. */
  readonly bgpId: string;
  readonly parameters: readonly OptionalParameter[];
}

/** Version, My AS, Hold Time, BGP Identifier, Opt Parm Len. */
export const OPEN_FIXED_LENGTH = 10;

function parameterValueLength(p: OptionalParameter): number {
  if (p.type === 'unknown') return p.value.length;
  let n = 0;
  for (const c of p.capabilities) n += capabilityEncodingLength(c);
  return n;
}

export function openBodyLength(open: OpenMessage): number {
  let n = OPEN_FIXED_LENGTH;
  for (const p of open.parameters) n += 2 + parameterValueLength(p);
  return n;
}

export function encodeOpenBody(open: OpenMessage, buf: Buffer, offset: number): number {
  const paramsLength = openBodyLength(open) - OPEN_FIXED_LENGTH;
  if (paramsLength > 255) throw new RangeError(`optional parameters of ${paramsLength} octets do not fit`);
  buf[offset] = open.version;
  buf.writeUInt16BE(open.myAs, offset + 1);
  buf.writeUInt16BE(open.holdTime, offset + 3);
  addressBytes(4, open.bgpId).copy(buf, offset + 5);
  buf[offset + 9] = paramsLength;
  let at = offset + OPEN_FIXED_LENGTH;
  for (const p of open.parameters) {
    const length = parameterValueLength(p);
    buf[at] = p.type === 'capabilities' ? OPT_PARAM_CAPABILITIES : p.code;
    buf[at + 1] = length;
    at += 2;
    if (p.type === 'unknown') {
      buf.set(p.value, at);
      at += length;
    } else {
      for (const c of p.capabilities) at += encodeCapability(c, buf, at);
    }
  }
  return at - offset;
}

/**
 * Decodes an OPEN body of exactly buf[offset, end). Parameters that do not add up to Opt Parm Len make the
 * message malformed: OPEN Message Error / Unspecific (RFC 4271 4.5, no finer subcode is defined).
 */
export function decodeOpenBody(buf: Uint8Array, offset: number, end: number): Decoded<OpenMessage> {
  if (end - offset < OPEN_FIXED_LENGTH)
    return failed('open-truncated', ErrorCode.OpenMessageError, UNSPECIFIC);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const paramsLength = buf[offset + 9] ?? 0;
  const paramsEnd = offset + OPEN_FIXED_LENGTH + paramsLength;
  if (paramsEnd !== end) return failed('open-parameters-length', ErrorCode.OpenMessageError, UNSPECIFIC);
  const parameters: OptionalParameter[] = [];
  let at = offset + OPEN_FIXED_LENGTH;
  while (at < paramsEnd) {
    if (at + 2 > paramsEnd) return failed('open-parameter-truncated', ErrorCode.OpenMessageError, UNSPECIFIC);
    const code = buf[at] ?? 0;
    const length = buf[at + 1] ?? 0;
    const v = at + 2;
    if (v + length > paramsEnd) {
      return failed('open-parameter-truncated', ErrorCode.OpenMessageError, UNSPECIFIC);
    }
    if (code === OPT_PARAM_CAPABILITIES) {
      const caps = decodeCapabilities(buf, v, v + length);
      if (!caps.ok) return caps;
      parameters.push({ type: 'capabilities', capabilities: caps.value });
    } else {
      parameters.push({ type: 'unknown', code, value: Uint8Array.from(buf.subarray(v, v + length)) });
    }
    at = v + length;
  }
  return decoded(
    {
      type: 'open',
      version: buf[offset] ?? 0,
      myAs: view.getUint16(offset + 1),
      holdTime: view.getUint16(offset + 3),
      bgpId: readAddress(4, buf, offset + 5),
      parameters,
    },
    end - offset,
  );
}

/** Every capability in every type-2 parameter, in order. */
export function capabilitiesOf(open: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of open.parameters) if (p.type === 'capabilities') out.push(...p.capabilities);
  return out;
}
