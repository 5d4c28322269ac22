// Timer values for a BGP session (RFC 4271 4.2, 8.2.2, 10), as pure functions.

/** RFC 4271 10: ConnectRetryTime suggested value. */
export const DEFAULT_CONNECT_RETRY_TIME = 120;
/** MetalLB's default hold time when a BGPPeer sets none. */
export const DEFAULT_HOLD_TIME = 90;
/** RFC 4271 8.2.2: "a large value (4 minutes)" for the HoldTimer while waiting for the peer's OPEN. */
export const LARGE_HOLD_TIME = 240;
/** Backoff before re-starting a failed session: from 1 s doubling to at most 2 min. */
export const BACKOFF_MIN = 1;
export const BACKOFF_MAX = 120;

/**
 * RFC 4271 4.2: the hold time is the smaller of the two proposals; 0 (either side) means no KEEPALIVEs and no
 * hold timer. The peer's proposal of 1 or 2 seconds is refused before this is reached (fsm/open.ts).
 */
export function negotiateHoldTime(local: number, remote: number): number {
  return Math.min(local, remote);
}

/**
 * RFC 4271 10: KEEPALIVE every third of the hold time, or the configured interval when that is shorter; never
 * under a second, and none when the hold time is 0.
 */
export function keepaliveInterval(holdTime: number, configured?: number): number {
  if (holdTime === 0) return 0;
  const third = Math.max(1, Math.floor(holdTime / 3));
  return configured === undefined || configured <= 0 ? third : Math.max(1, Math.min(configured, third));
}

/**
 * Seconds to wait before automatic restart number `attempt` (0 for the first) after a failure: exponential from
 * 1 s to 2 min, with the RFC 4271 10 jitter (a random factor between 0.75 and 1) so that many sessions failing
 * together do not retry in lock step; never under 1 s. `random` returns a number in [0, 1).
 */
export function connectRetryBackoff(attempt: number, random: () => number): number {
  const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** Math.max(0, Math.min(attempt, 16)));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(BACKOFF_MIN, base * (0.75 + 0.25 * r));
}
