// BIRD 2 inside a namespace of the world, in the foreground (`bird -f`), controlled through its own socket.
// It is the second independent BGP implementation the speaker is tested against; note that it sends an
// empty End-of-RIB marker where FRR echoes a speaker's own routes back.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertTestIp } from '../cidr';
import type { World } from '../net';
import type { ManagedProcess } from '../processes';
import { waitFor } from '../readiness';
import {
  type BgpSpeakerConfig,
  addressToken,
  familyOf,
  neighborFamilies,
  validateSpeakerConfig,
} from './bgp';

export interface BirdConfig extends BgpSpeakerConfig {
  /** Install learned routes into the namespace's kernel table (default true). */
  exportToKernel?: boolean;
  /** Local address to source sessions from (default: chosen by the kernel). */
  localAddress?: string;
}

/** bird.conf. Pure. Protocols are named `peer_<address>` so a test can find them again. */
export function renderBirdConf(c: BirdConfig): string {
  validateSpeakerConfig('bird', c);
  if (c.localAddress !== undefined) assertTestIp(c.localAddress);
  const lines: string[] = [
    'log stderr all;',
    `router id ${c.routerId};`,
    '',
    // Without the device protocol BIRD does not know which interfaces are up and treats every next hop as
    // unreachable.
    'protocol device { scan time 5; }',
    '',
  ];
  const toKernel = c.exportToKernel ?? true;
  for (const family of ['ipv4', 'ipv6'] as const) {
    lines.push(
      `protocol kernel kernel_${family} {`,
      `  ${family} { import none; export ${toKernel ? 'all' : 'none'}; };`,
      '  merge paths on;',
      '}',
      '',
    );
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    const nets = (c.networks ?? []).filter((p) => familyOf(p) === family);
    if (nets.length === 0) continue;
    lines.push(`protocol static static_${family} {`, `  ${family};`);
    // `unreachable`: the prefix is announced, traffic to it stops here; BIRD's next hop for the announcement is
    // the session's local address (next hop self below).
    for (const p of nets) lines.push(`  route ${p} unreachable;`);
    lines.push('}', '');
  }
  for (const n of c.neighbors) {
    const port = n.port !== undefined ? ` port ${n.port}` : '';
    // `local [address] [port N] as N`, in BIRD's documented order.
    const local = [
      'local',
      c.localAddress,
      c.listenPort !== undefined ? `port ${c.listenPort}` : undefined,
      `as ${c.asn}`,
    ]
      .filter((x): x is string => x !== undefined)
      .join(' ');
    lines.push(
      `protocol bgp peer_${addressToken(n.address)} {`,
      `  ${local};`,
      `  neighbor ${n.address}${port} as ${n.asn};`,
    );
    if (n.password !== undefined) lines.push(`  password "${n.password}";`);
    if (n.multihop === true) lines.push('  multihop;');
    // BIRD treats iBGP as multihop by default and resolves its next hops recursively through an IGP table;
    // with no IGP here every iBGP route would be unreachable. A neighbour on a shared segment is `direct`.
    else if (n.asn === c.asn) lines.push('  direct;');
    if (n.holdTime !== undefined) lines.push(`  hold time ${n.holdTime};`);
    lines.push('  connect retry time 5;');
    for (const f of neighborFamilies(n)) lines.push(`  ${f} { import all; export all; next hop self; };`);
    lines.push('}', '');
  }
  return lines.join('\n');
}

export interface BirdProtocol {
  name: string;
  proto: string;
  table: string;
  state: string;
  since: string;
  info: string;
}

/** `birdc show protocols`: a header line, then one whitespace-separated row per protocol. */
export function parseBirdProtocols(text: string): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // Rows have at least name, proto, table, state, since (date and time may be two fields).
    if (f.length < 5 || f[0] === 'Name' || f[0] === 'BIRD' || /^\d{4}$/.test(f[0] ?? '')) continue;
    const [name, proto, table, state, ...rest] = f;
    if (name === undefined || proto === undefined || table === undefined || state === undefined) continue;
    if (!['up', 'down', 'start', 'stop', 'flush'].includes(state)) continue;
    // `since` is one token (time) or two (date time); the remainder is the info column.
    const dateAndTime = rest[0] !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(rest[0]);
    const since = dateAndTime ? rest.slice(0, 2).join(' ') : (rest[0] ?? '');
    const info = (dateAndTime ? rest.slice(2) : rest.slice(1)).join(' ');
    out.push({ name, proto, table, state, since, info });
  }
  return out;
}

/** Prefixes listed by `birdc show route` (continuation lines for extra paths start with whitespace). */
export function parseBirdRoutePrefixes(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F.:]+\/\d+)\s/.exec(line);
    if (m !== null && m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

export interface BirdRouter {
  readonly name: string;
  readonly role: string;
  readonly dir: string;
  readonly controlSocket: string;
  readonly config: BirdConfig;
  readonly process: ManagedProcess;
  birdc(...args: string[]): Promise<string>;
  protocols(): Promise<BirdProtocol[]>;
  /** Prefixes in BIRD's table for a family. */
  routePrefixes(family: 'ipv4' | 'ipv6'): Promise<string[]>;
  /** The protocol name for a neighbour, as rendered in bird.conf. */
  protocolFor(address: string): string;
  waitEstablished(address: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartBirdOptions {
  name?: string;
  timeoutMs?: number;
}

export async function startBird(
  world: World,
  role: string,
  config: BirdConfig,
  opts: StartBirdOptions = {},
): Promise<BirdRouter> {
  const name = opts.name ?? `bird-${role}`;
  const conf = renderBirdConf(config);
  const dir = path.join(world.runDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const confFile = path.join(dir, 'bird.conf');
  const controlSocket = path.join(dir, 'bird.ctl');
  fs.writeFileSync(confFile, conf);
  const proc = await world.spawnIn(role, name, [
    'bird',
    '-f',
    '-c',
    confFile,
    '-s',
    controlSocket,
    '-P',
    path.join(dir, 'bird.pid'),
  ]);
  const birdc = async (...args: string[]): Promise<string> =>
    (await world.exec(role, ['birdc', '-s', controlSocket, ...args], { timeoutMs: 15_000 })).stdout;
  await waitFor(
    `bird ${name}: answering birdc`,
    async () => (await birdc('show', 'status')).includes('Daemon is up'),
    {
      timeoutMs: opts.timeoutMs ?? 30_000,
      watch: [proc],
    },
  );
  const protocolFor = (address: string): string => `peer_${addressToken(address)}`;
  const router: BirdRouter = {
    name,
    role,
    dir,
    controlSocket,
    config,
    process: proc,
    birdc,
    async protocols() {
      return parseBirdProtocols(await birdc('show', 'protocols'));
    },
    async routePrefixes(family) {
      return parseBirdRoutePrefixes(
        await birdc('show', 'route', 'table', family === 'ipv4' ? 'master4' : 'master6'),
      );
    },
    protocolFor,
    async waitEstablished(address, timeout = 60_000) {
      const want = protocolFor(address);
      await waitFor(
        `bird ${name}: session with ${address} established`,
        async () => {
          const p = (await router.protocols()).find((x) => x.name === want);
          if (p === undefined) throw new Error(`no protocol ${want}`);
          if (p.info !== 'Established') throw new Error(`${p.state} ${p.info}`);
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
