// Loopback bridges between the root namespace and the world's namespaces, without any management network
// interface in the root namespace.
//
// The e2e control plane itself runs in the world's management namespace (createWorld({ management: true }) +
// worldPlacement in controlplane/placement.ts): speakers dial https://192.0.2.2:6443 over the lan and the
// apiserver calls webhooks at node addresses directly. This file covers the other cases:
// - exposeRootPort: a service on the root namespace's 127.0.0.1 (e.g. a loopback-placed apiserver) appears at
//   the same 127.0.0.1:PORT inside chosen namespaces, so a kubeconfig naming https://127.0.0.1:PORT works
//   unchanged there;
// - exposeNamespacePort: a port inside a namespace (e.g. a speaker's metrics) appears on the root namespace's
//   127.0.0.1 for the test.
// Both use two forwarders (forwarder.ts, shared with controlplane/placement.ts) joined by a path-named unix
// socket, which every namespace can reach. Bytes pass unchanged, so TLS and client certificates work end to end.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeExecutable, type World } from './world';
import { freePorts } from '../ports';
import type { ManagedProcess } from '../processes';
import { waitFor } from '../readiness';

const FORWARDER = path.join(__dirname, '..', 'forwarder.ts');
// sun_path is 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107;

export interface Forward {
  /** Where clients connect: 127.0.0.1:port in the target namespace(s), or in the root namespace. */
  host: string;
  port: number;
  socket: string;
  processes: ManagedProcess[];
}

function socketPath(world: World, name: string): string {
  const dir = path.join(world.runDir, 'sock');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = path.join(dir, `${name}.sock`);
  if (Buffer.byteLength(p) > MAX_SOCKET_PATH) {
    throw new Error(
      `netmgmt: socket path ${p} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter checkout path or run root`,
    );
  }
  return p;
}

async function waitListening(p: ManagedProcess, timeoutMs: number): Promise<void> {
  await waitFor(
    `netmgmt: ${p.name} listening`,
    async () => {
      const text = fs.existsSync(p.logFile) ? fs.readFileSync(p.logFile, 'utf8') : '';
      return text.split('\n').includes('ready');
    },
    { timeoutMs, watch: [p] },
  );
}

async function startForwarder(
  world: World,
  name: string,
  where: string | undefined,
  listen: string,
  connect: string,
): Promise<ManagedProcess> {
  const argv = [nodeExecutable(), FORWARDER, `${listen}=${connect}`];
  return where === undefined ? world.spawnInRoot(name, argv) : world.spawnIn(where, name, argv);
}

/**
 * Makes the root namespace's TCP service 127.0.0.1:`port` reachable as 127.0.0.1:`port` inside each of
 * `roles` (default: every node). Typical use: the apiserver, so node-namespace speakers use the admin
 * kubeconfig unchanged.
 */
export async function exposeRootPort(
  world: World,
  port: number,
  roles: readonly string[] = world.nodes.map((n) => n.role),
  timeoutMs = 15_000,
): Promise<Forward> {
  const socket = socketPath(world, `root-${port}`);
  const root = await startForwarder(
    world,
    `fwd-root-${port}`,
    undefined,
    `unix:${socket}`,
    `tcp:127.0.0.1:${port}`,
  );
  const inner = await Promise.all(
    roles.map((role) =>
      startForwarder(world, `fwd-${role}-${port}`, role, `tcp:127.0.0.1:${port}`, `unix:${socket}`),
    ),
  );
  await Promise.all([root, ...inner].map((p) => waitListening(p, timeoutMs)));
  return { host: '127.0.0.1', port, socket, processes: [root, ...inner] };
}

/**
 * Makes TCP `host`:`port` inside `role`'s namespace reachable from the root namespace at the returned
 * 127.0.0.1 port (a fresh free one). Typical use: scraping a speaker's metrics from the test.
 */
export async function exposeNamespacePort(
  world: World,
  role: string,
  port: number,
  host = '127.0.0.1',
  timeoutMs = 15_000,
): Promise<Forward> {
  const socket = socketPath(world, `${role}-${port}`);
  const [rootPort] = await freePorts(1);
  if (rootPort === undefined) throw new Error('netmgmt: no free port');
  const inner = await startForwarder(
    world,
    `fwd-${role}-${port}-out`,
    role,
    `unix:${socket}`,
    `tcp:${host.includes(':') ? `[${host}]` : host}:${port}`,
  );
  const root = await startForwarder(
    world,
    `fwd-root-${role}-${port}-out`,
    undefined,
    `tcp:127.0.0.1:${rootPort}`,
    `unix:${socket}`,
  );
  await Promise.all([inner, root].map((p) => waitListening(p, timeoutMs)));
  return { host: '127.0.0.1', port: rootPort, socket, processes: [inner, root] };
}
