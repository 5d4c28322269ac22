// Where a node's processes run: in the root network namespace (loopback mode: integration tests) or inside the
// node's own network namespace (world mode: `ip netns exec`). Probes run where the container runs, so they
// see the same addresses the container listens on.
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
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
  /** Ends whatever the runtime itself started (the netns probe agent). Idempotent. */
  close(): Promise<void>;
}

const PROBEAGENT = path.join(__dirname, 'probeagent.ts');

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
    close: () => Promise.resolve(),
  };
}

/**
 * Processes inside network namespace `netns` (the node's), started with `ip netns exec`. HTTP and TCP probes go
 * through one probe agent per namespace (probeagent.ts), started on the first probe; its log is in `runDir`.
 */
export function netnsRuntime(netns: string, runDir: string): ProcessRuntime {
  const prefix = nsExecPrefix(netns);
  const inNs = (argv: string[]): string[] => [...prefix, ...argv];
  const agent = new ProbeAgent(netns, inNs, runDir);
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
    checkHttp: (url, timeoutMs) =>
      agent.check(`/http?${new URLSearchParams({ url, timeout: String(timeoutMs) })}`, timeoutMs),
    checkTcp: (host, port, timeoutMs) =>
      agent.check(
        `/tcp?${new URLSearchParams({ host, port: String(port), timeout: String(timeoutMs) })}`,
        timeoutMs,
      ),
    close: () => agent.close(),
  };
}

/** The probe agent of one namespace: started on demand, started again if it died, stopped by close(). */
class ProbeAgent {
  private readonly socketPath: string;
  private proc: Promise<ManagedProcess> | undefined;
  private closed = false;

  constructor(
    private readonly netns: string,
    private readonly inNs: (argv: string[]) => string[],
    private readonly runDir: string,
  ) {
    // A Unix socket path is at most 107 bytes, so it lives in the temp dir rather than the (deep) run dir.
    this.socketPath = path.join(os.tmpdir(), `ironlb-probe-${process.pid}-${netns}.sock`);
  }

  async check(query: string, timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    await this.ensure();
    return new Promise((resolve) => {
      // The agent enforces the probe's own timeout; this one only guards against a wedged agent.
      const req = http.get(
        { socketPath: this.socketPath, path: query, timeout: timeoutMs + 5_000, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('timeout', () => req.destroy(new Error('probe agent did not answer')));
      req.on('error', () => resolve(false));
    });
  }

  private async ensure(): Promise<void> {
    const current = this.proc !== undefined ? await this.proc.catch(() => undefined) : undefined;
    if (current?.running === true) return;
    this.proc = this.start();
    await this.proc;
  }

  private async start(): Promise<ManagedProcess> {
    const [command, ...args] = this.inNs([process.execPath, PROBEAGENT, this.socketPath]);
    if (command === undefined) throw new Error(`probe agent of ${this.netns}: empty command`);
    const p = await spawnManaged(`probe-agent/${this.netns}`, command, {
      args,
      logFile: path.join(this.runDir, 'probe-agent.log'),
    });
    // Ready once it accepts connections on its socket.
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (!p.running) throw new Error(`probe agent of ${this.netns}: ${p.describeExit()}\n${p.logTail()}`);
      if (await canConnect(this.socketPath)) return p;
      if (Date.now() > deadline) {
        await p.kill();
        throw new Error(`probe agent of ${this.netns} did not listen on ${this.socketPath} within 15s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.proc !== undefined ? await this.proc.catch(() => undefined) : undefined;
    this.proc = undefined;
    if (p !== undefined) await p.stop(2_000);
  }
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path: socketPath });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
