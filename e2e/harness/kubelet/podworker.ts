// One pod on one node: its ServiceAccount files (serviceaccount.ts), its volumes (volumes.ts), its container processes (restarted per restartPolicy),
// and their readiness probes. The kubelet (kubelet.ts) owns the workers and writes the status they describe.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RestClient } from '../../../kube/rest';
import type { HostPort } from '../controlplane';
import type { ManagedProcess } from '../processes';
import { formatDelay, planRestart, type BackoffEntry, type RestartBackoffOptions } from './backoff';
import { lookupKey, readObjectData } from './apilookup';
import { resolveEnv, type KeyLookup, type PodNetworkInfo } from './env';
import { resolveCommand, type ImageTable } from './images';
import { inContainerMounts, mountNamespaceArgv, mountPlan, type MountPlan } from './mountns';
import type { Container, Pod, Probe } from './pod';
import type { ProcessRuntime } from './runtime';
import { SERVICEACCOUNT_SUBDIR, ServiceAccountFiles } from './serviceaccount';
import type { ContainerView, PodView } from './status';
import { mountPathRewriter, setUpVolumes, VolumeSetupError } from './volumes';

export interface PodWorkerDeps {
  client: RestClient;
  runtime: ProcessRuntime;
  images: ImageTable;
  caPem: string;
  apiserver: HostPort;
  net: PodNetworkInfo;
  /** Per-pod folder: <kubelet run dir>/pods/<uid>. */
  podDir: string;
  /** Called whenever the pod's status may have changed. */
  changed: () => void;
  /** Crash-loop back-off of the containers (the kubelet's own unless the test asked for another). */
  restartBackoff: RestartBackoffOptions;
  /**
   * Each container process in a private mount namespace with its volumeMounts at their real paths (mountns.ts;
   * needs root). Otherwise paths the spec spells out are rewritten to the host directories (volumes.ts).
   */
  isolateMounts: boolean;
}

const RETRY_START_MS = 2_000;

interface ContainerState extends ContainerView {
  spec: Container;
  proc?: ManagedProcess;
  probe?: { timer: NodeJS.Timeout | undefined; successes: number; failures: number };
  restartTimer?: NodeJS.Timeout;
  backoff?: BackoffEntry;
}

export class PodWorker {
  readonly startTime = Date.now();
  private readonly containers: ContainerState[];
  private serviceAccount: ServiceAccountFiles | undefined;
  /** Volume name → its directory on the host, once set up (volumes.ts). */
  private volumeDirs: Map<string, string> | undefined;
  private terminating = false;

  constructor(
    private pod: Pod,
    private readonly deps: PodWorkerDeps,
  ) {
    this.containers = pod.spec.containers.map((spec) => ({
      name: spec.name,
      image: spec.image ?? '',
      spec,
      restartCount: 0,
      ready: false,
    }));
  }

  get uid(): string {
    return this.pod.metadata.uid;
  }

  get podRoot(): string {
    return path.join(this.deps.podDir, 'root');
  }

  logFile(container: string): string {
    return path.join(this.deps.podDir, 'logs', `${container}.log`);
  }

  /** PIDs of the container processes that are running. */
  pids(): number[] {
    return this.containers.flatMap((c) => (c.proc?.running === true ? [c.proc.pid] : []));
  }

  update(pod: Pod): void {
    this.pod = pod;
  }

  view(): PodView {
    return {
      restartPolicy: this.pod.spec.restartPolicy ?? 'Always',
      podIPs: this.deps.net.podIPs,
      hostIPs: this.deps.net.hostIPs,
      startTime: this.startTime,
      containers: this.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ...(c.pid !== undefined ? { pid: c.pid } : {}),
        ...(c.runningSince !== undefined ? { runningSince: c.runningSince } : {}),
        ...(c.terminated !== undefined ? { terminated: c.terminated } : {}),
        ...(c.lastTerminated !== undefined ? { lastTerminated: c.lastTerminated } : {}),
        ...(c.waiting !== undefined ? { waiting: c.waiting } : {}),
        restartCount: c.restartCount,
        ready: c.ready,
      })),
    };
  }

  /** Prepares the pod's files and starts every container. Start failures show up as waiting reasons. */
  async start(): Promise<void> {
    await fs.mkdir(path.join(this.deps.podDir, 'logs'), { recursive: true });
    if (this.pod.spec.automountServiceAccountToken !== false && this.serviceAccount === undefined) {
      try {
        this.serviceAccount = await ServiceAccountFiles.write(this.pod, {
          client: this.deps.client,
          caPem: this.deps.caPem,
          apiserver: this.deps.apiserver,
          podRoot: this.podRoot,
          kubeconfigPath: this.kubeconfigPath,
        });
      } catch (err) {
        for (const c of this.containers)
          c.waiting = { reason: 'CreateContainerConfigError', message: describe(err) };
        this.deps.changed();
        this.retryLater(() => this.start());
        return;
      }
    }
    if (this.volumeDirs === undefined) {
      try {
        this.volumeDirs = await setUpVolumes(
          this.pod,
          path.join(this.deps.podDir, 'volumes'),
          (kind, ns, n) => readObjectData(this.deps.client, kind, ns, n),
          this.serviceAccount !== undefined ? path.join(this.podRoot, SERVICEACCOUNT_SUBDIR) : undefined,
        );
      } catch (err) {
        // As a kubelet shows a pod whose Secret is not there yet: still creating, the reason in the message.
        const reason = err instanceof VolumeSetupError ? 'ContainerCreating' : 'CreateContainerConfigError';
        for (const c of this.containers) c.waiting = { reason, message: describe(err) };
        this.deps.changed();
        this.retryLater(() => this.start());
        return;
      }
    }
    for (const c of this.containers) await this.startContainer(c);
  }

  private retryLater(fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      if (!this.terminating) void fn();
    }, RETRY_START_MS);
    t.unref();
  }

  /** $KUBECONFIG of the containers: what loadFromDefault() finds, since /var/run/secrets is not ours to write. */
  get kubeconfigPath(): string {
    return path.join(this.deps.podDir, 'kubeconfig');
  }

  private lookup: KeyLookup = (kind, namespace, name, key) =>
    lookupKey(this.deps.client, kind, namespace, name, key);

  private async startContainer(c: ContainerState): Promise<void> {
    if (this.terminating) return;
    const { namespace, name } = this.pod.metadata;
    let argv: string[];
    let cwd: string | undefined;
    let env: Map<string, string>;
    let plan: MountPlan | undefined;
    try {
      const volumeDirs = this.volumeDirs ?? new Map<string, string>();
      // With a mount namespace the container sees its volumes at their mountPaths; without one, paths into
      // volumes point at their host directories instead (volumes.ts: a harness limitation).
      if (this.deps.isolateMounts) plan = mountPlan(c.spec, volumeDirs);
      const rewrite = this.deps.isolateMounts
        ? (v: string): string => v
        : mountPathRewriter(c.spec, volumeDirs);
      ({ argv, cwd } = resolveCommand(this.deps.images, c.image, {
        ...c.spec,
        ...(c.spec.command !== undefined ? { command: c.spec.command.map(rewrite) } : {}),
        ...(c.spec.args !== undefined ? { args: c.spec.args.map(rewrite) } : {}),
      }));
      const base = new Map<string, string>([
        ['HOSTNAME', name],
        ['KUBERNETES_SERVICE_HOST', this.deps.apiserver.host],
        ['KUBERNETES_SERVICE_PORT', String(this.deps.apiserver.port)],
        ['KUBERNETES_SERVICE_PORT_HTTPS', String(this.deps.apiserver.port)],
        // Where the container's "/" would be: in-cluster clients call loadFromCluster($IRONLB_POD_ROOT).
        ['IRONLB_POD_ROOT', this.podRoot],
        // Never the harness user's home: a ~/.kube/config there would point loadFromDefault() at another cluster.
        ['HOME', this.podRoot],
      ]);
      // In a mount namespace the ServiceAccount files are at their real path, so in-cluster clients (Go's
      // rest.InClusterConfig, client-node's loadFromDefault) find them as in a cluster; the kubeconfig's
      // tokenFile auth provider, which Go's client-go refuses, is only for processes on the host's view.
      if (this.pod.spec.automountServiceAccountToken !== false && !this.deps.isolateMounts)
        base.set('KUBECONFIG', this.kubeconfigPath);
      env = await resolveEnv(this.pod, c.spec, this.deps.net, this.lookup, base);
      for (const v of c.spec.env ?? []) {
        const value = env.get(v.name);
        if (v.valueFrom === undefined && value !== undefined) env.set(v.name, rewrite(value));
      }
    } catch (err) {
      c.waiting = { reason: 'CreateContainerConfigError', message: describe(err) };
      this.deps.changed();
      this.retryLater(() => this.startContainer(c));
      return;
    }
    const expanded = argv.map((a) =>
      a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env.get(v) ?? m),
    );
    let command = expanded;
    if (plan !== undefined) {
      const staging = path.join(this.deps.podDir, 'mnt', c.name);
      await fs.mkdir(staging, { recursive: true });
      command = mountNamespaceArgv(plan, staging, expanded);
    }
    const proc = await this.deps.runtime.spawn(`pod ${namespace}/${name}/${c.name}`, command, {
      env: Object.fromEntries(env),
      logFile: this.logFile(c.name),
      ...(cwd !== undefined ? { cwd } : {}),
    });
    const startedAt = Date.now();
    c.proc = proc;
    c.pid = proc.pid;
    c.runningSince = startedAt;
    delete c.waiting;
    if (c.terminated !== undefined) c.lastTerminated = c.terminated;
    delete c.terminated;
    c.ready = c.spec.readinessProbe === undefined;
    this.deps.changed();
    if (c.spec.readinessProbe !== undefined) this.startProbe(c, c.spec.readinessProbe, env);
    void proc.exited.then((info) => this.onExit(c, proc, startedAt, info.code, info.signal));
  }

  private onExit(
    c: ContainerState,
    proc: ManagedProcess,
    startedAt: number,
    code: number | null,
    signal: string | null,
  ): void {
    if (c.proc !== proc) return;
    this.stopProbe(c);
    delete c.runningSince;
    c.ready = false;
    const signo = signalNumber(signal);
    c.terminated = {
      // A signal death reads as 128+n, as a container runtime reports it.
      exitCode: code ?? 128 + signo,
      ...(signal !== null ? { signal: signo } : {}),
      startedAt,
      finishedAt: Date.now(),
    };
    this.deps.changed();
    if (this.terminating) return;
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Always' || (policy === 'OnFailure' && c.terminated.exitCode !== 0)) {
      const plan = planRestart(c.backoff, c.terminated.finishedAt, this.deps.restartBackoff);
      c.backoff = plan.entry;
      const restart = (): void => {
        c.restartCount++;
        void this.startContainer(c);
      };
      if (plan.delayMs === 0) {
        restart();
        return;
      }
      const { namespace, name, uid } = this.pod.metadata;
      // The kubelet's own wording (kuberuntime_manager.go doBackOff).
      c.waiting = {
        reason: 'CrashLoopBackOff',
        message: `back-off ${formatDelay(plan.delayMs)} restarting failed container=${c.name} pod=${name}_${namespace}(${uid})`,
      };
      c.restartTimer = setTimeout(restart, plan.delayMs);
      c.restartTimer.unref();
    }
  }

  private startProbe(c: ContainerState, probe: Probe, env: Map<string, string>): void {
    const period = (probe.periodSeconds ?? 10) * 1000;
    const timeout = (probe.timeoutSeconds ?? 1) * 1000;
    const state: { timer: NodeJS.Timeout | undefined; successes: number; failures: number } = {
      timer: undefined,
      successes: 0,
      failures: 0,
    };
    c.probe = state;
    const tick = async (): Promise<void> => {
      const ok = await this.runProbe(c, probe, env, timeout).catch(() => false);
      if (c.probe !== state) return;
      if (ok) {
        state.successes++;
        state.failures = 0;
        if (!c.ready && state.successes >= (probe.successThreshold ?? 1)) {
          c.ready = true;
          this.deps.changed();
        }
      } else {
        state.failures++;
        state.successes = 0;
        if (c.ready && state.failures >= (probe.failureThreshold ?? 3)) {
          c.ready = false;
          this.deps.changed();
        }
      }
      state.timer = setTimeout(() => void tick(), period);
      state.timer.unref();
    };
    state.timer = setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000);
    state.timer.unref();
  }

  private stopProbe(c: ContainerState): void {
    if (c.probe !== undefined) clearTimeout(c.probe.timer);
    delete c.probe;
  }

  private async runProbe(
    c: ContainerState,
    probe: Probe,
    env: Map<string, string>,
    timeoutMs: number,
  ): Promise<boolean> {
    const rt = this.deps.runtime;
    const podIP = this.deps.net.podIPs[0] ?? '127.0.0.1';
    if (probe.exec !== undefined) {
      const argv = probe.exec.command ?? [];
      // Kubernetes runs an exec probe in the container, so it sees the container's mounts.
      const inContainer =
        this.deps.isolateMounts && c.pid !== undefined ? inContainerMounts(c.pid, argv) : argv;
      return (await rt.exec(inContainer, Object.fromEntries(env), timeoutMs)).code === 0;
    }
    if (probe.httpGet !== undefined) {
      const g = probe.httpGet;
      const host = g.host ?? rt.probeHost(podIP);
      const port = resolvePort(c.spec, g.port);
      const scheme = (g.scheme ?? 'HTTP').toLowerCase();
      const p = g.path ?? '/';
      return rt.checkHttp(
        `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${p.startsWith('/') ? p : `/${p}`}`,
        timeoutMs,
      );
    }
    if (probe.tcpSocket !== undefined) {
      return rt.checkTcp(
        probe.tcpSocket.host ?? rt.probeHost(podIP),
        resolvePort(c.spec, probe.tcpSocket.port),
        timeoutMs,
      );
    }
    throw new Error(`container ${c.name}: readiness probe has no httpGet, tcpSocket or exec`);
  }

  /**
   * What a node's death does to its pod: every container process gets SIGKILL at once, and nothing restarts,
   * probes or refreshes anything of it any more. Resolves once all have exited.
   */
  async kill(): Promise<void> {
    this.terminating = true;
    this.serviceAccount?.stop();
    await Promise.all(
      this.containers.map(async (c) => {
        clearTimeout(c.restartTimer);
        this.stopProbe(c);
        if (c.proc?.running === true) await c.proc.kill();
      }),
    );
  }

  /** Whether container `name` has a running process. */
  isRunning(name: string): boolean {
    return this.containers.find((c) => c.name === name)?.proc?.running === true;
  }

  /**
   * Stops every container: SIGTERM, then SIGKILL after `graceSeconds`, by PID. Resolves once all have exited.
   */
  async terminate(graceSeconds: number): Promise<void> {
    this.terminating = true;
    this.serviceAccount?.stop();
    await Promise.all(
      this.containers.map(async (c) => {
        clearTimeout(c.restartTimer);
        this.stopProbe(c);
        if (c.proc?.running === true) await c.proc.stop(Math.max(graceSeconds, 0) * 1000);
      }),
    );
  }
}

function resolvePort(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((p) => p.name === port)?.containerPort;
  if (named !== undefined) return named;
  const n = Number(port);
  if (Number.isInteger(n)) return n;
  throw new Error(`container ${container.name}: no port named ${port}`);
}

function signalNumber(signal: string | null): number {
  if (signal === null) return 0;
  return Object.entries(os.constants.signals).find(([name]) => name === signal)?.[1] ?? 0;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
