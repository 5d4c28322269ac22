// What the session layer's interop e2e files share (speaker/bgp/session/interop*.e2e.test.ts: FRR, BIRD and
// GoBGP as the router): one session host (speaker/bgp/session/testdata/sessionhost.ts) per node namespace,
// driven by a config file it re-reads, and its status file; the hostile peer; and the sessions every router
// is offered (iBGP over IPv4 in a 2-octet AS, eBGP over IPv6 from another AS). The test files differ only in
// the router they start and how they read its RIB.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeExecutable, type World } from '../../e2e/harness/net';
import type { SessionStats } from '../../speaker/bgp/session/session';
import type { HostConfig, PeerSpec, RouteSpec } from '../../speaker/bgp/session/testdata/sessionhost';

export type { HostConfig };

export const NODES = ['node1', 'node2', 'node3'] as const;
/** The router's AS, 2 octets; the IPv4 sessions are iBGP in it. */
export const ROUTER_AS = 64512;
export const VIP4 = '198.51.100.10/32';
export const VIP6 = '2001:db8:5::10/128';
export const COMMUNITY = 64512 * 65536 + 100; // 64512:100
export const LARGE_COMMUNITY = { global: 64512, local1: 7, local2: 9 };
export const MD5_PASSWORD = 'md5-secret';

/** The routes every node announces: the IPv4 one with LOCAL_PREF, a community and a large community. */
export const ROUTES: RouteSpec[] = [
  { prefix: VIP4, localPref: 150, communities: [COMMUNITY], largeCommunities: [LARGE_COMMUNITY] },
  { prefix: VIP6, communities: [COMMUNITY], largeCommunities: [LARGE_COMMUNITY] },
];

export function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

export interface RouterPeersOptions {
  /** The AS of the nodes' IPv6 (eBGP) sessions. */
  readonly ebgpAs: number;
  /** Node whose IPv4 session uses TCP MD5, and the password it is given (the router expects MD5_PASSWORD). */
  readonly md5?: { readonly node: string; readonly password: string };
  readonly holdTime?: number;
}

/** The two sessions of a node to the router: iBGP over IPv4 (maybe with MD5), eBGP over IPv6. */
export function routerPeers(w: World, node: string, o: RouterPeersOptions): PeerSpec[] {
  const router = w.router.primary;
  const password = o.md5?.node === node ? o.md5.password : undefined;
  return [
    {
      name: 'router-v4',
      peerAddress: router.v4,
      peerAs: ROUTER_AS,
      family: 'ipv4',
      holdTime: o.holdTime ?? 9,
      ...(password !== undefined ? { password } : {}),
    },
    {
      name: 'router-v6',
      peerAddress: router.v6,
      peerAs: ROUTER_AS,
      localAs: o.ebgpAs,
      family: 'ipv6',
      holdTime: o.holdTime ?? 9,
    },
  ];
}

/** The router's side of routerPeers: one neighbour per node and family. */
export function routerNeighbors(
  w: World,
  ebgpAs: number,
  md5Node?: string,
): { address: string; asn: number; password?: string }[] {
  return [
    ...NODES.map((n) => ({
      address: w.host(n).primary.v4,
      asn: ROUTER_AS,
      ...(n === md5Node ? { password: MD5_PASSWORD } : {}),
    })),
    ...NODES.map((n) => ({ address: w.host(n).primary.v6, asn: ebgpAs })),
  ];
}

const SCRIPT = path.join(__dirname, '..', '..', 'speaker', 'bgp', 'session', 'testdata', 'sessionhost.ts');

/** The session hosts of a world's nodes, each with its own config and status file under the run folder. */
export class SessionHosts {
  private readonly dirs = new Map<string, string>();

  constructor(private readonly world: World) {}

  /** Writes each node's first config, then starts its session host in the node's namespace. */
  async start(configs: ReadonlyMap<string, HostConfig>): Promise<void> {
    for (const [node, config] of configs) {
      const dir = path.join(this.world.runDir, `sessionhost-${node}`);
      fs.mkdirSync(dir, { recursive: true });
      this.dirs.set(node, dir);
      this.write(node, config);
      await this.world.spawnIn(node, `sessionhost-${node}`, [
        nodeExecutable(),
        '-r',
        'ts-node/register/transpile-only',
        SCRIPT,
        path.join(dir, 'config.json'),
        path.join(dir, 'status.json'),
      ]);
    }
  }

  /** Replaces a node's config atomically; its host applies it within 200 ms. */
  write(node: string, config: HostConfig): void {
    const dir = this.dir(node);
    fs.writeFileSync(path.join(dir, 'config.json.tmp'), JSON.stringify(config));
    fs.renameSync(path.join(dir, 'config.json.tmp'), path.join(dir, 'config.json'));
  }

  /** The node's sessions' last stats, by peer name ({} before the first write). */
  status(node: string): Record<string, SessionStats> {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir(node), 'status.json'), 'utf8')) as Record<
        string,
        SessionStats
      >;
    } catch {
      return {};
    }
  }

  /** Starts the hostile peer on `role` at `address`:179; returns the file where it logs what it receives. */
  async startHostile(role: string, address: string, kind: string): Promise<string> {
    const dir = path.join(this.world.runDir, 'hostile');
    fs.mkdirSync(dir, { recursive: true });
    const log = path.join(dir, 'hostile.jsonl');
    await this.world.spawnIn(role, 'hostile', [
      nodeExecutable(),
      '-r',
      'ts-node/register/transpile-only',
      SCRIPT,
      '--hostile',
      address,
      '179',
      kind,
      log,
    ]);
    return log;
  }

  private dir(node: string): string {
    const d = this.dirs.get(node);
    if (d === undefined) throw new Error(`no session host on ${node}`);
    return d;
  }
}
