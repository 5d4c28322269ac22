// Hands frr.conf to upstream's reloader sidecar (frr-tools/reloader/frr-reloader.sh), with upstream's contract
// (internal/bgp/frr/frr.go): the text goes to FRR_CONFIG_FILE (default /etc/frr_reloader/frr.conf), mode
// 0600, written to a temporary file and renamed so the reloader never reads half a file, then SIGHUP to the
// pid in FRR_RELOADER_PID_FILE. Debounced as upstream's debouncer (internal/bgp/frr/config.go): the first
// change arms a 3 s timer that later changes do not push back, so a steady stream of changes is still written
// every 3 s; unchanged text is skipped; a failed write or signal is retried after 5 s.
import { renameSync, writeFileSync, readFileSync } from 'node:fs';
import type { Clock, TimerHandle } from '../../kube/clock';

export const DEFAULT_CONFIG_FILE = '/etc/frr_reloader/frr.conf';
export const DEFAULT_PID_FILE = '/etc/frr_reloader/reloader.pid';
export const DEFAULT_DEBOUNCE_MS = 3000;
export const RETRY_MS = 5000;

export interface ReloaderIO {
  write(path: string, text: string): void;
  /** Signals the reloader whose pid is in `pidFile`. */
  signal(pidFile: string): void;
}

export const fileReloaderIO: ReloaderIO = {
  write(path, text) {
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  },
  signal(pidFile) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${pidFile} holds no pid`);
    process.kill(pid, 'SIGHUP');
  },
};

export interface FrrReloaderOptions {
  readonly clock: Clock;
  readonly io?: ReloaderIO;
  readonly configFile?: string;
  readonly pidFile?: string;
  readonly debounceMs?: number;
  readonly onError?: (err: unknown) => void;
}

export class FrrReloader {
  private wanted: string | undefined;
  private applied: string | undefined;
  private timer: TimerHandle | undefined;

  constructor(private readonly opts: FrrReloaderOptions) {}

  /** The latest rendered text; written when the window the first pending change opened closes. */
  set(text: string): void {
    this.wanted = text;
    this.arm();
  }

  /**
   * Hands the last text over again even though it did not change: the reloader reported that applying it
   * failed (reloadstatus.ts; upstream's reloadEvent{useOld: true}). Nothing before a first hand-over.
   */
  reapply(): void {
    if (this.applied === undefined) return;
    this.wanted ??= this.applied;
    this.applied = undefined;
    this.arm();
  }

  stop(): void {
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = this.opts.clock.setTimeout(() => this.apply(), this.opts.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  private apply(): void {
    this.timer = undefined;
    const text = this.wanted;
    if (text === undefined || text === this.applied) return;
    const io = this.opts.io ?? fileReloaderIO;
    try {
      io.write(this.opts.configFile ?? DEFAULT_CONFIG_FILE, text);
      io.signal(this.opts.pidFile ?? DEFAULT_PID_FILE);
      this.applied = text;
    } catch (err) {
      this.opts.onError?.(err);
      this.timer = this.opts.clock.setTimeout(() => this.apply(), RETRY_MS);
    }
  }
}
