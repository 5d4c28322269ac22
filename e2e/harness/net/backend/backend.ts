// Backends for the traffic tests. A node gets the service address on `lo` (as kube-proxy's IPVS mode or a
// real host route would make it accept the traffic) while the kernel is told never to answer ARP for it, so
// the only thing that makes the address reachable on the segment is the speaker's own ARP/NDP answer.
// IPv6 needs no sysctl: the kernel answers neighbour solicitations only for addresses on the interface the
// solicitation arrived on (ipv6_get_ifaddr with strict matching), never for addresses on `lo`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertTestIp } from '../../cidr';
import { setSysctls } from '../exec';
import { nodeExecutable, type World } from '../world';
import type { ManagedProcess } from '../../processes';
import { waitFor } from '../../readiness';

const BACKEND = path.join(__dirname, 'backend.main.ts');

/**
 * arp_ignore=1: answer ARP only for addresses on the receiving interface (so not for `lo`'s);
 * arp_announce=2: never use an address from another interface as the sender of our own ARP requests.
 * Set on `all` and on every interface, because the kernel uses the larger of the two.
 */
export async function hideLoopbackAddressesFromArp(world: World, role: string): Promise<void> {
  const host = world.host(role);
  const values: Record<string, number> = {
    'net.ipv4.conf.all.arp_ignore': 1,
    'net.ipv4.conf.all.arp_announce': 2,
  };
  for (const i of host.interfaces) {
    values[`net.ipv4.conf.${i.ifname}.arp_ignore`] = 1;
    values[`net.ipv4.conf.${i.ifname}.arp_announce`] = 2;
  }
  await setSysctls(host.ns, values);
}

function hostPrefix(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** Puts a service address on the node's `lo` (idempotent), after hiding `lo` addresses from ARP. */
export async function addServiceAddress(world: World, role: string, ip: string): Promise<void> {
  assertTestIp(ip);
  await hideLoopbackAddressesFromArp(world, role);
  await world.ip(role, ['addr', 'replace', hostPrefix(ip), 'dev', 'lo']);
}

export async function removeServiceAddress(world: World, role: string, ip: string): Promise<void> {
  assertTestIp(ip);
  await world.ip(role, ['addr', 'del', hostPrefix(ip), 'dev', 'lo'], { allowFailure: true });
}

export interface Backend {
  role: string;
  port: number;
  process: ManagedProcess;
}

/** Starts the name-answering HTTP backend in a node namespace and waits until it listens. */
export async function startBackend(
  world: World,
  role: string,
  port = 8080,
  timeoutMs = 15_000,
): Promise<Backend> {
  const p = await world.spawnIn(role, `backend-${role}-${port}`, [
    nodeExecutable(),
    BACKEND,
    '--name',
    role,
    '--port',
    String(port),
  ]);
  await waitFor(
    `netbackend: backend in ${role} listening on ${port}`,
    async () => fs.existsSync(p.logFile) && fs.readFileSync(p.logFile, 'utf8').includes('listening '),
    { timeoutMs, watch: [p] },
  );
  return { role, port, process: p };
}

export interface BackendAnswer {
  node: string;
  local: string;
  remote: string;
}

/**
 * One HTTP GET from inside `fromRole`'s namespace (curl, no proxy, short timeout). Resolves with the parsed
 * answer, or rejects with curl's error so waitFor can report it.
 */
export async function httpGetFrom(
  world: World,
  fromRole: string,
  ip: string,
  port = 8080,
  timeoutS = 3,
): Promise<BackendAnswer> {
  assertTestIp(ip);
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const r = await world.exec(fromRole, [
    'curl',
    '--silent',
    '--show-error',
    '--noproxy',
    '*',
    '--max-time',
    String(timeoutS),
    `http://${host}:${port}/`,
  ]);
  const parsed: unknown = JSON.parse(r.stdout);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`backend answered ${r.stdout}`);
  const o = parsed as Record<string, unknown>;
  if (typeof o.node !== 'string' || typeof o.local !== 'string' || typeof o.remote !== 'string') {
    throw new Error(`backend answer lacks node/local/remote: ${r.stdout}`);
  }
  return { node: o.node, local: o.local, remote: o.remote };
}
