// GoBGP (gobgpd + the gobgp CLI), built from source by scripts/build-cluster-bins.sh. Its gRPC API listens on
// a unix socket in the world's run folder, so nothing binds a TCP port and two instances never collide.
// Routes are originated at run time with `gobgp global rib add`, which is also how a test makes it announce.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertTestCidr, assertTestIp } from '../cidr';
import type { World } from '../net';
import { gobgpBinaries, type GobgpBinaries } from '../paths';
import type { ManagedProcess } from '../processes';
import { waitFor } from '../readiness';
import { type BgpSpeakerConfig, familyOf, neighborFamilies, validateSpeakerConfig } from './bgp';

export interface GobgpConfig extends BgpSpeakerConfig {
  /** Addresses gobgpd listens on (default: all). */
  localAddresses?: string[];
  /** Seconds between connection attempts (GoBGP's default is 120). */
  connectRetry?: number;
}

function tomlString(s: string): string {
  return JSON.stringify(s);
}

/** gobgpd.toml. Pure. `networks` are not part of it: they are added through the API once the daemon runs. */
export function renderGobgpConf(c: GobgpConfig): string {
  validateSpeakerConfig('gobgp', c);
  for (const a of c.localAddresses ?? []) assertTestIp(a);
  const lines: string[] = [
    '[global.config]',
    `  as = ${c.asn}`,
    `  router-id = ${tomlString(c.routerId)}`,
    `  port = ${c.listenPort ?? 179}`,
  ];
  if (c.localAddresses !== undefined)
    lines.push(`  local-address-list = [${c.localAddresses.map(tomlString).join(', ')}]`);
  for (const n of c.neighbors) {
    lines.push(
      '',
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = ${tomlString(n.address)}`,
      `    peer-as = ${n.asn}`,
    );
    if (n.password !== undefined) lines.push(`    auth-password = ${tomlString(n.password)}`);
    lines.push('  [neighbors.timers.config]', `    connect-retry = ${c.connectRetry ?? 5}`);
    if (n.holdTime !== undefined) {
      lines.push(
        `    hold-time = ${n.holdTime}`,
        `    keepalive-interval = ${Math.max(1, Math.floor(n.holdTime / 3))}`,
      );
    }
    if (n.port !== undefined) lines.push('  [neighbors.transport.config]', `    remote-port = ${n.port}`);
    if (n.multihop === true)
      lines.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 16');
    for (const f of neighborFamilies(n)) {
      lines.push(
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${f}-unicast"`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}

export interface GobgpNeighbor {
  address: string;
  peerAs: number;
  /** Lower-case FSM state name: idle, connect, active, opensent, openconfirm, established. */
  state: string;
}

// GoBGP's JSON encodes session_state as the gRPC enum number.
const SESSION_STATES = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};

/** `gobgp neighbor -j`. */
export function parseGobgpNeighbors(json: string): GobgpNeighbor[] {
  const parsed: unknown = JSON.parse(json.trim() === '' ? '[]' : json);
  if (!Array.isArray(parsed))
    throw new Error(`gobgp neighbor -j: expected an array, got ${json.slice(0, 200)}`);
  return parsed.map((raw) => {
    const n = obj(raw);
    const conf = obj(n.conf);
    const st = obj(n.state);
    const s = st.session_state;
    const state =
      typeof s === 'number'
        ? (SESSION_STATES[s] ?? String(s))
        : typeof s === 'string'
          ? s.toLowerCase()
          : 'unknown';
    return {
      address: typeof conf.neighbor_address === 'string' ? conf.neighbor_address : '',
      peerAs: typeof conf.peer_asn === 'number' ? conf.peer_asn : 0,
      state,
    };
  });
}

export interface GobgpPath {
  nexthop: string | undefined;
  best: boolean;
  /** The first AS_PATH segment's ASNs, empty for locally originated paths. */
  asPath: number[];
}

/** `gobgp global rib -j`: prefix -> paths. */
export function parseGobgpRib(json: string): Map<string, GobgpPath[]> {
  const out = new Map<string, GobgpPath[]>();
  const text = json.trim();
  if (text === '' || text === 'null') return out;
  for (const [prefix, paths] of Object.entries(obj(JSON.parse(text)))) {
    const list = Array.isArray(paths) ? paths : [];
    out.set(
      prefix,
      list.map((raw) => {
        const p = obj(raw);
        const attrs = Array.isArray(p.attrs) ? p.attrs.map(obj) : [];
        // type 3 = NEXT_HOP; type 14 = MP_REACH_NLRI (IPv6) carries it as `nexthop` too.
        const nh = attrs.find((a) => a.type === 3 || a.type === 14);
        const asPathAttr = attrs.find((a) => a.type === 2);
        const segs = Array.isArray(asPathAttr?.as_paths) ? asPathAttr.as_paths.map(obj) : [];
        const asns = Array.isArray(segs[0]?.asns)
          ? segs[0].asns.filter((x): x is number => typeof x === 'number')
          : [];
        return {
          nexthop: typeof nh?.nexthop === 'string' ? nh.nexthop : undefined,
          best: p.best === true,
          asPath: asns,
        };
      }),
    );
  }
  return out;
}

export interface GobgpRouter {
  readonly name: string;
  readonly role: string;
  readonly dir: string;
  readonly apiSocket: string;
  readonly config: GobgpConfig;
  readonly process: ManagedProcess;
  /** Runs the gobgp CLI against this daemon; returns stdout. */
  cli(...args: string[]): Promise<string>;
  neighbors(): Promise<GobgpNeighbor[]>;
  rib(family: 'ipv4' | 'ipv6'): Promise<Map<string, GobgpPath[]>>;
  /** Originates a prefix (next hop: the session's local address). */
  announce(prefix: string): Promise<void>;
  withdraw(prefix: string): Promise<void>;
  waitEstablished(address: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartGobgpOptions {
  name?: string;
  timeoutMs?: number;
  binaries?: GobgpBinaries;
}

export async function startGobgp(
  world: World,
  role: string,
  config: GobgpConfig,
  opts: StartGobgpOptions = {},
): Promise<GobgpRouter> {
  const bins = opts.binaries ?? gobgpBinaries();
  const name = opts.name ?? `gobgp-${role}`;
  const conf = renderGobgpConf(config);
  const dir = path.join(world.runDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const confFile = path.join(dir, 'gobgpd.toml');
  fs.writeFileSync(confFile, conf);
  const apiSocket = path.join(dir, 'api.sock');
  if (Buffer.byteLength(apiSocket) > 107)
    throw new Error(`gobgp: socket path too long for a unix socket: ${apiSocket}`);
  const target = `unix://${apiSocket}`;
  const proc = await world.spawnIn(role, name, [
    bins.gobgpd,
    '-f',
    confFile,
    '-t',
    'toml',
    '--api-hosts',
    target,
    '--pprof-disable',
    '-p',
    '-l',
    'info',
  ]);
  const cli = async (...args: string[]): Promise<string> =>
    (await world.exec(role, [bins.gobgp, '--target', target, ...args], { timeoutMs: 15_000 })).stdout;
  try {
    await waitFor(`gobgp ${name}: API answering`, async () => (await cli('global')).includes('AS:'), {
      timeoutMs: opts.timeoutMs ?? 30_000,
      watch: [proc],
    });
    for (const p of config.networks ?? []) await cli('global', 'rib', 'add', p, '-a', familyOf(p));
  } catch (err) {
    await proc.stop(2_000);
    throw err;
  }
  const router: GobgpRouter = {
    name,
    role,
    dir,
    apiSocket,
    config,
    process: proc,
    cli,
    async neighbors() {
      return parseGobgpNeighbors(await cli('neighbor', '-j'));
    },
    async rib(family) {
      return parseGobgpRib(await cli('global', 'rib', '-j', '-a', family));
    },
    async announce(prefix) {
      assertTestCidr(prefix);
      await cli('global', 'rib', 'add', prefix, '-a', familyOf(prefix));
    },
    async withdraw(prefix) {
      assertTestCidr(prefix);
      await cli('global', 'rib', 'del', prefix, '-a', familyOf(prefix));
    },
    async waitEstablished(address, timeout = 60_000) {
      await waitFor(
        `gobgp ${name}: session with ${address} established`,
        async () => {
          const n = (await router.neighbors()).find((x) => x.address === address);
          if (n === undefined) throw new Error(`no neighbour ${address}`);
          if (n.state !== 'established') throw new Error(`state ${n.state}`);
          return true;
        },
        { timeoutMs: timeout, maxIntervalMs: 1_000, watch: [proc] },
      );
    },
    async stop() {
      await proc.stop(5_000);
    },
  };
  return router;
}
