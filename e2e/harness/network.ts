// The simulated network of the e2e world: one namespace per node, a client, a router, each with a veth onto a
// Linux bridge that lives in its own namespace (one L2 segment), and optionally a second segment behind the
// router for multihop BGP. Nothing is ever created in the root namespace: each veth pair is created directly
// between two of the world's namespaces, and every address comes from netplan.ts, which checks it against the
// documentation ranges first.
//
// Lifecycle: createWorld() records the world on disk (netrecord.ts) before creating anything, registers it for
// cleanup on exit and signals (netcleanup.ts), and destroys whatever it built if it fails half-way.
// destroy() stops the world's processes by PID, then deletes its namespaces.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { log } from './log';
import { registerCleanup } from './netcleanup';
import { type ExecOptions, type ExecResult, ip, ipJson, listNamespaces, namespacePids, nsExec, nsExecPrefix, setSysctls } from './netexec';
import { belongsToWorld, newNetRunId, worldPrefix } from './netnames';
import { type HostPlan, type InterfacePlan, type PlanOptions, type WorldPlan, planWorld } from './netplan';
import { procStartTime, removePidFile, writePidFile, writeWorldRecord } from './netrecord';
import { REPO_ROOT, RUN_ROOT, createRunDir } from './paths';
import { ProcessGroup, type ManagedProcess } from './processes';
import { waitFor } from './readiness';

export interface WorldOptions extends PlanOptions {
  runRoot?: string;
  /** Budget for links to come up (default 20 s). */
  readyTimeoutMs?: number;
}

export interface HostInterface extends InterfacePlan {
  mac: string;
}

export interface Host {
  role: string;
  kind: HostPlan['kind'];
  ns: string;
  interfaces: HostInterface[];
  /** The first interface (eth0, on the lan). */
  primary: HostInterface;
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
  spawnIn(roleOrNs: string, name: string, argv: readonly string[], opts?: SpawnInOptions): Promise<ManagedProcess>;
  /**
   * Starts a process in the root namespace. Only for programs that open no network interface, address or
   * route (the management forwarders, which use loopback and unix sockets).
   */
  spawnInRoot(name: string, argv: readonly string[], opts?: SpawnInOptions): Promise<ManagedProcess>;
  /** Processes started through this world, in start order. */
  processes(): readonly ManagedProcess[];
  /** Stops every process of the world, then deletes its namespaces. Idempotent. */
  destroy(): Promise<void>;
}

// Every namespace: no DAD (addresses usable at once), no router advertisements acted upon, addresses kept when
// a link goes down so tests that flap a link do not have to re-add them.
const COMMON_SYSCTLS = {
  'net.ipv6.conf.all.accept_dad': 0,
  'net.ipv6.conf.default.accept_dad': 0,
  'net.ipv6.conf.all.accept_ra': 0,
  'net.ipv6.conf.default.accept_ra': 0,
  'net.ipv6.conf.all.keep_addr_on_down': 1,
  'net.ipv6.conf.default.keep_addr_on_down': 1,
};
// The bridge namespace only switches frames; without IPv6 on its ports it sends no MLD or router solicitations
// that would show up in the tests' captures.
const BRIDGE_SYSCTLS = { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 };
const ROUTER_SYSCTLS = {
  'net.ipv4.ip_forward': 1,
  'net.ipv6.conf.all.forwarding': 1,
  'net.ipv6.conf.default.forwarding': 1,
  // Clients and nodes share the router's segment; a redirect would make them bypass it and hide routing bugs.
  'net.ipv4.conf.all.send_redirects': 0,
  'net.ipv4.conf.default.send_redirects': 0,
};

/** The Node binary for the harness's own helper scripts: the project's Node 24 (it runs .ts directly). */
export function nodeExecutable(): string {
  const local = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  return fs.existsSync(local) ? local : process.execPath;
}

interface IpLink {
  ifname: string;
  address?: string;
  operstate?: string;
  flags?: string[];
}

interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
  scope?: string;
  tentative?: boolean;
  dadfailed?: boolean;
}

interface IpAddr {
  ifname: string;
  addr_info?: IpAddrInfo[];
}

async function allocateRunId(): Promise<string> {
  const existing = await listNamespaces();
  for (let i = 0; i < 20; i++) {
    const id = newNetRunId();
    if (!existing.some((n) => belongsToWorld(n, id))) return id;
  }
  throw new Error('network: could not find an unused world id (are hundreds of ilb- namespaces left over? run make e2e-clean)');
}

function hostCommands(h: HostPlan): string[] {
  const cmds: string[] = ['link set lo up'];
  for (const i of h.interfaces) {
    cmds.push(`addr add ${i.v4}/${i.v4Prefix} dev ${i.ifname}`);
    cmds.push(`addr add ${i.v6}/${i.v6Prefix} dev ${i.ifname} nodad`);
    cmds.push(`link set ${i.ifname} up`);
  }
  for (const r of h.routes) cmds.push(`route add ${r.dst} via ${r.via}`);
  return cmds;
}

async function batch(ns: string, commands: string[]): Promise<void> {
  if (commands.length === 0) return;
  await ip(ns, ['-batch', '-'], { input: `${commands.join('\n')}\n` });
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
  const unregister = registerCleanup({
    pids: () => group.pids(),
    namespaces: () => [...created].reverse(),
  });

  const resolveNs = (roleOrNs: string): string => {
    const byRole = plan.hosts.find((h) => h.role === roleOrNs);
    if (byRole !== undefined) return byRole.ns;
    if (allNamespaces.includes(roleOrNs)) return roleOrNs;
    throw new Error(`network: ${roleOrNs} is neither a role nor a namespace of world ${prefix}`);
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
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`network: process name ${JSON.stringify(name)} is not a plain file name`);
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
    for (const ns of [...created].reverse()) {
      const stray = await namespacePids(ns);
      for (const pid of stray) {
        log.warn(`network: ${ns} still holds pid ${pid} after its processes stopped; killing it`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }
    for (const ns of [...created].reverse()) {
      await ip(undefined, ['netns', 'del', ns], { allowFailure: true });
    }
    created.length = 0;
    unregister();
    timings.destroy = Date.now() - t;
    log.info(`network: world ${prefix} destroyed in ${timings.destroy}ms`);
  };

  try {
    // Bridges first so hosts can attach; the list is kept in creation order for a reverse-order teardown.
    let t = Date.now();
    for (const ns of [...bridgeNamespaces, ...hostNamespaces]) {
      await ip(undefined, ['netns', 'add', ns]);
      created.push(ns);
    }
    timings.namespaces = Date.now() - t;

    t = Date.now();
    // Sysctls before any interface exists, so every interface inherits `default`.
    await Promise.all([
      ...bridgeNamespaces.map((ns) => setSysctls(ns, { ...COMMON_SYSCTLS, ...BRIDGE_SYSCTLS })),
      ...plan.hosts.map((h) => setSysctls(h.ns, h.forwarding ? { ...COMMON_SYSCTLS, ...ROUTER_SYSCTLS } : COMMON_SYSCTLS)),
    ]);
    // mcast_snooping off: the bridge floods multicast like a plain switch, so solicited-node NDP reaches every
    // node whether or not it sent an MLD report (the L2 tests should test our speaker, not the bridge).
    await Promise.all(
      bridgeNamespaces.map((ns) => batch(ns, ['link set lo up', 'link add br0 type bridge mcast_snooping 0', 'link set br0 up'])),
    );
    timings.sysctls = Date.now() - t;

    t = Date.now();
    for (const h of plan.hosts) {
      for (const i of h.interfaces) {
        const seg = plan.segments.find((s) => s.name === i.segment);
        if (seg === undefined) throw new Error(`network: ${h.role}/${i.ifname} refers to missing segment ${i.segment}`);
        await ip(h.ns, ['link', 'add', i.ifname, 'type', 'veth', 'peer', 'name', i.bridgePort, 'netns', seg.bridgeNs]);
      }
    }
    await Promise.all(
      plan.segments.map((s) => {
        const ports = plan.hosts.flatMap((h) => h.interfaces.filter((i) => i.segment === s.name).map((i) => i.bridgePort));
        return batch(s.bridgeNs, ports.map((p) => `link set ${p} master br0 up`));
      }),
    );
    await Promise.all(plan.hosts.map((h) => batch(h.ns, hostCommands(h))));
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
        const p = await group.spawn(name, prefixCmd, { args: [...prefixArgs, ...argv], logFile: logFile(name), ...o });
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
      destroy,
    };
    return world;
  } catch (err) {
    await destroy().catch((e: unknown) => log.error(`network: cleanup after failed start also failed: ${String(e)}`));
    throw err;
  }
}

/** Polls until every interface of the host has carrier and no tentative IPv6 address, then reads the MACs. */
async function waitHostReady(h: HostPlan, timeoutMs: number): Promise<Host> {
  const interfaces: HostInterface[] = [];
  await waitFor(
    `network: interfaces of ${h.ns}`,
    async () => {
      const links = await ipJson<IpLink>(h.ns, ['link', 'show']);
      const addrs = await ipJson<IpAddr>(h.ns, ['addr', 'show']);
      interfaces.length = 0;
      for (const i of h.interfaces) {
        const link = links.find((l) => l.ifname === i.ifname);
        if (link === undefined) throw new Error(`${i.ifname} missing`);
        if (!(link.flags ?? []).includes('LOWER_UP')) throw new Error(`${i.ifname} has no carrier (${link.operstate ?? '?'})`);
        const info = addrs.find((a) => a.ifname === i.ifname)?.addr_info ?? [];
        const pending = info.filter((a) => a.tentative === true || a.dadfailed === true);
        if (pending.length > 0) throw new Error(`${i.ifname} has tentative addresses ${pending.map((a) => a.local).join(', ')}`);
        for (const want of [i.v4, i.v6]) {
          if (!info.some((a) => a.local === want)) throw new Error(`${i.ifname} lacks ${want}`);
        }
        // NDP from the link-local address must work too (ndisc6 and the speaker's NA use it).
        if (!info.some((a) => a.family === 'inet6' && a.scope === 'link')) throw new Error(`${i.ifname} has no link-local address yet`);
        if (link.address === undefined) throw new Error(`${i.ifname} has no MAC`);
        interfaces.push({ ...i, mac: link.address });
      }
      return true;
    },
    { timeoutMs },
  );
  const primary = interfaces[0];
  if (primary === undefined) throw new Error(`network: ${h.ns} has no interface`);
  return { role: h.role, kind: h.kind, ns: h.ns, interfaces: [...interfaces], primary };
}
