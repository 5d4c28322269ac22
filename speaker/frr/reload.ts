// Hands frr.conf to upstream's reloader sidecar (frr-tools/reloader/frr-reloader.sh), with upstream's contract
// (internal/bgp/frr/frr.go): the text goes to FRR_CONFIG_FILE (default /etc/frr_reloader/frr.conf), mode
// 0600, written to a temporary file and renamed so the reloader never reads half a file, then SIGHUP to the
// pid in FRR_RELOADER_PID_FILE. Debounced (upstream's 3 s default) and skipped when the text is unchanged;
// a failed write or signal is retried after 5 s as upstream does.
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

  /** The latest rendered text; written once no newer one arrives within the debounce window. */
  set(text: string): void {
    this.wanted = text;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = this.opts.clock.setTimeout(() => this.apply(), this.opts.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  stop(): void {
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
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
