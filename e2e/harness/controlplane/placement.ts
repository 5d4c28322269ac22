// Where the control plane runs and how everything else reaches it. Two placements:
//
// - loopback (integration tests): every component in the root network namespace on 127.0.0.1, on free ports.
// - world (e2e): every component inside a management network namespace that has a leg on the simulated L2
//   bridge. Simulated nodes dial the apiserver at the management address directly; the apiserver dials
//   webhooks at pod (= node) IPs over the bridge (--enable-aggregator-routing). The root namespace, which has
//   no interface on that network and never gets one, reaches the apiserver through two forwarder processes
//   joined by a unix socket (see forwarder.ts); the harness health-checks the other components the same way.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { assertTestIp } from '../cidr';
import { nsExecPrefix } from '../net';
import { freePorts } from '../ports';
import type { ProcessGroup } from '../processes';
import { waitFor } from '../readiness';

export interface ComponentPorts {
  etcd: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface PlacementContext {
  runDir: string;
  logDir: string;
  group: ProcessGroup;
  ports: ComponentPorts;
  timeoutMs: number;
}

export interface Placement {
  readonly kind: 'loopback' | 'world';
  /** Address the apiserver binds inside its namespace. */
  readonly apiserverBindAddress: string;
  /** Published in the `kubernetes` Service's endpoints. */
  readonly advertiseAddress: string;
  /** IP SANs of the apiserver certificate besides loopback and the Service IPs. */
  readonly servingIps: readonly string[];
  readonly extraApiserverArgs: readonly string[];
  allocatePorts(): Promise<ComponentPorts>;
  /** The argv that starts `command` in the control plane's network namespace. */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  /** Starts what the harness needs to reach component ports (world: the in-namespace relay). */
  start(ctx: PlacementContext): Promise<void>;
  /** The unix socket through which the harness reaches a component's port, or undefined for direct TCP. */
  socketFor(port: number): string | undefined;
  /** Makes the apiserver reachable from the root namespace; returns the URL root-namespace clients use. */
  exposeApiserver(ctx: PlacementContext): Promise<string>;
  /** Where processes of simulated nodes dial the apiserver (KUBERNETES_SERVICE_HOST/PORT). */
  inClusterApiserver(ports: ComponentPorts): HostPort;
}

const FORWARDER = path.join(__dirname, '..', 'forwarder.ts');
// sockaddr_un.sun_path is 108 bytes including the terminating NUL.
const MAX_UNIX_PATH = 107;

/** Everything on 127.0.0.1 in the root namespace. */
export function loopbackPlacement(advertiseAddress: string): Placement {
  assertTestIp(advertiseAddress);
  return {
    kind: 'loopback',
    apiserverBindAddress: '127.0.0.1',
    // Nothing listens or dials there: endpoint validation rejects loopback, so a documentation address stands in.
    advertiseAddress,
    servingIps: [advertiseAddress],
    // Nodes share 127.0.0.1 here, where nothing has their InternalIPs; a SimNode reports 127.0.0.1 as its
    // ExternalIP (nodes.ts), and each kubelet has a port of its own.
    extraApiserverArgs: ['--kubelet-preferred-address-types=ExternalIP,InternalIP,Hostname'],
    allocatePorts: async () => {
      const free = await freePorts(5);
      const at = (i: number): number => {
        const port = free[i];
        if (port === undefined) throw new Error('freePorts returned too few ports');
        return port;
      };
      return { etcd: at(0), etcdPeer: at(1), apiserver: at(2), controllerManager: at(3), scheduler: at(4) };
    },
    wrap: (command, args) => ({ command, args }),
    start: () => Promise.resolve(),
    socketFor: () => undefined,
    exposeApiserver: (ctx) => Promise.resolve(`https://127.0.0.1:${ctx.ports.apiserver}`),
    inClusterApiserver: (ports) => ({ host: '127.0.0.1', port: ports.apiserver }),
  };
}

export interface WorldPlacementOptions {
  /** Name of an existing network namespace (created by the network module) with its leg on the bridge. */
  netns: string;
  /** The management namespace's addresses on the bridge; the apiserver is published at `ipv4`. */
  ipv4: string;
  ipv6?: string;
}

/** Inside a management network namespace; see the file comment. */
export function worldPlacement(opts: WorldPlacementOptions): Placement {
  assertTestIp(opts.ipv4);
  if (opts.ipv6 !== undefined) assertTestIp(opts.ipv6);
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.netns)) throw new Error(`world placement: bad netns name ${opts.netns}`);
  // Fresh namespace, nothing else listens: the conventional ports make logs and `make demo` familiar.
  const ports: ComponentPorts = {
    etcd: 2379,
    etcdPeer: 2380,
    apiserver: 6443,
    controllerManager: 10257,
    scheduler: 10259,
  };
  let sockDir: string | undefined;
  const socketPath = (port: number): string => {
    if (sockDir === undefined) throw new Error('world placement: start() has not run');
    return path.join(sockDir, `${port}.sock`);
  };
  const wrap = (command: string, args: string[]): { command: string; args: string[] } => {
    // `ip netns exec` execs the command after setns, so the PID the harness records is the component's own.
    const [ip, ...prefix] = nsExecPrefix(opts.netns);
    return { command: ip ?? 'ip', args: [...prefix, command, ...args] };
  };

  return {
    kind: 'world',
    // Both families and the namespace's loopback (where the controllers and the relay dial it).
    apiserverBindAddress: '::',
    advertiseAddress: opts.ipv4,
    servingIps: [opts.ipv4, ...(opts.ipv6 !== undefined ? [opts.ipv6] : [])],
    // Webhooks and aggregated APIs are called at endpoint (pod = node) IPs, not Service ClusterIPs: there is no
    // kube-proxy in the simulated world to translate a ClusterIP.
    // kubeadm's preference: kubelets are dialled at the node's address on the bridge, not by host name.
    extraApiserverArgs: [
      '--enable-aggregator-routing=true',
      '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
    ],
    allocatePorts: () => Promise.resolve({ ...ports }),
    wrap,
    start: async (ctx) => {
      sockDir = path.join(ctx.runDir, 'sock');
      fs.mkdirSync(sockDir, { recursive: true, mode: 0o700 });
      const all = Object.values(ctx.ports).filter((p) => p !== ctx.ports.etcdPeer);
      const longest = Math.max(...all.map((p) => socketPath(p).length));
      if (longest > MAX_UNIX_PATH) {
        throw new Error(
          `world placement: socket paths under ${sockDir} exceed ${MAX_UNIX_PATH} bytes; use a shorter runRoot`,
        );
      }
      const argv = wrap(process.execPath, [
        FORWARDER,
        ...all.map((p) => `unix:${socketPath(p)}=tcp:127.0.0.1:${p}`),
      ]);
      const relay = await ctx.group.spawn('relay (management ns)', argv.command, {
        args: argv.args,
        logFile: path.join(ctx.logDir, 'relay.log'),
      });
      await waitFor(
        'management-namespace relay',
        () => Promise.resolve(all.every((p) => fs.existsSync(socketPath(p)))),
        {
          timeoutMs: ctx.timeoutMs,
          watch: [relay],
        },
      );
    },
    socketFor: socketPath,
    exposeApiserver: async (ctx) => {
      const [port] = await freePorts(1);
      if (port === undefined) throw new Error('freePorts returned no port');
      const fwd = await ctx.group.spawn('forwarder (root ns)', process.execPath, {
        args: [FORWARDER, `tcp:127.0.0.1:${port}=unix:${socketPath(ctx.ports.apiserver)}`],
        logFile: path.join(ctx.logDir, 'forwarder.log'),
      });
      await waitFor('root-namespace forwarder', () => canConnect('127.0.0.1', port), {
        timeoutMs: ctx.timeoutMs,
        watch: [fwd],
      });
      return `https://127.0.0.1:${port}`;
    },
    inClusterApiserver: (p) => ({ host: opts.ipv4, port: p.apiserver }),
  };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
