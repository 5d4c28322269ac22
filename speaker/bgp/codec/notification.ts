// NOTIFICATION body (RFC 4271 4.5): error code, subcode, data; and the shutdown communication that RFC 9003
// (obsoleting RFC 8203) lets Cease / Administrative Shutdown and Administrative Reset carry.
import { CeaseSubcode, ErrorCode } from './codes';
import type { Notification } from './result';

export interface NotificationMessage extends Notification {
  readonly type: 'notification';
}

export function notificationBodyLength(n: Notification): number {
  return 2 + n.data.length;
}

export function encodeNotificationBody(n: Notification, buf: Buffer, offset: number): number {
  buf[offset] = n.code;
  buf[offset + 1] = n.subcode;
  buf.set(n.data, offset + 2);
  return 2 + n.data.length;
}

/** The body is at least 2 octets; the header check (message.ts) guarantees it. */
export function decodeNotificationBody(buf: Uint8Array, offset: number, end: number): NotificationMessage {
  return {
    type: 'notification',
    code: buf[offset] ?? 0,
    subcode: buf[offset + 1] ?? 0,
    data: Uint8Array.from(buf.subarray(offset + 2, end)),
  };
}

/** RFC 9003 2: at most 255 octets of UTF-8. */
export const MAX_SHUTDOWN_COMMUNICATION = 255;

/**
 * Cease / Administrative Shutdown, with an optional shutdown communication (RFC 9003 2: a length octet then
 * UTF-8). A message too long is cut at a character boundary rather than refused: the session is closing anyway.
 */
export function adminShutdown(
  communication?: string,
  subcode: number = CeaseSubcode.AdministrativeShutdown,
): Notification {
  if (communication === undefined || communication === '') {
    return { code: ErrorCode.Cease, subcode, data: new Uint8Array(0) };
  }
  let bytes = Buffer.from(communication, 'utf8');
  while (bytes.length > MAX_SHUTDOWN_COMMUNICATION) {
    communication = communication.slice(0, -1);
    bytes = Buffer.from(communication, 'utf8');
  }
  const data = new Uint8Array(1 + bytes.length);
  data[0] = bytes.length;
  data.set(bytes, 1);
  return { code: ErrorCode.Cease, subcode, data };
}

/**
 * RFC 8538 3: Cease / Hard Reset encapsulating another NOTIFICATION: its data is the inner error code, the
 * inner subcode, then the inner data. Sent instead of that NOTIFICATION when the N bit was negotiated and the
 * routes must go now rather than be kept stale.
 */
export function hardReset(inner: Notification): Notification {
  const data = new Uint8Array(2 + inner.data.length);
  data[0] = inner.code;
  data[1] = inner.subcode;
  data.set(inner.data, 2);
  return { code: ErrorCode.Cease, subcode: CeaseSubcode.HardReset, data };
}

/** The shutdown communication of a Cease / Administrative Shutdown or Reset, if well formed (RFC 9003 3). */
export function shutdownCommunication(n: Notification): string | undefined {
  if (n.code !== ErrorCode.Cease) return undefined;
  if (n.subcode !== CeaseSubcode.AdministrativeShutdown && n.subcode !== CeaseSubcode.AdministrativeReset)
    return undefined;
  const length = n.data[0];
  if (length === undefined || length === 0 || n.data.length !== 1 + length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(n.data.subarray(1));
  } catch {
    return undefined; // RFC 9003 3: invalid UTF-8 is not displayed
  }
}
