// FRR mode's parts, built together for the speaker shell (speaker.ts): FrrSessions (what the BGP reconciler
// drives), the reloader hand-off (frr/reload.ts), the reloader's .status watch (frr/reloadstatus.ts: a failed
// reload hands the config over again, as upstream's pollStatus) and, where the vty sockets are reachable, the
// session-state poll into the metrics (frr/statuspoller.ts, app/frrmetrics.ts).
import * as path from 'node:path';
import type { Clock } from '../../kube/clock';
import { describeError } from '../../kube/errors';
import type { Logger, LogLevel } from '../../kube/log';
import type { Registry } from '../../kube/prometheus/registry';
import { FrrReloader, type ReloaderIO } from '../frr/reload';
import { ReloadStatusWatcher } from '../frr/reloadstatus';
import type { FrrLogLevel } from '../frr/render';
import { FrrSessions } from '../frr/sessions';
import { FrrStatusPoller, type VtyshRunner } from '../frr/statuspoller';
import { frrSessionMetrics } from './frrmetrics';

/**
 * FRR mode (METALLB_BGP_TYPE=frr): no BGP or BFD session of ironlb's own; the BGP reconciler's peers and
 * routes become the node's frr.conf, handed to the reloader sidecar (speaker/frr/).
 */
export interface FrrBackendOptions {
  /** `hostname` in frr.conf (upstream: the speaker's host name). */
  readonly hostname: string;
  readonly logLevel: LogLevel;
  /** FRR_LOGGING_LEVEL: FRR's level name over logLevel's in frr.conf. */
  readonly frrLogLevel?: FrrLogLevel;
  /** The file the reloader reads and the file holding its pid (FRR_CONFIG_FILE, FRR_RELOADER_PID_FILE). */
  readonly configFile: string;
  readonly reloaderPidFile: string;
  /** How long changes gather before one write and SIGHUP (default 3 s, upstream's). */
  readonly debounceMs?: number;
  readonly io?: ReloaderIO;
  /** Reads the sidecar's session state (frr/vtysh.ts); without it no session metrics are kept. */
  readonly vtysh?: VtyshRunner;
  readonly statusPollMs?: number;
  /** How often the reloader's .status is read (default 30 s, upstream's). */
  readonly reloadStatusPollMs?: number;
}

export interface FrrBackend {
  readonly sessions: FrrSessions;
  /** Starts the polls; the caches are synced by then. */
  start(): void;
  stop(): void;
}

export function frrBackend(
  opts: FrrBackendOptions,
  deps: { readonly clock: Clock; readonly logger: Logger; readonly registry: Registry },
): FrrBackend {
  const { clock, logger } = deps;
  const reloader = new FrrReloader({
    clock,
    configFile: opts.configFile,
    pidFile: opts.reloaderPidFile,
    ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
    ...(opts.io ? { io: opts.io } : {}),
    onError: (err) =>
      logger.error('handing frr.conf to the reloader failed, retrying', {
        file: opts.configFile,
        pidFile: opts.reloaderPidFile,
        error: describeError(err),
      }),
  });
  const sessions = new FrrSessions({
    hostname: opts.hostname,
    logLevel: opts.logLevel,
    ...(opts.frrLogLevel !== undefined ? { frrLogLevel: opts.frrLogLevel } : {}),
    reloader,
  });
  // frr-reloader.sh writes .status beside the frr.conf it reads.
  const reloadStatus = new ReloadStatusWatcher({
    clock,
    logger,
    file: path.join(path.dirname(opts.configFile), '.status'),
    onFailure: () => reloader.reapply(),
    ...(opts.reloadStatusPollMs !== undefined ? { intervalMs: opts.reloadStatusPollMs } : {}),
  });
  const sessionState =
    opts.vtysh &&
    new FrrStatusPoller({
      clock,
      logger,
      vtysh: opts.vtysh,
      peers: () => sessions.syncedPeers(),
      observer: frrSessionMetrics(deps.registry),
      ...(opts.statusPollMs !== undefined ? { intervalMs: opts.statusPollMs } : {}),
    });
  return {
    sessions,
    start() {
      reloadStatus.start();
      sessionState?.start();
    },
    stop() {
      reloadStatus.stop();
      sessionState?.stop();
    },
  };
}
