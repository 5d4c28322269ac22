// What the controller's scale tests (controller/scale.int.test.ts) and its end-to-end bench
// (bench/controller.bench.ts) share: a lean control plane with the metallb.io CRDs, the controller run as its
// own process from controller/main.ts (so it can be SIGKILLed and its memory is its own), concurrent Service
// writers, consistent LIST snapshots, and the watch that feeds the address ledger (addressledger.ts).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { create, NS } from './metallbcluster';
import { METALLB } from '../api/resources';
import { ingressIPs, Service, ServiceSchema } from '../api/service';
import { AddressLedger, canonicalIP, SCALE_POOL } from './addressledger';
import { startControlPlane, type ControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { REPO_ROOT } from '../e2e/harness/paths';
import { applyCrds } from '../e2e/install/manifest';
import { spawnManaged, type ManagedProcess } from '../e2e/harness/processes';
import { systemClock } from '../kube/clock';
import { isAlreadyExists, isNotFound, statusCodeOf } from '../kube/errors';
import { Informer } from '../kube/informer';
import { RestListWatch, Decoder } from '../kube/listwatch';
import { RestWatch } from '../kube/watch';
import { kubeObjectSchema, objectKey } from '../kube/object';
import { silentLogger } from '../kube/log';
import { CONTROLLER_NODE_FLAGS } from '../controller/runtimeflags';
import { collectionPath, RESOURCES } from '../kube/resource';

/**
 * Single-stack IPv6 Service ClusterIPs: an IPv4 documentation /24 holds only 254 ClusterIPs, far fewer than the
 * thousands of Services these runs create.
 */
export const SCALE_SERVICE_CIDRS = ['2001:db8:ff::/108'];

export interface ScaleCluster {
  readonly cp: ControlPlane;
  readonly api: HarnessRestClient;
}

/**
 * A control plane for scale runs: no scheduler and no kube-controller-manager (nothing here needs them, and
 * the endpoint-slice controller would otherwise write one EndpointSlice per Service, competing with the
 * controller under test for the same two cores), the CRDs, the MetalLB namespace and SCALE_POOL. `installCrds`
 * replaces ironlb's CRDs with others (the side-by-side bench installs upstream MetalLB's own); it must return
 * once the metallb.io kinds are served in NS.
 */
export async function startScaleCluster(
  opts: { installCrds?: (api: HarnessRestClient) => Promise<void> } = {},
): Promise<ScaleCluster> {
  const cp = await startControlPlane({
    scheduler: false,
    controllerManager: false,
    controllerCredentials: 'shared',
    serviceCidrs: SCALE_SERVICE_CIDRS,
  });
  const api = cp.adminClient();
  try {
    await create(api, '/api/v1/namespaces', { metadata: { name: NS } });
    await (opts.installCrds ?? ((a) => applyCrds(a, NS)))(api);
    await createScalePool(api);
    return { cp, api };
  } catch (err) {
    api.close();
    await cp.stop();
    throw err;
  }
}

/** SCALE_POOL as an IPAddressPool in NS; the metallb.io kinds must be served. */
export async function createScalePool(api: HarnessRestClient): Promise<void> {
  await create(api, collectionPath(METALLB.ipAddressPools, NS), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: SCALE_POOL.name, namespace: NS },
    spec: { addresses: [...SCALE_POOL.addresses] },
  });
}

export async function stopScaleCluster(c: ScaleCluster | undefined): Promise<void> {
  if (!c) return;
  c.api.close();
  await c.cp.stop();
}

// --- the controller as a child process ---------------------------------------------------------------------

export const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/metallb-controller`;

export interface ChildController {
  readonly identity: string;
  readonly proc: ManagedProcess;
  /** SIGKILL: no shutdown hook runs, the Lease is not released, in-flight writes are cut off. */
  kill(): Promise<void>;
  /** SIGTERM: the controller stops its queue and releases the Lease. */
  terminate(): Promise<void>;
  /** SIGSTOP / SIGCONT: a process that stalls (a long GC pause, a frozen VM) and then carries on. */
  freeze(): void;
  thaw(): void;
  /** VmHWM and VmRSS in KiB from /proc/PID/status, undefined once the process is gone. */
  memory(): { hwmKiB: number; rssKiB: number } | undefined;
  /** User plus system CPU seconds from /proc/PID/stat. */
  cpuSeconds(): number | undefined;
}

/** How to run controller/main.ts: the command line and the environment it needs. */
export interface ControllerBuild {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Removes the compiled output, if this build made any. */
  dispose(): void;
}

/**
 * Compiles the project with tsc into a fresh temporary folder and runs controller/main.js from there with plain
 * Node, as the product runs: it starts in about a second (ts-node takes several on two busy cores) and its
 * memory is the controller's alone. Outside the repository, so no linter or test runner sees the output;
 * NODE_PATH finds the repository's node_modules.
 */
export async function compileController(): Promise<ControllerBuild> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ironlb-controller-build-'));
  const dispose = (): void => fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      [tsc, '-p', 'tsconfig.json', '--outDir', outDir, '--sourceMap', 'false'],
      { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? Number(err.code) : 0, output: stdout + stderr });
      },
    );
  });
  const main = path.join(outDir, 'controller', 'main.js');
  // tsc emits even when some unrelated file has a type error; only a missing entry point stops the run.
  if (!fs.existsSync(main)) {
    dispose();
    throw new Error(
      `tsc did not emit controller/main.js (exit ${result.code}):\n${result.output.slice(0, 4000)}`,
    );
  }
  // Also found by Node's own lookup (parent folders' node_modules), for runners that pass no environment: the
  // process kubelet's image table gives a command line only.
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  return {
    // With the image's Node flags, so memory and start-up figures are the shipped ones.
    argv: [process.execPath, ...CONTROLLER_NODE_FLAGS, main],
    env: { NODE_PATH: path.join(REPO_ROOT, 'node_modules') },
    dispose,
  };
}

/**
 * Starts the controller against the admin kubeconfig, with leader election on, webhooks and metrics off, and
 * `identity` as its pod name.
 */
export async function spawnController(
  cp: ControlPlane,
  identity: string,
  build: ControllerBuild,
  opts: { logLevel?: string; nodeOptions?: string } = {},
): Promise<ChildController> {
  const [command, ...prefix] = build.argv;
  if (command === undefined) throw new Error('no controller command');
  const proc = await spawnManaged(`controller-${identity}`, command, {
    args: [
      ...prefix,
      `--namespace=${NS}`,
      '--webhook-mode=disabled',
      '--port=0',
      '--health-port=0',
      '--secure-metrics=false',
      `--pod-name=${identity}`,
      `--log-level=${opts.logLevel ?? 'info'}`,
    ],
    logFile: path.join(cp.runDir, 'logs', `controller-${identity}.log`),
    cwd: REPO_ROOT,
    env: {
      ...build.env,
      KUBECONFIG: cp.kubeconfigPath,
      ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}),
    },
  });
  return superviseChild(identity, proc);
}

/** A file of /proc/PID, undefined once the process is gone. */
function procFile(pid: number, name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The fields of /proc/PID/stat after the parenthesised command name (field 3 onwards). */
function statFields(pid: number): string[] | undefined {
  const stat = procFile(pid, 'stat');
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ; 100 on every Linux architecture we run on). */
const USER_HZ = 100;

/** VmHWM and VmRSS in KiB from /proc/PID/status, undefined once the process is gone. */
export function procMemory(pid: number): { hwmKiB: number; rssKiB: number } | undefined {
  const status = procFile(pid, 'status');
  if (status === undefined) return undefined;
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { hwmKiB: field('VmHWM'), rssKiB: field('VmRSS') };
}

/** User plus system CPU seconds from /proc/PID/stat (utime and stime, fields 14 and 15). */
export function procCpuSeconds(pid: number): number | undefined {
  const rest = statFields(pid);
  return rest === undefined ? undefined : (Number(rest[11]) + Number(rest[12])) / USER_HZ;
}

/**
 * When the process started, on performance.now()'s clock: its starttime (field 22, ticks since boot) against
 * /proc/uptime read now. 10 ms resolution; the start is the fork, before any exec.
 */
export function procStartedAt(pid: number): number | undefined {
  const rest = statFields(pid);
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const now = performance.now();
  if (rest === undefined) return undefined;
  return now - (uptime - Number(rest[19]) / USER_HZ) * 1000;
}

/**
 * A ChildController over any controller process we spawned (ironlb's, or upstream MetalLB's in the
 * side-by-side bench): signals by PID while it is unreaped, memory and CPU from /proc.
 */
export function superviseChild(identity: string, proc: ManagedProcess): ChildController {
  return {
    identity,
    proc,
    kill: async () => {
      // Our own child, by PID, and only while it has not been reaped (after that the PID may be reused).
      if (proc.running) process.kill(proc.pid, 'SIGKILL');
      await proc.exited;
    },
    terminate: async () => {
      await proc.stop(15_000);
    },
    freeze: () => {
      if (proc.running) process.kill(proc.pid, 'SIGSTOP');
    },
    thaw: () => {
      if (proc.running) process.kill(proc.pid, 'SIGCONT');
    },
    memory: () => (proc.running ? procMemory(proc.pid) : undefined),
    cpuSeconds: () => (proc.running ? procCpuSeconds(proc.pid) : undefined),
  };
}

const LeaseRead = z.looseObject({
  spec: z
    .looseObject({ holderIdentity: z.string().nullish(), leaseTransitions: z.number().nullish() })
    .optional(),
});

export async function leaseHolder(api: HarnessRestClient): Promise<{ holder: string; transitions: number }> {
  try {
    const lease = LeaseRead.parse(await api.request({ method: 'GET', path: LEASE_PATH }));
    return { holder: lease.spec?.holderIdentity ?? '', transitions: lease.spec?.leaseTransitions ?? 0 };
  } catch (err) {
    if (isNotFound(err)) return { holder: '', transitions: 0 };
    throw err;
  }
}

/** Resolves once `identity` holds the Lease; fails at once, with its log, if that controller exits. */
export async function waitForLeader(
  api: HarnessRestClient,
  controller: ChildController,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!controller.proc.running)
      throw new Error(`${controller.proc.describeExit()}; log:\n${controller.proc.logTail(40)}`);
    if ((await leaseHolder(api)).holder === controller.identity) return;
    if (Date.now() > deadline)
      throw new Error(`${controller.identity} did not take the Lease in ${timeoutMs} ms`);
    await sleep(200);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

// --- writers -----------------------------------------------------------------------------------------------

export function scaleService(namespace: string, name: string): Record<string, unknown> {
  return {
    metadata: { name, namespace },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ port: 80, protocol: 'TCP' }],
      // The apiserver's NodePort range holds 2,768 ports; thousands of Services would exhaust it.
      allocateLoadBalancerNodePorts: false,
    },
  };
}

export const servicesPath = (namespace: string, name = ''): string =>
  `/api/v1/namespaces/${namespace}/services${name ? `/${name}` : ''}`;

/** Transient refusals of a busy apiserver: retried, everything else fails the run. */
const isTransient = (err: unknown): boolean => {
  const code = statusCodeOf(err);
  return code === undefined || code === 429 || code >= 500;
};

async function withRetry(what: string, call: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await call();
      return;
    } catch (err) {
      if (attempt >= 5 || !isTransient(err)) throw new Error(`${what}: ${String(err)}`);
      await sleep(200 * attempt);
    }
  }
}

/**
 * Runs `work` over `items` with `writers` concurrent workers; `onDone(i)` after each, in completion order.
 */
export async function inParallel<T>(
  items: readonly T[],
  writers: number,
  work: (item: T) => Promise<void>,
  onDone?: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const item = items[i];
      if (i >= items.length || item === undefined) return;
      await work(item);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, writers) }, () => worker()));
}

/**
 * Creates the Services; `createdAt` gets performance.now() when each create call returned. With
 * `ratePerSecond`, the i-th create starts no earlier than i / rate seconds in (an open-loop load below the
 * controller's capacity shows its latency without queueing); without it the writers go as fast as they can.
 */
export async function createServices(
  api: HarnessRestClient,
  namespace: string,
  names: readonly string[],
  writers: number,
  opts: { createdAt?: Map<string, number>; onDone?: (done: number) => void; ratePerSecond?: number } = {},
): Promise<void> {
  const start = performance.now();
  let started = 0;
  await inParallel(
    names,
    writers,
    async (name) => {
      const slot = started++;
      if (opts.ratePerSecond !== undefined && opts.ratePerSecond > 0)
        await sleep(start + (slot * 1000) / opts.ratePerSecond - performance.now());
      await withRetry(`create Service ${namespace}/${name}`, async () => {
        try {
          await api.request({
            method: 'POST',
            path: servicesPath(namespace),
            body: scaleService(namespace, name),
          });
        } catch (err) {
          // A retried create whose first attempt did land.
          if (!isAlreadyExists(err)) throw err;
        }
        opts.createdAt?.set(`${namespace}/${name}`, performance.now());
      });
    },
    opts.onDone,
  );
}

export async function deleteServices(
  api: HarnessRestClient,
  namespace: string,
  names: readonly string[],
  writers: number,
): Promise<void> {
  await inParallel(names, writers, (name) =>
    withRetry(`delete Service ${namespace}/${name}`, async () => {
      try {
        await api.request({ method: 'DELETE', path: servicesPath(namespace, name) });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }),
  );
}

// --- reading what the controller wrote ---------------------------------------------------------------------

const ServiceList = z.looseObject({
  metadata: z.looseObject({ continue: z.string().optional() }).optional(),
  items: z.array(ServiceSchema).nullish(),
});

/**
 * Every LoadBalancer Service's addresses ("namespace/name" -> canonical ips), from one paginated LIST: every
 * page is the same snapshot, so this is one consistent view of the cluster.
 */
export async function listAddresses(
  api: HarnessRestClient,
  namespace?: string,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let continueToken: string | undefined;
  do {
    const page = ServiceList.parse(
      await api.request({
        method: 'GET',
        path: namespace !== undefined ? servicesPath(namespace) : '/api/v1/services',
        query: { limit: 1000, continue: continueToken },
      }),
    );
    for (const svc of page.items ?? []) {
      if (svc.spec?.type !== 'LoadBalancer') continue;
      out.set(`${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`, ingressIPs(svc).map(canonicalIP));
    }
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken !== undefined);
  return out;
}

const decodeService: Decoder<Service> = (raw) => {
  kubeObjectSchema.parse(raw);
  return ServiceSchema.parse(raw);
};

/** Watches every Service in the cluster into a new AddressLedger; stop() ends the watch. */
export async function watchAddresses(
  cp: ControlPlane,
  api: HarnessRestClient,
): Promise<{ ledger: AddressLedger; stop(): void }> {
  const ledger = new AddressLedger();
  const logger = silentLogger();
  const informer = new Informer<Service>({
    source: new RestListWatch<Service>({
      rest: api,
      watch: new RestWatch(cp.kubeConfig()),
      resource: RESOURCES.services,
      decode: decodeService,
      logger,
    }),
    clock: systemClock(),
    logger,
  });
  informer.addHandlers({
    onAdd: (svc) => ledger.observe(objectKey(svc), svc),
    onUpdate: (_old, svc) => ledger.observe(objectKey(svc), svc),
    onDelete: (svc) => ledger.observe(objectKey(svc), undefined),
  });
  informer.start();
  await informer.waitForSync();
  return { ledger, stop: () => informer.stop() };
}
