// FRR (zebra + bgpd, and bfdd for neighbours with `bfd`: frrbfd.ts) inside a namespace of the world, without
// systemd or watchfrr. Each daemon runs in a private mount namespace that bind-mounts the instance's own
// folders over /etc/frr, /var/run/frr and /var/tmp, so several instances (one per world, several worlds at
// once) never share a pid file, vty socket or zserv socket, and nothing under the real /etc or /var is
// written. zebra is started first because it is what installs the routes bgpd learns into the namespace's
// kernel table; it changes to user `frr`, so the instance folders are owned by it, and so does bfdd. bgpd
// runs as root with -S (no user change).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, type World } from '../net';
import type { ManagedProcess } from '../processes';
import { waitFor } from '../readiness';
import { type BgpSpeakerConfig, familyOf, neighborFamilies, validateSpeakerConfig } from './bgp';
import {
  type FrrBfdPeer,
  hasBfd,
  parseFrrBfdPeers,
  renderBfddConf,
  renderMultihop,
  renderNeighborBfd,
} from './frrbfd';

export const FRR_LIBEXEC = '/usr/lib/frr';

export interface FrrConfig extends BgpSpeakerConfig {
  hostname: string;
  /** Seconds between connection attempts to a neighbour that is down (FRR's default is 120). */
  connectRetry?: number;
}

/** bgpd's configuration. Pure. */
export function renderFrrConf(c: FrrConfig): string {
  validateSpeakerConfig(`frr ${c.hostname}`, c);
  const lines: string[] = [
    'frr defaults traditional',
    `hostname ${c.hostname}`,
    'log stdout informational',
    '!',
    `router bgp ${c.asn}`,
    ` bgp router-id ${c.routerId}`,
    // FRR 8+ refuses to send or accept eBGP routes without an explicit policy (RFC 8212); the tests want
    // everything exchanged.
    ' no bgp ebgp-requires-policy',
    // Families are activated per neighbour below, never implicitly.
    ' no bgp default ipv4-unicast',
    // Originate `network` prefixes even though no route for them exists in this namespace.
    ' no bgp network import-check',
  ];
  for (const n of c.neighbors) {
    lines.push(` neighbor ${n.address} remote-as ${n.asn}`);
    if (n.port !== undefined) lines.push(` neighbor ${n.address} port ${n.port}`);
    if (n.password !== undefined) lines.push(` neighbor ${n.address} password ${n.password}`);
    lines.push(...renderMultihop(n));
    if (n.gracefulRestart === true) lines.push(` neighbor ${n.address} graceful-restart`);
    if (n.holdTime !== undefined)
      lines.push(` neighbor ${n.address} timers ${Math.max(1, Math.floor(n.holdTime / 3))} ${n.holdTime}`);
    lines.push(` neighbor ${n.address} timers connect ${c.connectRetry ?? 5}`);
    lines.push(...renderNeighborBfd(n));
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    const active = c.neighbors.filter((n) => neighborFamilies(n).includes(family));
    const networks = (c.networks ?? []).filter((p) => familyOf(p) === family);
    if (active.length === 0 && networks.length === 0) continue;
    lines.push(' !', ` address-family ${family} unicast`);
    for (const n of active) lines.push(`  neighbor ${n.address} activate`);
    for (const p of networks) lines.push(`  network ${p}`);
    // ECMP across every node announcing the same service, over iBGP and eBGP alike.
    lines.push('  maximum-paths 32', '  maximum-paths ibgp 32', ' exit-address-family');
  }
  lines.push('exit', '!', '');
  return lines.join('\n');
}

/** zebra's configuration: nothing but identity and logging; interfaces and addresses come from the kernel. */
export function renderZebraConf(hostname: string): string {
  return ['frr defaults traditional', `hostname ${hostname}`, 'log stdout informational', '!', ''].join('\n');
}

/** `argv` run through `wrapper` (renderFrrWrapper) in a private mount namespace that sees `dir` as FRR's paths. */
export function inFrrMountNamespace(wrapper: string, dir: string, argv: readonly string[]): string[] {
  return ['unshare', '--mount', '--propagation', 'private', wrapper, dir, ...argv];
}

/** The wrapper that gives one daemon its private view of FRR's fixed paths, then becomes the daemon. */
export function renderFrrWrapper(): string {
  return [
    '#!/bin/sh',
    '# Runs under `unshare -m`: these bind mounts are visible to this daemon only.',
    'set -e',
    'd="$1"; shift',
    'mount --bind "$d/etc" /etc/frr',
    'mount --bind "$d/run" /var/run/frr',
    'mount --bind "$d/tmp" /var/tmp',
    'exec "$@"',
    '',
  ].join('\n');
}

export interface FrrPeerState {
  address: string;
  state: string;
  remoteAs: number;
  prefixesReceived: number;
  prefixesSent: number;
}

export interface FrrPath {
  valid: boolean;
  bestpath: boolean;
  nexthops: string[];
  asPath: string;
  localPref: number | undefined;
  communities: string[];
}

export interface FrrRouter {
  readonly name: string;
  readonly role: string;
  readonly dir: string;
  readonly socketDir: string;
  readonly config: FrrConfig;
  readonly zebra: ManagedProcess;
  readonly bgpd: ManagedProcess;
  /** Running when a neighbour has `bfd`. */
  readonly bfdd: ManagedProcess | undefined;
  /** Runs vtysh with one `-c` per command; returns stdout. */
  vtysh(...commands: string[]): Promise<string>;
  /** `configure terminal` + lines, applied live. */
  configure(lines: string[]): Promise<void>;
  /** Peers of `show bgp summary json`, both families merged (a dual-family session appears once). */
  peers(): Promise<FrrPeerState[]>;
  /** `show bgp <family> unicast json`: prefix -> paths. */
  routes(family: 'ipv4' | 'ipv6'): Promise<Map<string, FrrPath[]>>;
  /** zebra's `show ip[v6] route json` entries of protocol bgp that are installed in the kernel. */
  installedBgpRoutes(family: 'ipv4' | 'ipv6'): Promise<Map<string, string[]>>;
  waitEstablished(address: string, timeoutMs?: number): Promise<void>;
  /** bfdd's `show bfd peers json`; empty without bfdd. */
  bfdPeers(): Promise<FrrBfdPeer[]>;
  stop(): Promise<void>;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `show bgp summary json` -> peers (FRR 8.x layout: {ipv4Unicast: {peers: {...}}, ipv6Unicast: ...}). */
export function parseFrrSummary(json: string): FrrPeerState[] {
  const byAddress = new Map<string, FrrPeerState>();
  for (const af of Object.values(obj(JSON.parse(json)))) {
    for (const [address, raw] of Object.entries(obj(obj(af).peers))) {
      const p = obj(raw);
      const prev = byAddress.get(address);
      byAddress.set(address, {
        address,
        state: str(p.state) ?? 'unknown',
        remoteAs: num(p.remoteAs) ?? 0,
        prefixesReceived: (prev?.prefixesReceived ?? 0) + (num(p.pfxRcd) ?? 0),
        prefixesSent: (prev?.prefixesSent ?? 0) + (num(p.pfxSnt) ?? 0),
      });
    }
  }
  return [...byAddress.values()];
}

/** `show bgp ipv4 unicast json` -> prefix -> paths. */
export function parseFrrRoutes(json: string): Map<string, FrrPath[]> {
  const out = new Map<string, FrrPath[]>();
  for (const [prefix, paths] of Object.entries(obj(obj(JSON.parse(json)).routes))) {
    out.set(
      prefix,
      arr(paths).map((raw) => {
        const p = obj(raw);
        const community = str(obj(p.community).string);
        return {
          valid: p.valid === true,
          bestpath: p.bestpath === true,
          nexthops: arr(p.nexthops)
            .map((n) => str(obj(n).ip))
            .filter((x): x is string => x !== undefined),
          asPath: str(p.path) ?? '',
          localPref: num(p.locPrf),
          communities: community === undefined ? [] : community.split(' '),
        };
      }),
    );
  }
  return out;
}

/** zebra's `show ip route json` -> prefix -> next hops, for installed routes of `protocol`. */
export function parseZebraRoutes(json: string, protocol = 'bgp'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [prefix, entries] of Object.entries(obj(JSON.parse(json)))) {
    for (const raw of arr(entries)) {
      const e = obj(raw);
      if (e.protocol !== protocol || e.installed !== true) continue;
      const hops = arr(e.nexthops)
        .map((n) => obj(n))
        .filter((n) => n.fib === true)
        .map((n) => str(n.ip))
        .filter((x): x is string => x !== undefined);
      out.set(prefix, hops);
    }
  }
  return out;
}

export function resolveUser(name: string): { uid: number; gid: number } {
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && f[3] !== undefined)
      return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error(`frr: user ${name} does not exist (is the frr package installed? scripts/install-deps.sh)`);
}

export function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else fs.chownSync(p, uid, gid);
  }
}

export interface StartFrrOptions {
  /** Unique within the world; names the folder, logs and PID files. Default `frr-<role>`. */
  name?: string;
  timeoutMs?: number;
}

/** Starts zebra, bfdd when a neighbour has `bfd`, and bgpd in `role`'s namespace; waits until they answer vtysh. */
export async function startFrr(
  world: World,
  role: string,
  config: FrrConfig,
  opts: StartFrrOptions = {},
): Promise<FrrRouter> {
  const name = opts.name ?? `frr-${role}`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const frrConf = renderFrrConf(config);
  for (const d of ['/etc/frr', '/var/run/frr', '/var/tmp']) {
    if (!fs.existsSync(d)) throw new Error(`frr: ${d} must exist as a mount point (install the frr package)`);
  }
  const dir = path.join(world.runDir, name);
  const socketDir = path.join(dir, 'run');
  for (const sub of ['etc', 'run', 'tmp']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, 'etc', 'frr.conf'), frrConf);
  fs.writeFileSync(path.join(dir, 'etc', 'zebra.conf'), renderZebraConf(config.hostname));
  const withBfd = hasBfd(config.neighbors);
  if (withBfd)
    fs.writeFileSync(path.join(dir, 'etc', 'bfdd.conf'), renderBfddConf(config.hostname, config.neighbors));
  fs.writeFileSync(path.join(dir, 'etc', 'vtysh.conf'), 'service integrated-vtysh-config\n');
  const wrapper = path.join(dir, 'frr-ns.sh');
  fs.writeFileSync(wrapper, renderFrrWrapper(), { mode: 0o755 });
  const frr = resolveUser('frr');
  chownTree(dir, frr.uid, frr.gid);
  // The world's run folder is 0700 root: the daemons only ever see the instance folder through the bind mounts.

  const daemon = (bin: string, args: string[]): string[] =>
    inFrrMountNamespace(wrapper, dir, [path.join(FRR_LIBEXEC, bin), ...args]);
  const common = (d: string): string[] => [
    '-i',
    `/var/run/frr/${d}.pid`,
    '--vty_socket',
    '/var/run/frr',
    '-z',
    '/var/run/frr/zserv.api',
  ];

  const vtyshArgs = (commands: string[]): string[] => [
    'vtysh',
    '--vty_socket',
    socketDir,
    ...commands.flatMap((c) => ['-c', c]),
  ];
  const vtysh = async (...commands: string[]): Promise<string> =>
    (await world.exec(role, vtyshArgs(commands), { timeoutMs: 15_000 })).stdout;

  const zebra = await world.spawnIn(
    role,
    `${name}-zebra`,
    daemon('zebra', ['-f', '/etc/frr/zebra.conf', ...common('zebra')]),
  );
  let bgpd: ManagedProcess | undefined;
  let bfdd: ManagedProcess | undefined;
  try {
    await waitFor(`frr ${name}: zebra socket`, async () => fs.existsSync(path.join(socketDir, 'zserv.api')), {
      timeoutMs,
      watch: [zebra],
    });
    if (withBfd) {
      // Before bgpd, so its `neighbor bfd` registrations (relayed by zebra) find bfdd listening.
      const b = await world.spawnIn(
        role,
        `${name}-bfdd`,
        daemon('bfdd', ['-f', '/etc/frr/bfdd.conf', ...common('bfdd')]),
      );
      bfdd = b;
      await waitFor(
        `frr ${name}: bfdd vty socket`,
        async () => fs.existsSync(path.join(socketDir, 'bfdd.vty')),
        {
          timeoutMs,
          watch: [zebra, b],
        },
      );
    }
    const started = await world.spawnIn(
      role,
      `${name}-bgpd`,
      daemon('bgpd', [
        '-S',
        '-f',
        '/etc/frr/frr.conf',
        ...common('bgpd'),
        ...(config.listenPort !== undefined ? ['-p', String(config.listenPort)] : []),
      ]),
    );
    bgpd = started;
    await waitFor(
      `frr ${name}: bgpd answering vtysh`,
      async () => {
        JSON.parse(await vtysh('show bgp summary json'));
        return (await vtysh('show zebra client summary')).includes('bgp');
      },
      { timeoutMs, watch: [zebra, started] },
    );
  } catch (err) {
    await Promise.all([bgpd?.stop(2_000), bfdd?.stop(2_000), zebra.stop(2_000)]);
    throw err;
  }
  const bgpdProc = bgpd;
  const bfddProc = bfdd;

  const router: FrrRouter = {
    name,
    role,
    dir,
    socketDir,
    config,
    zebra,
    bgpd: bgpdProc,
    bfdd: bfddProc,
    vtysh,
    async configure(lines) {
      await vtysh('configure terminal', ...lines);
    },
    async peers() {
      return parseFrrSummary(await vtysh('show bgp summary json'));
    },
    async routes(family) {
      return parseFrrRoutes(await vtysh(`show bgp ${family} unicast json`));
    },
    async installedBgpRoutes(family) {
      return parseZebraRoutes(await vtysh(family === 'ipv4' ? 'show ip route json' : 'show ipv6 route json'));
    },
    async waitEstablished(address, timeout = 60_000) {
      await waitFor(
        `frr ${name}: session with ${address} established`,
        async () => {
          const p = (await router.peers()).find((x) => x.address === address);
          if (p === undefined) throw new Error(`no neighbour ${address}`);
          if (p.state !== 'Established') throw new Error(`state ${p.state}`);
          return true;
        },
        { timeoutMs: timeout, maxIntervalMs: 1_000, watch: [zebra, bgpdProc] },
      );
    },
    async bfdPeers() {
      return bfddProc === undefined ? [] : parseFrrBfdPeers(await vtysh('show bfd peers json'));
    },
    async stop() {
      await bgpdProc.stop(5_000);
      await bfddProc?.stop(5_000);
      await zebra.stop(5_000);
    },
  };
  return router;
}

/** Checks that the installed FRR is one the harness knows how to drive; returns its version line. */
export async function frrVersion(): Promise<string> {
  const r = await run([path.join(FRR_LIBEXEC, 'bgpd'), '--version']);
  return r.stdout.split('\n')[0] ?? '';
}
