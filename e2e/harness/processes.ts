// Child-process bookkeeping for the harness. Every process we start is recorded by PID and only those PIDs are
// ever signalled: on stop(), and on SIGINT/SIGTERM or process exit through exitcleanup.ts. Nothing is found or killed by name.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onExitCleanup } from './exitcleanup';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  args: string[];
  /** stdout and stderr are appended here; read it back with logTail(). */
  logFile: string;
  cwd?: string;
  /** Added to the minimal environment children get (see childEnv). */
  env?: Record<string, string>;
}

// --- process-wide registry: the safety net behind stop() -----------------------------------------------

const live = new Map<number, string>();
let unregisterExitCleanup: (() => void) | undefined;

// Runs from exitcleanup.ts on exit or SIGINT/SIGTERM, before namespaces are deleted. Only synchronous work is
// possible there; SIGKILL because there is no time to wait for a graceful stop.
function killAllSync(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: its 'exit' event just has not been processed yet.
    }
  }
  // The PIDs are no longer ours to signal: once reaped they may belong to someone else.
  live.clear();
  unregisterExitCleanup = undefined;
}

function track(pid: number, name: string): void {
  live.set(pid, name);
  unregisterExitCleanup ??= onExitCleanup('processes', 'harness child processes', killAllSync);
}

function untrack(pid: number): void {
  live.delete(pid);
  if (live.size === 0 && unregisterExitCleanup !== undefined) {
    unregisterExitCleanup();
    unregisterExitCleanup = undefined;
  }
}

/** PIDs of every harness child still running in this Node process (for diagnostics and tests). */
export function livePids(): number[] {
  return [...live.keys()];
}

// --- spawning --------------------------------------------------------------------------------------------

// setpriv --pdeathsig makes the kernel SIGKILL the child when this Node process dies, which covers the one case
// the exit cleanup cannot: being SIGKILLed ourselves (e.g. a jest worker killed on timeout). setpriv execs the
// target, so the PID we record is the real binary's.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));

// Children get a minimal environment: no KUBECONFIG pointing at some other cluster, and no *_PROXY variables
// that could route a component's outbound requests (webhooks, etcd) off this machine.
function childEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  for (const k of ['HOME', 'TMPDIR', 'TZ', 'LANG']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  constructor(
    readonly name: string,
    readonly pid: number,
    readonly logFile: string,
    exited: Promise<ExitInfo>,
  ) {
    this.exited = exited.then((info) => {
      this.exitInfo = info;
      return info;
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last `lines` lines of the process log, for error messages. */
  logTail(lines = 30): string {
    try {
      const text = fs.readFileSync(this.logFile, 'utf8');
      return text
        .split('\n')
        .slice(-lines - 1)
        .join('\n');
    } catch {
      return '(no log)';
    }
  }

  describeExit(): string {
    const i = this.exitInfo;
    if (i === undefined) return `${this.name} (pid ${this.pid}) is running`;
    return `${this.name} (pid ${this.pid}) exited with ${i.signal !== null ? `signal ${i.signal}` : `code ${i.code}`}`;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<ExitInfo> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), graceMs);
    });
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first === 'timeout') this.signal('SIGKILL');
    return this.untilExited();
  }

  /** SIGKILL at once (kill -9). Resolves once the process is gone. */
  async kill(): Promise<ExitInfo> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    this.signal('SIGKILL');
    return this.untilExited();
  }

  /**
   * `exited`, holding the event loop open meanwhile: the child is unref'd, so in a plain script (a bench, not
   * jest) whose only pending work is this wait the loop would empty and Node end with code 0 mid-teardown.
   */
  private async untilExited(): Promise<ExitInfo> {
    const hold = setInterval(() => undefined, 1_000);
    try {
      return await this.exited;
    } finally {
      clearInterval(hold);
    }
  }

  private signal(sig: NodeJS.Signals): void {
    // Only while the registry still owns the PID: once 'exit' fired the PID may already belong to someone else.
    if (!live.has(this.pid)) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Raced with exit.
    }
  }
}

/**
 * Starts `command` with output appended to `opts.logFile`, and registers it for cleanup. Resolves once the
 * kernel has started it (rejects if it could not be executed at all).
 */
export async function spawnManaged(
  name: string,
  command: string,
  opts: SpawnOptions,
): Promise<ManagedProcess> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  const [file, args] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...opts.args]]
    : [command, opts.args];
  try {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: childEnv(opts.env),
      stdio: ['ignore', fd, fd],
      // Own process group: a terminal ^C reaches only us, and we decide the shutdown order.
      detached: true,
    });
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        if (child.pid !== undefined) untrack(child.pid);
        resolve({ code, signal });
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new Error(`cannot start ${name} (${command}): ${err.message}`)));
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${name}: no PID`);
    track(pid, name);
    // The child must not keep jest or a script alive on its own; stop() and the exit handler end it.
    child.unref();
    return new ManagedProcess(name, pid, opts.logFile, exited);
  } finally {
    fs.closeSync(fd);
  }
}

/** An ordered set of processes that are stopped together, newest first (dependents before dependencies). */
export class ProcessGroup {
  private readonly procs: ManagedProcess[] = [];

  async spawn(name: string, command: string, opts: SpawnOptions): Promise<ManagedProcess> {
    const p = await spawnManaged(name, command, opts);
    this.procs.push(p);
    return p;
  }

  list(): readonly ManagedProcess[] {
    return this.procs;
  }

  pids(): number[] {
    return this.procs.filter((p) => p.running).map((p) => p.pid);
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop(graceMs);
  }
}
