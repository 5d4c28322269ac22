// The reloader's verdict on the last frr.conf: upstream's frr-reloader.sh writes `<epoch> success` or
// `<epoch> failure` to `.status` beside frr.conf after each reload, and the speaker reads it every 30 s
// (internal/bgp/frr/frr.go pollStatus): a new failure hands the last config over again (reload.ts reapply),
// since a reload that failed half-way leaves FRR between two configs. parseReloadStatus is pure; the watcher
// reads the file on the clock passed in.
import { readFile } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../../kube/clock';
import { describeError } from '../../kube/errors';
import type { Logger } from '../../kube/log';

export const STATUS_POLL_MS = 30_000;

export interface ReloadStatus {
  /** The reloader's `date +%s` when it finished: tells one reload from the next. */
  readonly at: number;
  readonly isSuccess: boolean;
}

/** `1764873600 success`; undefined for anything else (an empty file, half written). */
export function parseReloadStatus(text: string): ReloadStatus | undefined {
  const m = /^\s*(\d+)\s+(success|failure)\s*$/.exec(text);
  if (m === null) return undefined;
  return { at: Number(m[1]), isSuccess: m[2] === 'success' };
}

export interface ReloadStatusWatcherOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** `.status` in the reloader's shared folder (beside FRR_CONFIG_FILE). */
  readonly file: string;
  /** A reload newer than the last one seen failed. */
  readonly onFailure: () => void;
  readonly intervalMs?: number;
}

export class ReloadStatusWatcher {
  private lastAt: number | undefined;
  private timer: TimerHandle | undefined;
  private stopped = true;
  private isUnreadable = false;

  constructor(private readonly opts: ReloadStatusWatcherOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reads the file once; a missing file is no reload yet. */
  async check(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.opts.file, 'utf8');
      this.isUnreadable = false;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !this.isUnreadable)
        this.opts.logger.warn('cannot read the FRR reloader status', {
          file: this.opts.file,
          error: describeError(err),
        });
      this.isUnreadable = (err as NodeJS.ErrnoException).code !== 'ENOENT';
      return;
    }
    const status = parseReloadStatus(text);
    if (status === undefined || status.at === this.lastAt) return;
    this.lastAt = status.at;
    if (status.isSuccess) return;
    this.opts.logger.error('the FRR reloader failed to apply frr.conf, handing it over again', {
      file: this.opts.file,
      at: status.at,
    });
    this.opts.onFailure();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      void this.check().finally(() => this.schedule());
    }, this.opts.intervalMs ?? STATUS_POLL_MS);
  }
}
