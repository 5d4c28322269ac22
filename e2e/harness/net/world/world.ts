// The simulated network of the e2e world: one namespace per node, a client, a router, each with a veth onto a
// Linux bridge that lives in its own namespace (one L2 segment), and optionally a second segment behind the
// router for multihop BGP. Nothing is ever created in the root namespace: each veth pair is created directly
// between two of the world's namespaces, and every address comes from plan.ts, which checks it against the
// documentation ranges first.
//
// Lifecycle: createWorld() records the world on disk (record.ts) before creating anything, registers it for
// cleanup on exit and signals (cleanup.ts), and destroys whatever it built if it fails half-way.
// destroy() stops the world's processes by PID, then deletes its namespaces.
//
// Typical use (see e2e/world/*.e2e.test.ts):
//   const world = await createWorld({ nodes: 3, multihop: true, management: true });   // in beforeAll
//   await world.exec('client', ['ping', '-c1', world.host('node1').primary.v6]);
//   await world.spawnIn('node1', 'speaker-node1', [nodeExecutable(), 'speaker/main.ts', ...]);
//   const frr = await startFrr(world, 'router', {...});   // routers/frr.ts, bird.ts, gobgp.ts
//   await world.destroy();                                                              // in afterAll
// Related: ../backend (service address on lo + HTTP backend), ../probe (arping, ndisc6, neighbours,
// tcpdump), ../expose.ts (root-namespace loopback <-> namespace forwarders), scripts/e2e-clean.sh (crashed runs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { log } from '../../log';
import { registerNamespaceCleanup } from './cleanup';
import {
  type ExecOptions,
  type ExecResult,
  ip,
  listNamespaces,
  namespacePids,
  nsExec,
  nsExecPrefix,
} from '../exec';
import { type Host, bringHostUp, configureNamespaces, takeHostDown, waitHostReady, wireHosts } from './links';
import { belongsToWorld, newNetRunId, worldPrefix } from './names';
import { type HostPlan, type PlanOptions, type WorldPlan, planWorld } from './plan';
import { procStartTime, removePidFile, writePidFile, writeWorldRecord } from './record';
import { REPO_ROOT, RUN_ROOT, createRunDir } from '../../paths';
import { ProcessGroup, type ManagedProcess } from '../../processes';

export type { Host, HostInterface } from './links';

export interface WorldOptions extends PlanOptions {
  runRoot?: string;
  /** Budget for links to come up (default 20 s). */
  readyTimeoutMs?: number;
}

export interface SpawnInOptions {
  env?: Record<string, string>;
  cwd?: string;
}

export interface World {
  readonly runId: string;
  /** `ilb-<runId>`: every namespace of this world starts with `${prefix}-`. */
  readonly prefix: string;
  readonly runDir: string;
  readonly plan: WorldPlan;
  readonly nodes: readonly Host[];
  readonly client: Host;
  readonly router: Host;
  /** Present with `multihop: true`: a second router on the far segment, one hop behind `router`. */
  readonly farRouter: Host | undefined;
  /** Extra BGP peer hosts (option `peers`), in plan order. */
  readonly peers: readonly Host[];
  /** The management namespace for the control plane (present with `management: true`). */
  readonly management: Host | undefined;
  readonly hosts: readonly Host[];
  readonly timings: Readonly<Record<string, number>>;
  /** Namespace of a role (`node1`, `client`, ...); throws for anything that is not this world's. */
  ns(roleOrNs: string): string;
  host(role: string): Host;
  /** Every namespace of the world, hosts before bridges. */
  namespaces(): string[];
  /** Runs argv inside a host's namespace. */
  exec(roleOrNs: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** `ip -n <ns> args`. */
  ip(roleOrNs: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Starts a long-running process inside a namespace, logging to <runDir>/logs/<name>.log and recording its
   * PID under <runDir>/pids/. `name` must be unique in the world.
   */
  spawnIn(
    roleOrNs: string,
    name: string,
    argv: readonly string[],
    opts?: SpawnInOptions,
  ): Promise<ManagedProcess>;
  /**
   * Starts a process in the root namespace. Only for programs that open no network interface, address or
   * route (the management forwarders, which use loopback and unix sockets).
   */
  spawnInRoot(name: string, argv: readonly string[], opts?: SpawnInOptions): Promise<ManagedProcess>;
  /** Processes started through this world, in start order. */
  processes(): readonly ManagedProcess[];
  /** Sets every interface of a host down: it drops off its segments (a pulled cable, a dead node). */
  linkDown(role: string): Promise<void>;
  /** Undoes linkDown: links up, routes restored, resolves once the host is reachable again. */
  linkUp(role: string): Promise<void>;
  /** Stops every process of the world, then deletes its namespaces. Idempotent. */
  destroy(): Promise<void>;
}

/** The Node binary for the harness's own helper scripts: the project's Node 24 (it runs .ts directly). */
export function nodeExecutable(): string {
  const local = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  return fs.existsSync(local) ? local : process.execPath;
}

async function allocateRunId(): Promise<string> {
  const existing = await listNamespaces();
  for (let i = 0; i < 20; i++) {
    const id = newNetRunId();
    if (!existing.some((n) => belongsToWorld(n, id))) return id;
  }
  throw new Error(
    'network: could not find an unused world id (are hundreds of ilb- namespaces left over? run make e2e-clean)',
  );
}

/** Creates a world. On failure, everything already created is removed before the error propagates. */
export async function createWorld(opts: WorldOptions = {}): Promise<World> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const runId = await allocateRunId();
  const plan = planWorld(runId, opts);
  const prefix = worldPrefix(runId);
  const { runDir } = createRunDir(`net-${runId}`, opts.runRoot ?? RUN_ROOT);
  const hostNamespaces = plan.hosts.map((h) => h.ns);
  const bridgeNamespaces = plan.segments.map((s) => s.bridgeNs);
  const allNamespaces = [...hostNamespaces, ...bridgeNamespaces];
  writeWorldRecord(runDir, {
    runId,
    prefix,
    namespaces: allNamespaces,
    owner: { pid: process.pid, startTime: procStartTime(process.pid) },
    createdAt: new Date().toISOString(),
  });

  const group = new ProcessGroup();
  const pidFiles = new Map<number, string>();
  const created: string[] = [];
  let destroyed = false;
  // The world's processes are harness children, killed on exit by processes.ts before this runs.
  const unregister = registerNamespaceCleanup(prefix, () => [...created].reverse());

  const resolveNs = (roleOrNs: string): string => {
    const byRole = plan.hosts.find((h) => h.role === roleOrNs);
    if (byRole !== undefined) return byRole.ns;
    if (allNamespaces.includes(roleOrNs)) return roleOrNs;
    throw new Error(`network: ${roleOrNs} is neither a role nor a namespace of world ${prefix}`);
  };

  const planOf = (role: string): HostPlan => {
    const h = plan.hosts.find((x) => x.role === role);
    if (h === undefined) throw new Error(`network: world ${prefix} has no host ${role}`);
    return h;
  };

  const track = (name: string, p: ManagedProcess): ManagedProcess => {
    const file = writePidFile(runDir, name, p.pid);
    pidFiles.set(p.pid, file);
    void p.exited.then(() => {
      removePidFile(file);
      pidFiles.delete(p.pid);
    });
    return p;
  };

  const logFile = (name: string): string => {
    if (!/^[A-Za-z0-9._-]+$/.test(name))
      throw new Error(`network: process name ${JSON.stringify(name)} is not a plain file name`);
    return path.join(runDir, 'logs', `${name}.log`);
  };

  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    const t = Date.now();
    // Stopped together: at teardown nothing depends on an orderly shutdown, and daemons exit within
    // milliseconds of SIGTERM.
    await Promise.all(group.list().map((p) => p.stop(5_000)));
    // A daemon that forked would leave a child we never recorded; it can only be ours, since it lives in one of
    // this world's namespaces. Say so loudly, then end it.
    const strays = await Promise.all(created.map(async (ns) => ({ ns, pids: await namespacePids(ns) })));
    for (const { ns, pids: stray } of strays) {
      for (const pid of stray) {
        log.warn(`network: ${ns} still holds pid ${pid} after its processes stopped; killing it`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }
    // Hosts, then bridges: deleting a host namespace removes its veth pair, so bridges end up with no ports.
    const bridges = created.filter((ns) => bridgeNamespaces.includes(ns));
    const hostsFirst = created.filter((ns) => !bridgeNamespaces.includes(ns));
    for (const layer of [hostsFirst, bridges]) {
      await Promise.all(layer.map((ns) => ip(undefined, ['netns', 'del', ns], { allowFailure: true })));
    }
    created.length = 0;
    unregister();
    timings.destroy = Date.now() - t;
    log.info(`network: world ${prefix} destroyed in ${timings.destroy}ms`);
  };

  try {
    // Bridges first, then hosts; `created` keeps that order so teardown deletes hosts before bridges.
    let t = Date.now();
    for (const layer of [bridgeNamespaces, hostNamespaces]) {
      await Promise.all(
        layer.map(async (ns) => {
          await ip(undefined, ['netns', 'add', ns]);
          created.push(ns);
        }),
      );
    }
    timings.namespaces = Date.now() - t;

    t = Date.now();
    await configureNamespaces(plan);
    timings.sysctls = Date.now() - t;

    t = Date.now();
    await wireHosts(plan);
    timings.links = Date.now() - t;

    t = Date.now();
    const hosts = await Promise.all(plan.hosts.map((h) => waitHostReady(h, opts.readyTimeoutMs ?? 20_000)));
    timings.ready = Date.now() - t;
    timings.total = Date.now() - t0;
    log.info(`network: world ${prefix} up in ${timings.total}ms (${JSON.stringify(timings)})`);

    const byKind = (kind: HostPlan['kind']): Host[] => hosts.filter((h) => h.kind === kind);
    const one = (kind: HostPlan['kind']): Host => {
      const h = byKind(kind)[0];
      if (h === undefined) throw new Error(`network: the plan has no ${kind}`);
      return h;
    };

    const world: World = {
      runId,
      prefix,
      runDir,
      plan,
      nodes: byKind('node'),
      client: one('client'),
      router: one('router'),
      farRouter: byKind('farrouter')[0],
      management: byKind('management')[0],
      peers: byKind('peer'),
      hosts,
      timings,
      ns: resolveNs,
      host(role) {
        const h = hosts.find((x) => x.role === role);
        if (h === undefined) throw new Error(`network: world ${prefix} has no host ${role}`);
        return h;
      },
      namespaces: () => [...hostNamespaces, ...bridgeNamespaces],
      exec: (roleOrNs, argv, o) => nsExec(resolveNs(roleOrNs), argv, o),
      ip: (roleOrNs, args, o) => ip(resolveNs(roleOrNs), args, o),
      async spawnIn(roleOrNs, name, argv, o = {}) {
        if (destroyed) throw new Error(`network: world ${prefix} is destroyed`);
        const ns = resolveNs(roleOrNs);
        const [prefixCmd, ...prefixArgs] = nsExecPrefix(ns);
        if (prefixCmd === undefined) throw new Error('network: empty exec prefix');
        const p = await group.spawn(name, prefixCmd, {
          args: [...prefixArgs, ...argv],
          logFile: logFile(name),
          ...o,
        });
        return track(name, p);
      },
      async spawnInRoot(name, argv, o = {}) {
        if (destroyed) throw new Error(`network: world ${prefix} is destroyed`);
        const [cmd, ...args] = argv;
        if (cmd === undefined) throw new Error('network: spawnInRoot needs a command');
        const p = await group.spawn(name, cmd, { args, logFile: logFile(name), ...o });
        return track(name, p);
      },
      processes: () => group.list(),
      linkDown: (role) => takeHostDown(planOf(role)),
      linkUp: async (role) => {
        await bringHostUp(planOf(role), opts.readyTimeoutMs ?? 20_000);
      },
      destroy,
    };
    return world;
  } catch (err) {
    await destroy().catch((e: unknown) =>
      log.error(`network: cleanup after failed start also failed: ${String(e)}`),
    );
    throw err;
  }
}
