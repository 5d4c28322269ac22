// The node's complete frr.conf in FRR mode (`bgpBackend: frr`), from what the native speaker is given: the
// BGPPeers selecting this node, the routes each of them should hold (bgp/advertise/routes.ts) and the BFD
// profiles. Pure and deterministic: the same input gives the same text, so reload.ts can skip an unchanged
// config. The layout follows upstream's templates (internal/bgp/frr/templates/frr.tmpl, neighborsession.tmpl,
// neighboripfamily.tmpl, prefixfilters.tmpl, bfdprofile.tmpl) so that a site's tooling reading frr.conf sees
// the same names: one `router bgp <myASN> [vrf X]` per (myASN, VRF), per neighbor a `<id>-in` route-map that
// denies everything received and a `<id>-out` one that sets LOCAL_PREF and communities through prefix lists
// and permits only the prefixes advertised to that neighbor.
import { formatIP } from '../../addr/ip';
import type { BFDProfile, Peer } from '../../config/types';
import type { LogLevel } from '../../kube/log';
import { formatPrefix } from '../bgp/codec/prefix';
import type { Route } from '../bgp/session/session';

export interface FrrNodeConfig {
  /** `hostname` in frr.conf: upstream writes the speaker's host name. */
  readonly hostname: string;
  readonly logLevel: LogLevel;
  /** FRR's own level name, over logLevel's (upstream's FRR_LOGGING_LEVEL); `debugging` adds the debug lines. */
  readonly frrLogLevel?: FrrLogLevel;
  /** The BGPPeers that select this node. */
  readonly peers: readonly Peer[];
  /** The routes per BGPPeer name; a peer missing here advertises nothing. */
  readonly routes: ReadonlyMap<string, readonly Route[]>;
  /** Every BFD profile of the config (upstream renders them all, referenced or not). */
  readonly bfdProfiles: readonly BFDProfile[];
  /** The `bgpextras` ConfigMap's text, appended verbatim (upstream internal/bgp/frr/config.go ExtraConfig). */
  readonly extras?: string;
}

type Family = 4 | 6;

/** FRR's log levels (`log stdout <level>`), as FRR_LOGGING_LEVEL may name them. */
export const FRR_LEVEL_NAMES = [
  'emergencies',
  'alerts',
  'critical',
  'errors',
  'warnings',
  'notifications',
  'informational',
  'debugging',
] as const;
export type FrrLogLevel = (typeof FRR_LEVEL_NAMES)[number];

/** upstream's levelFor (internal/bgp/frr/frr.go): the speaker's level in FRR's syslog names. */
const FRR_LOG_LEVELS: Record<LogLevel, string> = {
  all: 'debugging',
  debug: 'debugging',
  info: 'informational',
  warn: 'warnings',
  error: 'error',
  none: 'emergencies',
};

const DEBUG_LINES = [
  'debug zebra events',
  'debug zebra nht',
  'debug zebra kernel',
  'debug zebra rib',
  'debug zebra nexthop',
  'debug bgp neighbor-events',
  'debug bgp updates',
  'debug bgp keepalives',
  'debug bgp nht',
  'debug bgp zebra',
  'debug bfd network',
  'debug bfd peer',
  'debug bfd zebra',
];

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `ip` or `ipv6`, as FRR's prefix-list and match commands spell the family. */
const familyWord = (f: Family): string => (f === 4 ? 'ip' : 'ipv6');

export function formatCommunity(value: number): string {
  return `${Math.floor(value / 0x10000)}:${value % 0x10000}`;
}

/** The neighbor as FRR names it: its address, or the interface for unnumbered peering. */
function neighborName(peer: Peer): string {
  return peer.address !== undefined ? formatIP(peer.address) : (peer.interface ?? '');
}

/** upstream's neighbor ID, the stem of its route-map and prefix-list names: name, plus `-<vrf>` in a VRF. */
export function neighborId(peer: Peer): string {
  return peer.vrf === '' ? neighborName(peer) : `${neighborName(peer)}-${peer.vrf}`;
}

/** The families activated on the neighbor: its address's, or both (interface peering, dualStackAddressFamily). */
function neighborFamilies(peer: Peer): Family[] {
  if (peer.address === undefined || peer.dualStackAddressFamily) return [4, 6];
  return [peer.address.family];
}

/** `remote-as` argument: the number, or FRR's `internal` / `external` for dynamicASN. */
function remoteAs(peer: Peer): string {
  return peer.dynamicASN ?? String(peer.peerASN);
}

function isExternal(peer: Peer): boolean {
  if (peer.dynamicASN !== undefined) return peer.dynamicASN === 'external';
  return peer.peerASN !== peer.myASN;
}

/**
 * upstream's mustDisableConnectedCheck: an IPv6 eBGP neighbor on the link would otherwise be refused by bgpd
 * when its address is not on a connected subnet (link-local next hops); multihop peers need no such help.
 */
function needsDisableConnectedCheck(peer: Peer): boolean {
  if (peer.ebgpMultiHop) return false;
  if (peer.interface !== undefined && peer.interface !== '') return true;
  return peer.address?.family === 6 && isExternal(peer);
}

/** One numbered-line sequence per name, as upstream's template `counter` (prefix-list seq, route-map order). */
class Counters {
  private readonly next = new Map<string, number>();
  take(name: string): number {
    const n = this.next.get(name) ?? 1;
    this.next.set(name, n + 1);
    return n;
  }
}

interface PrefixList {
  readonly name: string;
  readonly family: Family;
  readonly set: string;
  readonly prefixes: string[];
}

/** The `<id>-out` policy of one neighbor: prefix lists keyed by what they set, then the allowed lists. */
function neighborFilters(peer: Peer, routes: readonly Route[], counters: Counters): string[] {
  const id = neighborId(peer);
  const lists = new Map<string, PrefixList>();
  const add = (name: string, family: Family, set: string, prefix: string) => {
    let list = lists.get(name);
    if (list === undefined) {
      list = { name, family, set, prefixes: [] };
      lists.set(name, list);
    }
    list.prefixes.push(prefix);
  };
  const allowed: Record<Family, string[]> = { 4: [], 6: [] };
  for (const route of routes) {
    const f = route.prefix.family;
    const fam = familyWord(f);
    const prefix = formatPrefix(route.prefix);
    allowed[f].push(prefix);
    if (route.localPref !== undefined)
      add(
        `${id}-${route.localPref}-${fam}-localpref-prefixes`,
        f,
        `set local-preference ${route.localPref}`,
        prefix,
      );
    for (const c of route.communities ?? []) {
      const text = formatCommunity(c);
      add(`${id}-${text}-${fam}-community-prefixes`, f, `set community ${text} additive`, prefix);
    }
    for (const c of route.largeCommunities ?? []) {
      const text = `${c.global}:${c.local1}:${c.local2}`;
      add(`${id}-large:${text}-${fam}-community-prefixes`, f, `set large-community ${text} additive`, prefix);
    }
  }
  // Local-pref lists first, then community lists, each in name order (upstream sorts them the same way).
  const ordered = [...lists.values()].sort(
    (a, b) =>
      Number(b.name.endsWith('-localpref-prefixes')) - Number(a.name.endsWith('-localpref-prefixes')) ||
      byText(a.name, b.name),
  );
  const out = [`route-map ${id}-in deny 20`];
  for (const list of ordered) {
    for (const p of [...list.prefixes].sort(byText))
      out.push(
        `${familyWord(list.family)} prefix-list ${list.name} seq ${counters.take(list.name)} permit ${p}`,
      );
    out.push(
      `route-map ${id}-out permit ${counters.take(id)}`,
      `  match ${familyWord(list.family)} address prefix-list ${list.name}`,
      `  ${list.set}`,
      '  on-match next',
    );
  }
  for (const f of [4, 6] as const) {
    const name = `${id}-allowed-${f === 4 ? 'ipv4' : 'ipv6'}`;
    const prefixes = [...allowed[f]].sort(byText);
    if (prefixes.length === 0)
      out.push(`${familyWord(f)} prefix-list ${name} seq ${counters.take(name)} deny any`);
    for (const p of prefixes)
      out.push(`${familyWord(f)} prefix-list ${name} seq ${counters.take(name)} permit ${p}`);
  }
  for (const f of [4, 6] as const)
    out.push(
      `route-map ${id}-out permit ${counters.take(id)}`,
      `  match ${familyWord(f)} address prefix-list ${id}-allowed-${f === 4 ? 'ipv4' : 'ipv6'}`,
    );
  return out;
}

function neighborSession(peer: Peer): string[] {
  const n = neighborName(peer);
  const out =
    peer.address !== undefined
      ? [`  neighbor ${n} remote-as ${remoteAs(peer)}`]
      : [`  neighbor ${n} interface remote-as ${remoteAs(peer)}`];
  if (peer.ebgpMultiHop) out.push(`  neighbor ${n} ebgp-multihop`);
  if (peer.localASN !== 0) out.push(`  neighbor ${n} local-as ${peer.localASN} no-prepend replace-as`);
  out.push(`  neighbor ${n} port ${peer.port}`);
  // Only both together: FRR's `timers` takes the pair (upstream config.go; `timers 0 0` disables keepalives).
  if (peer.holdTime !== undefined && peer.keepaliveTime !== undefined)
    out.push(`  neighbor ${n} timers ${peer.keepaliveTime} ${peer.holdTime}`);
  if (peer.connectTime !== undefined) out.push(`  neighbor ${n} timers connect ${peer.connectTime}`);
  if (peer.password !== '') out.push(`  neighbor ${n} password ${peer.password}`);
  if (peer.sourceAddress !== undefined)
    out.push(`  neighbor ${n} update-source ${formatIP(peer.sourceAddress)}`);
  if (peer.enableGracefulRestart) out.push(`  neighbor ${n} graceful-restart`);
  if (peer.bfdProfile !== undefined)
    out.push(`  neighbor ${n} bfd`, `  neighbor ${n} bfd profile ${peer.bfdProfile.name}`);
  if (needsDisableConnectedCheck(peer)) out.push(`  neighbor ${n} disable-connected-check`);
  return out;
}

function neighborFamiliesBlock(peer: Peer): string[] {
  const n = neighborName(peer);
  const id = neighborId(peer);
  return neighborFamilies(peer).flatMap((f) => [
    `  address-family ${f === 4 ? 'ipv4' : 'ipv6'} unicast`,
    `    neighbor ${n} activate`,
    `    neighbor ${n} route-map ${id}-in in`,
    `    neighbor ${n} route-map ${id}-out out`,
    '  exit-address-family',
  ]);
}

function bfdProfile(p: BFDProfile): string[] {
  const out = [`  profile ${p.name}`];
  if (p.receiveInterval !== undefined) out.push(`    receive-interval ${p.receiveInterval}`);
  if (p.transmitInterval !== undefined) out.push(`    transmit-interval ${p.transmitInterval}`);
  if (p.detectMultiplier !== undefined) out.push(`    detect-multiplier ${p.detectMultiplier}`);
  if (p.echoMode) out.push('    echo-mode');
  if (p.echoInterval !== undefined)
    out.push(`    echo receive-interval ${p.echoInterval}`, `    echo transmit-interval ${p.echoInterval}`);
  if (p.passiveMode) out.push('    passive-mode');
  if (p.minimumTtl !== undefined) out.push(`    minimum-ttl ${p.minimumTtl}`);
  return out;
}

interface Router {
  readonly myASN: number;
  readonly vrf: string;
  readonly routerID: string | undefined;
  readonly peers: Peer[];
}

/** One router per (myASN, VRF), in that order; config/modes.ts validateFRR keeps the router IDs equal. */
function routersOf(peers: readonly Peer[]): Router[] {
  const routers = new Map<string, Router>();
  for (const peer of peers) {
    const key = `${peer.vrf}\0${peer.myASN}`;
    let r = routers.get(key);
    if (r === undefined) {
      r = {
        myASN: peer.myASN,
        vrf: peer.vrf,
        routerID: peer.routerID !== undefined ? formatIP(peer.routerID) : undefined,
        peers: [],
      };
      routers.set(key, r);
    }
    r.peers.push(peer);
  }
  for (const r of routers.values()) r.peers.sort((a, b) => byText(neighborId(a), neighborId(b)));
  return [...routers.values()].sort((a, b) => byText(a.vrf, b.vrf) || a.myASN - b.myASN);
}

export function renderFrrConfig(input: FrrNodeConfig): string {
  const level = input.frrLogLevel ?? FRR_LOG_LEVELS[input.logLevel];
  const lines = [`log stdout ${level}`, 'log timestamp precision 3'];
  if (level === 'debugging') lines.push(...DEBUG_LINES);
  lines.push(`hostname ${input.hostname}`, 'ip nht resolve-via-default', 'ipv6 nht resolve-via-default');
  const routers = routersOf(input.peers);
  const counters = new Counters();
  for (const r of routers)
    for (const peer of r.peers) {
      lines.push('', ...neighborFilters(peer, input.routes.get(peer.name) ?? [], counters));
    }
  for (const r of routers) {
    lines.push(
      '',
      `router bgp ${r.myASN}${r.vrf !== '' ? ` vrf ${r.vrf}` : ''}`,
      '  no bgp ebgp-requires-policy',
      '  no bgp network import-check',
      '  no bgp default ipv4-unicast',
      '  bgp graceful-restart preserve-fw-state',
    );
    if (r.routerID !== undefined) lines.push(`  bgp router-id ${r.routerID}`);
    for (const peer of r.peers) lines.push(...neighborSession(peer));
    for (const peer of r.peers) lines.push(...neighborFamiliesBlock(peer));
    // `network` for every prefix any neighbor of this router advertises; each neighbor's out route-map lets
    // through only its own (bgp/advertise/routes.ts decides which).
    const networks: Record<Family, Set<string>> = { 4: new Set(), 6: new Set() };
    for (const peer of r.peers)
      for (const route of input.routes.get(peer.name) ?? [])
        networks[route.prefix.family].add(formatPrefix(route.prefix));
    for (const f of [4, 6] as const) {
      if (networks[f].size === 0) continue;
      lines.push(`  address-family ${f === 4 ? 'ipv4' : 'ipv6'} unicast`);
      for (const p of [...networks[f]].sort(byText)) lines.push(`    network ${p}`);
      lines.push('  exit-address-family');
    }
  }
  const profiles = [...input.bfdProfiles].sort((a, b) => byText(a.name, b.name));
  if (profiles.length > 0) lines.push('', 'bfd', ...profiles.flatMap(bfdProfile));
  if (input.extras !== undefined && input.extras.trim() !== '') lines.push('', input.extras.trimEnd());
  return `${lines.join('\n')}\n`;
}
