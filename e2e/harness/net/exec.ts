// Short-lived commands for the network world: `ip` against a namespace, and any argv run inside one with
// `ip netns exec`. Failures throw CommandError carrying the argv, exit status and stderr, which is what a
// person needs to see when a world fails to come up.
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; 0 unless `allowFailure` was set. */
  code: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Resolve with the exit code instead of throwing when the command fails (e.g. ping expected to fail). */
  allowFailure?: boolean;
  input?: string;
}

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`command failed (${String(code)}): ${argv.join(' ')}\n${(stderr || stdout).trim().slice(0, 2000)}`);
    this.name = 'CommandError';
  }
}

// Absolute path so a PATH entry can never substitute another `ip`.
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => fs.existsSync(p)) ?? 'ip';
// Children see a plain PATH only: nothing inherited can redirect what the world runs.
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };

/** Runs argv[0] with the rest as arguments (no shell). */
export function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('run: empty argv'));
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, env: ENV, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        const code = typeof err.code === 'number' ? err.code : null;
        if (opts.allowFailure === true && code !== null) {
          resolve({ stdout, stderr, code });
          return;
        }
        reject(new CommandError(argv, err.code ?? err.signal ?? null, stdout, stderr));
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** `ip -n NS ARGS...`, or `ip ARGS...` in the current namespace when ns is undefined (read-only uses only). */
export function ip(
  ns: string | undefined,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  return run(ns === undefined ? [IP, ...args] : [IP, '-n', ns, ...args], opts);
}

/** `ip -j ...` parsed. The caller states the element type it reads; fields it does not read are not checked. */
export async function ipJson<T>(ns: string | undefined, args: readonly string[]): Promise<T[]> {
  const r = await ip(ns, ['-j', ...args]);
  const text = r.stdout.trim();
  if (text === '') return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed))
    throw new Error(`ip -j ${args.join(' ')}: expected a JSON array, got ${text.slice(0, 200)}`);
  return parsed as T[];
}

/** Runs argv inside namespace `ns` (`ip netns exec`). */
export function nsExec(ns: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return run([IP, 'netns', 'exec', ns, ...argv], opts);
}

/** Command prefix that runs what follows inside `ns`; for long-running processes started via processes.ts. */
export function nsExecPrefix(ns: string): string[] {
  return [IP, 'netns', 'exec', ns];
}

/** Writes sysctls inside `ns` in one process. Keys use dots (net.ipv6.conf.eth0.accept_dad). */
export async function setSysctls(ns: string, values: Record<string, string | number>): Promise<void> {
  const pairs = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  if (pairs.length > 0) await nsExec(ns, ['sysctl', '-q', '-w', ...pairs]);
}

/** Namespace names currently present on the machine. */
export async function listNamespaces(): Promise<string[]> {
  const r = await ip(undefined, ['netns', 'list']);
  return parseNetnsList(r.stdout);
}

/** Synchronous variant for exit handlers. */
export function listNamespacesSync(): string[] {
  return parseNetnsList(execFileSync(IP, ['netns', 'list'], { encoding: 'utf8', env: ENV }));
}

/** `ip netns list` prints `name` or `name (id: N)` per line. */
export function parseNetnsList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/** Deletes a namespace synchronously; ignores "not found". For exit paths where async work cannot run. */
export function deleteNamespaceSync(ns: string): void {
  try {
    execFileSync(IP, ['netns', 'del', ns], { stdio: 'ignore', env: ENV });
  } catch {
    // Already gone.
  }
}

/** PIDs of processes whose network namespace is `ns`. */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await ip(undefined, ['netns', 'pids', ns], { allowFailure: true });
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}
