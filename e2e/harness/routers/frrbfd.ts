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
    // bfdd applies minimum-ttl to multihop sessions only (RFC 5883 5); single hop always wants 255.
    if (n.bfd.minimumTtl !== undefined && n.multihop === true)
      lines.push(`  minimum-ttl ${n.bfd.minimumTtl}`);
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
