// The outcome of decoding bytes from a peer. Malformed input is data, not an exception: every error carries
// the NOTIFICATION the RFC asks the speaker to send for it (RFC 4271 6), and a reason for logs and metrics.

export interface Notification {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export interface BgpError {
  /** A stable, kebab-case name for the fault, e.g. `header-bad-length`. */
  readonly reason: string;
  readonly notification: Notification;
}

export type Decoded<T> =
  | { readonly ok: true; readonly value: T; readonly bytes: number }
  | { readonly ok: false; readonly error: BgpError };

export type Failed = { readonly ok: false; readonly error: BgpError };

export function decoded<T>(value: T, bytes: number): { ok: true; value: T; bytes: number } {
  return { ok: true, value, bytes };
}

export function failed(
  reason: string,
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
): Failed {
  return { ok: false, error: { reason, notification: { code, subcode, data } } };
}

/** A 2-octet big-endian number, the NOTIFICATION data RFC 4271 6.1 asks for on a bad length. */
export function u16(value: number): Uint8Array {
  return Uint8Array.of((value >> 8) & 0xff, value & 0xff);
}
