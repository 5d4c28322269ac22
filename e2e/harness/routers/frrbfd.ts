// The BFD half of the world's FRR router: bfdd's configuration (one profile per neighbour with `bfd`) and
// `show bfd peers json`. bgpd asks bfdd for the sessions through zebra (`neighbor X bfd profile P` in
// frr.conf); bfdd reads the profiles from its own file, so neither daemon parses the other's commands.
import { addressToken, type BgpNeighbor } from './bgp';

/** The bfdd profile that carries `n`'s timers. */
export function bfdProfileName(n: BgpNeighbor): string {
  return `nbr-${addressToken(n.address)}`;
}

/** Whether the router needs bfdd at all. */
export function hasBfd(neighbors: readonly BgpNeighbor[]): boolean {
  return neighbors.some((n) => n.bfd !== undefined);
}

/** bgpd's `ebgp-multihop` for `n`: with a BFD minimum TTL, the hop count that yields it (see below). */
export function renderMultihop(n: BgpNeighbor): string[] {
  if (n.multihop !== true) return [];
  // A profile's minimum-ttl does not reach sessions that bgpd asks for: bfdd sets their minimum TTL to
  // 256 - the hop count bgpd sends, the neighbour's ebgp-multihop TTL (bfdd/ptm_adapter.c, _ptm_msg_read),
  // so a bare ebgp-multihop (255 hops) accepts TTL 1.
  const min = n.bfd?.minimumTtl;
  return [` neighbor ${n.address} ebgp-multihop${min !== undefined ? ` ${256 - min}` : ''}`];
}

/** bgpd's lines for `n`, inside `router bgp`. */
export function renderNeighborBfd(n: BgpNeighbor): string[] {
  if (n.bfd === undefined) return [];
  return [` neighbor ${n.address} bfd`, ` neighbor ${n.address} bfd profile ${bfdProfileName(n)}`];
}

/** bfdd's configuration: a profile per BFD neighbour. Pure; the neighbours are validated by renderFrrConf. */
export function renderBfddConf(hostname: string, neighbors: readonly BgpNeighbor[]): string {
  const lines = ['frr defaults traditional', `hostname ${hostname}`, 'log stdout informational', '!', 'bfd'];
  for (const n of neighbors) {
    if (n.bfd === undefined) continue;
    lines.push(
      ` profile ${bfdProfileName(n)}`,
      `  receive-interval ${n.bfd.receiveInterval}`,
      `  transmit-interval ${n.bfd.transmitInterval}`,
      `  detect-multiplier ${n.bfd.detectMultiplier}`,
    );
    lines.push(' exit', ' !');
  }
  lines.push('exit', '!', '');
  return lines.join('\n');
}

export interface FrrBfdPeer {
  peer: string;
  local: string | undefined;
  isMultihop: boolean;
  /** `up`, `down`, `init` or `shutdown`. */
  status: string;
  diagnostic: string | undefined;
  remoteDiagnostic: string | undefined;
  receiveInterval: number | undefined;
  transmitInterval: number | undefined;
  remoteReceiveInterval: number | undefined;
  remoteTransmitInterval: number | undefined;
  remoteDetectMultiplier: number | undefined;
  minimumTtl: number | undefined;
}

type Json = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `show bfd peers json` (FRR 8.x: an array of sessions, intervals in milliseconds). */
export function parseFrrBfdPeers(json: string): FrrBfdPeer[] {
  const list: unknown = JSON.parse(json);
  if (!Array.isArray(list)) return [];
  return list
    .filter((raw): raw is Json => typeof raw === 'object' && raw !== null)
    .map((p) => ({
      peer: str(p.peer) ?? '',
      local: str(p.local),
      isMultihop: p.multihop === true,
      status: str(p.status) ?? 'unknown',
      diagnostic: str(p.diagnostic),
      remoteDiagnostic: str(p['remote-diagnostic']),
      receiveInterval: num(p['receive-interval']),
      transmitInterval: num(p['transmit-interval']),
      remoteReceiveInterval: num(p['remote-receive-interval']),
      remoteTransmitInterval: num(p['remote-transmit-interval']),
      remoteDetectMultiplier: num(p['remote-detect-multiplier']),
      minimumTtl: num(p['minimum-ttl']),
    }));
}
