// Where a node's processes run: in the root network namespace (loopback mode: integration tests) or inside the
// node's own network namespace (world mode: `ip netns exec`). Probes run where the container runs, so they
// see the same addresses the container listens on.
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { nsExecPrefix } from '../net';
import { spawnManaged, type ManagedProcess } from '../processes';

export interface ExecOutcome {
  code: number;
  output: string;
}

export interface ProcessRuntime {
  readonly kind: 'loopback' | 'netns';
  /** Starts a container process; the harness registers it for cleanup and it dies with us (pdeathsig). */
  spawn(
    name: string,
    argv: string[],
    opts: { env: Record<string, string>; cwd?: string; logFile: string },
  ): Promise<ManagedProcess>;
  /** Runs a short command (exec probes) with a timeout. */
  exec(argv: string[], env: Record<string, string>, timeoutMs: number): Promise<ExecOutcome>;
  /** The host an HTTP/TCP probe dials when the probe names none (Kubernetes: the pod IP). */
  probeHost(podIP: string): string;
  checkHttp(url: string, timeoutMs: number): Promise<boolean>;
  checkTcp(host: string, port: number, timeoutMs: number): Promise<boolean>;
}

const PROBECHECK = path.join(__dirname, 'probecheck.ts');

function execArgv(argv: string[], env: Record<string, string>, timeoutMs: number): Promise<ExecOutcome> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.resolve({ code: 127, output: 'empty command' });
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 1 << 20,
      },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (err === null) resolve({ code: 0, output });
        else resolve({ code: typeof err.code === 'number' ? err.code : 126, output: output || err.message });
      },
    );
  });
}

/** Processes in the root namespace; the pod IP is not configured anywhere there, so probes dial 127.0.0.1. */
export function loopbackRuntime(): ProcessRuntime {
  return {
    kind: 'loopback',
    spawn: (name, argv, opts) => {
      const [command, ...args] = argv;
      if (command === undefined) return Promise.reject(new Error(`${name}: empty command`));
      return spawnManaged(name, command, {
        args,
        env: opts.env,
        logFile: opts.logFile,
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      });
    },
    exec: execArgv,
    probeHost: () => '127.0.0.1',
    checkHttp: (url, timeoutMs) =>
      new Promise((resolve) => {
        const u = new URL(url);
        const mod = u.protocol === 'https:' ? https : http;
        const req = mod.get(u, { timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(code >= 200 && code < 400);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => resolve(false));
      }),
    checkTcp: (host, port, timeoutMs) =>
      new Promise((resolve) => {
        const s = net.connect({ host, port, timeout: timeoutMs });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('timeout', () => {
          s.destroy();
          resolve(false);
        });
        s.once('error', () => resolve(false));
      }),
  };
}

/** Processes inside network namespace `netns` (the node's), started with `ip netns exec`. */
export function netnsRuntime(netns: string): ProcessRuntime {
  const prefix = nsExecPrefix(netns);
  const inNs = (argv: string[]): string[] => [...prefix, ...argv];
  return {
    kind: 'netns',
    spawn: (name, argv, opts) => {
      const [command, ...args] = inNs(argv);
      if (command === undefined || argv.length === 0)
        return Promise.reject(new Error(`${name}: empty command`));
      // `ip netns exec` execs the target after setns, so the recorded PID is the container process itself.
      return spawnManaged(name, command, {
        args,
        env: opts.env,
        logFile: opts.logFile,
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      });
    },
    exec: (argv, env, timeoutMs) => execArgv(inNs(argv), env, timeoutMs),
    probeHost: (podIP) => podIP,
    checkHttp: async (url, timeoutMs) =>
      (
        await execArgv(
          inNs([process.execPath, PROBECHECK, 'http', url, String(timeoutMs)]),
          {},
          timeoutMs + 5_000,
        )
      ).code === 0,
    checkTcp: async (host, port, timeoutMs) =>
      (
        await execArgv(
          inNs([process.execPath, PROBECHECK, 'tcp', host, String(port), String(timeoutMs)]),
          {},
          timeoutMs + 5_000,
        )
      ).code === 0,
  };
}
