// The crash-loop back-off of the real kubelet, as plain data. Upstream: pkg/kubelet/kuberuntime/
// kuberuntime_manager.go doBackOff with client-go util/flowcontrol/backoff.go, configured in
// pkg/kubelet/kubelet.go (10 s doubling to MaxContainerBackOff, 300 s, no jitter, and an entry that expires
// when a container finishes more than 600 s after its last restart). So a container that exits is restarted
// at once the first time, then after 10 s, 20 s, 40 s, ... capped at 300 s, measured from its exit; one that
// ran for 10 minutes starts over with an immediate restart.

export interface RestartBackoffOptions {
  /** First non-zero delay (kubelet: 10 s). */
  initialMs: number;
  /** Cap (kubelet: 300 s, MaxContainerBackOff). */
  maxMs: number;
  /** A container that ran longer than this since its last restart starts over (kubelet: 600 s). */
  resetAfterMs: number;
}

export const KUBELET_RESTART_BACKOFF: Readonly<RestartBackoffOptions> = {
  initialMs: 10_000,
  maxMs: 300_000,
  resetAfterMs: 600_000,
};

/** The per-container back-off entry (flowcontrol's backoffEntry): the current delay and the last restart. */
export interface BackoffEntry {
  backoffMs: number;
  lastRestartAt: number;
}

export interface RestartPlan {
  /** How long after the exit the container is started again. */
  delayMs: number;
  /** The entry after that restart. */
  entry: BackoffEntry;
}

/** When a container that exited at `finishedAt` is restarted, given its back-off entry (undefined: never). */
export function planRestart(
  entry: BackoffEntry | undefined,
  finishedAt: number,
  opts: RestartBackoffOptions,
): RestartPlan {
  if (entry === undefined || finishedAt - entry.lastRestartAt > opts.resetAfterMs) {
    // No entry (or an expired one): not in back-off, restart now; Next() starts the entry at the base delay.
    return { delayMs: 0, entry: { backoffMs: opts.initialMs, lastRestartAt: finishedAt } };
  }
  // In back-off until `backoffMs` after the exit; the restart then doubles the delay (Next()).
  const restartAt = finishedAt + entry.backoffMs;
  return {
    delayMs: entry.backoffMs,
    entry: { backoffMs: Math.min(entry.backoffMs * 2, opts.maxMs), lastRestartAt: restartAt },
  };
}

/** The options a kubelet runs with: the kubelet's own, with any given field replaced. */
export function restartBackoffOptions(given: Partial<RestartBackoffOptions> = {}): RestartBackoffOptions {
  const o = { ...KUBELET_RESTART_BACKOFF, ...given };
  if (!(o.initialMs >= 0 && o.maxMs >= o.initialMs && o.resetAfterMs >= 0)) {
    throw new RangeError(
      `restart back-off needs 0 <= initialMs <= maxMs and resetAfterMs >= 0, got ${JSON.stringify(o)}`,
    );
  }
  return o;
}

/** "10s", "2m30s", "500ms": the way the kubelet's CrashLoopBackOff message prints a Go duration. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}m${rest === 0 ? '0' : Number.isInteger(rest) ? rest : rest.toFixed(3).replace(/0+$/, '')}s`;
}
