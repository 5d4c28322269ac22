// The outcome of decoding bytes that came off the wire. Malformed input is data, not an exception: the
// caller counts the reason and moves on (STYLE.md: bad input from the network never crashes a process).

export type Decoded<T, Reason extends string> =
  | { readonly ok: true; readonly value: T; readonly bytes: number }
  | { readonly ok: false; readonly reason: Reason };

export function decoded<T>(value: T, bytes: number): { ok: true; value: T; bytes: number } {
  return { ok: true, value, bytes };
}

export function malformed<Reason extends string>(reason: Reason): { ok: false; reason: Reason } {
  return { ok: false, reason };
}
