// Readiness polling. The harness never sleeps a fixed time: it polls health endpoints until they answer, and
// gives up early with the relevant logs as soon as a process it depends on has died.
import * as http from 'node:http';
import * as https from 'node:https';
import type { ManagedProcess } from './processes';

export interface TlsClientOptions {
  ca: string;
  cert?: string;
  key?: string;
}

export interface HttpResult {
  status: number;
  body: string;
}

/**
 * One GET with a per-request timeout. Rejects on connection errors so callers can treat them as "not yet".
 * `socketPath` sends the request over a unix socket instead (a forwarder into another network namespace); the
 * URL's host still names the peer for TLS verification.
 */
export function get(
  url: string,
  tls?: TlsClientOptions,
  timeoutMs = 2_000,
  socketPath?: string,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    };
    // agent: false so no keep-alive socket outlives the poll and holds jest open.
    const via = socketPath !== undefined ? { socketPath } : {};
    const req =
      u.protocol === 'https:'
        ? https.get(u, { ...tls, ...via, agent: false, timeout: timeoutMs }, onResponse)
        : http.get(u, { ...via, agent: false, timeout: timeoutMs }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on('error', reject);
  });
}

export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** First interval; doubles up to maxIntervalMs. Small start because most checks pass within a second. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Processes whose death makes waiting pointless. */
  watch?: readonly ManagedProcess[];
}

export interface HttpWaitOptions extends WaitOptions {
  /** Reach the URL through this unix socket (see get()). */
  socketPath?: string;
}

function processReport(procs: readonly ManagedProcess[]): string {
  return procs.map((p) => `--- ${p.describeExit()}; log ${p.logFile}:\n${p.logTail(25)}`).join('\n');
}

/**
 * Calls `check` back to back, with no pause or back-off, until it returns true; returns the wall clock then.
 * For timing a change (a session dropping, a route withdrawn) to within one call of `check`.
 */
export async function momentOf(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
  return Date.now();
}

/**
 * Calls `check` until it returns true. `check` may throw; the last error is kept for the failure message.
 * Fails immediately when a watched process exits, with that process's log tail.
 */
export async function waitFor(what: string, check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const start = Date.now();
  let interval = opts.intervalMs ?? 50;
  const maxInterval = opts.maxIntervalMs ?? 500;
  const watch = opts.watch ?? [];
  let last = 'no attempt finished';
  for (;;) {
    const dead = watch.filter((p) => !p.running);
    if (dead.length > 0) {
      throw new NotReadyError(`${what}: a required process exited while waiting\n${processReport(dead)}`);
    }
    try {
      if (await check()) return;
      last = 'check returned false';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() - start > opts.timeoutMs) {
      throw new NotReadyError(
        `${what}: not ready after ${opts.timeoutMs}ms (last: ${last})\n${processReport(watch)}`,
      );
    }
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(interval * 2, maxInterval);
  }
}

/** Polls `url` until it answers HTTP 200; returns the time it took. */
export async function waitForHttp200(
  what: string,
  url: string,
  tls: TlsClientOptions | undefined,
  opts: HttpWaitOptions,
): Promise<number> {
  const start = Date.now();
  await waitFor(
    what,
    async () => {
      const r = await get(url, tls, 2_000, opts.socketPath);
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.slice(0, 500)}`);
      return true;
    },
    opts,
  );
  return Date.now() - start;
}
