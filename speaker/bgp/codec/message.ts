// A whole BGP message: the RFC 4271 4.1 header (16-octet all-ones marker, length, type) and the body for
// its type. `encode`, `decode` and `encodingLength` are symmetric; `frame` finds message boundaries in a TCP
// byte stream. Header checks follow RFC 4271 6.1, with the NOTIFICATION data it prescribes.
import {
  ErrorCode,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageHeaderSubcode,
  MessageType,
  RouteRefreshSubcode,
} from './codes';
import type { UpdateContext } from './attributes';
import {
  type NotificationMessage,
  decodeNotificationBody,
  encodeNotificationBody,
  notificationBodyLength,
} from './notification';
import { type OpenMessage, OPEN_FIXED_LENGTH, decodeOpenBody, encodeOpenBody, openBodyLength } from './open';
import { type BgpError, type Decoded, decoded, failed, u16 } from './result';
import {
  ROUTE_REFRESH_BODY_LENGTH,
  type RouteRefreshMessage,
  decodeRouteRefreshBody,
  encodeRouteRefreshBody,
} from './routerefresh';
import { type UpdateMessage, decodeUpdateBody, encodeUpdateBody, updateBodyLength } from './update';

export interface KeepaliveMessage {
  readonly type: 'keepalive';
}

export type Message =
  OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/** Before capabilities are exchanged, and for messages whose layout does not depend on them. */
export const TWO_OCTET_AS: UpdateContext = { fourOctetAs: false };

export const KEEPALIVE: KeepaliveMessage = { type: 'keepalive' };

const TYPE_CODE: Record<Message['type'], number> = {
  open: MessageType.OPEN,
  update: MessageType.UPDATE,
  notification: MessageType.NOTIFICATION,
  keepalive: MessageType.KEEPALIVE,
  'route-refresh': MessageType.ROUTE_REFRESH,
};

function bodyLength(m: Message, ctx: UpdateContext): number {
  switch (m.type) {
    case 'open':
      return openBodyLength(m);
    case 'update':
      return updateBodyLength(m, ctx);
    case 'notification':
      return notificationBodyLength(m);
    case 'keepalive':
      return 0;
    case 'route-refresh':
      return ROUTE_REFRESH_BODY_LENGTH;
  }
}

export function encodingLength(m: Message, ctx: UpdateContext = TWO_OCTET_AS): number {
  return HEADER_LENGTH + bodyLength(m, ctx);
}

/** Encodes one message. Values that cannot be encoded (over 4096 octets, bad addresses) throw: a caller's bug. */
export function encode(m: Message, ctx: UpdateContext = TWO_OCTET_AS): Buffer {
  const length = encodingLength(m, ctx);
  if (length > MAX_MESSAGE_LENGTH) throw new RangeError(`a ${m.type} of ${length} octets exceeds 4096`);
  const buf = Buffer.alloc(length);
  buf.fill(0xff, 0, 16);
  buf.writeUInt16BE(length, 16);
  buf[18] = TYPE_CODE[m.type];
  switch (m.type) {
    case 'open':
      encodeOpenBody(m, buf, HEADER_LENGTH);
      break;
    case 'update':
      encodeUpdateBody(m, ctx, buf, HEADER_LENGTH);
      break;
    case 'notification':
      encodeNotificationBody(m, buf, HEADER_LENGTH);
      break;
    case 'keepalive':
      break;
    case 'route-refresh':
      encodeRouteRefreshBody(m, buf, HEADER_LENGTH);
      break;
  }
  return buf;
}

/** RFC 4271 6.1: the smallest legal length of each type (exact for KEEPALIVE and ROUTE-REFRESH). */
const MIN_LENGTH: Record<number, number> = {
  [MessageType.OPEN]: HEADER_LENGTH + OPEN_FIXED_LENGTH,
  [MessageType.UPDATE]: HEADER_LENGTH + 4,
  [MessageType.NOTIFICATION]: HEADER_LENGTH + 2,
  [MessageType.KEEPALIVE]: HEADER_LENGTH,
  [MessageType.ROUTE_REFRESH]: HEADER_LENGTH + ROUTE_REFRESH_BODY_LENGTH,
};

export type Framed =
  | { readonly status: 'need-more'; readonly bytes: number }
  | { readonly status: 'message'; readonly type: number; readonly length: number }
  | { readonly status: 'error'; readonly error: BgpError };

/**
 * Looks at the start of a stream buffer: how many more octets a complete header or message needs, or the
 * length and type of the message there, or the header error (RFC 4271 6.1) that ends the session.
 */
export function frame(buf: Uint8Array, offset = 0): Framed {
  const available = buf.length - offset;
  if (available < HEADER_LENGTH) return { status: 'need-more', bytes: HEADER_LENGTH - available };
  for (let i = 0; i < 16; i++) {
    if (buf[offset + i] !== 0xff) {
      const f = failed(
        'header-marker',
        ErrorCode.MessageHeaderError,
        MessageHeaderSubcode.ConnectionNotSynchronized,
      );
      return { status: 'error', error: f.error };
    }
  }
  const length = ((buf[offset + 16] ?? 0) << 8) | (buf[offset + 17] ?? 0);
  const type = buf[offset + 18] ?? 0;
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    return badLength(length);
  }
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    const f = failed(
      'header-type',
      ErrorCode.MessageHeaderError,
      MessageHeaderSubcode.BadMessageType,
      Uint8Array.of(type),
    );
    return { status: 'error', error: f.error };
  }
  if (type === MessageType.ROUTE_REFRESH && length !== min) {
    // RFC 7313 5: Invalid Message Length, with the complete message as data (once it has all arrived).
    if (available < length) return { status: 'need-more', bytes: length - available };
    const f = failed(
      'route-refresh-length',
      ErrorCode.RouteRefreshMessageError,
      RouteRefreshSubcode.InvalidMessageLength,
      Uint8Array.from(buf.subarray(offset, offset + length)),
    );
    return { status: 'error', error: f.error };
  }
  if (length < min || (type === MessageType.KEEPALIVE && length !== min)) return badLength(length);
  if (available < length) return { status: 'need-more', bytes: length - available };
  return { status: 'message', type, length };
}

function badLength(length: number): Framed {
  // RFC 4271 6.1: the Data field contains the erroneous Length field.
  const f = failed(
    'header-bad-length',
    ErrorCode.MessageHeaderError,
    MessageHeaderSubcode.BadMessageLength,
    u16(length),
  );
  return { status: 'error', error: f.error };
}

/**
 * Decodes the message at buf[offset]. A buffer that ends before the message does is reported as a bad length
 * (use `frame` on a stream to wait for more instead). Never throws.
 */
export function decode(buf: Uint8Array, ctx: UpdateContext = TWO_OCTET_AS, offset = 0): Decoded<Message> {
  const f = frame(buf, offset);
  if (f.status === 'error') return { ok: false, error: f.error };
  if (f.status === 'need-more') {
    const length =
      buf.length - offset >= 18
        ? ((buf[offset + 16] ?? 0) << 8) | (buf[offset + 17] ?? 0)
        : buf.length - offset;
    return failed(
      'truncated',
      ErrorCode.MessageHeaderError,
      MessageHeaderSubcode.BadMessageLength,
      u16(length),
    );
  }
  const start = offset + HEADER_LENGTH;
  const end = offset + f.length;
  let body: Decoded<Message>;
  switch (f.type) {
    case MessageType.OPEN:
      body = decodeOpenBody(buf, start, end);
      break;
    case MessageType.UPDATE:
      body = decodeUpdateBody(buf, start, end, ctx);
      break;
    case MessageType.NOTIFICATION:
      body = decoded(decodeNotificationBody(buf, start, end), end - start);
      break;
    case MessageType.KEEPALIVE:
      body = decoded(KEEPALIVE, 0);
      break;
    default:
      body = decoded(decodeRouteRefreshBody(buf, start), ROUTE_REFRESH_BODY_LENGTH);
  }
  return body.ok ? decoded(body.value, f.length) : body;
}
