// Session state in FRR mode, read from the sidecar's own view: `show bgp vrf all neighbors json` (bgpd) and
// `show bfd peers json` (bfdd), FRR 8.x layouts (testdata/neighbors-*.json and bfd-peers-*.json are real
// output). Pure: JSON text and the BGPPeers in, one state per BGPPeer out. Upstream reads the same commands
// in frr-tools/metrics/collector/bgp.go and bfd.go for the frr-metrics sidecar.
import { z } from 'zod';
import { formatIP } from '../../addr/ip';
import type { Peer } from '../../config/types';
import { neighborId } from './render';

/** One neighbor as bgpd reports it. */
export interface FrrNeighborState {
  /** `default` for the default VRF, as FRR names it. */
  readonly vrf: string;
  /** The neighbor's address, or its interface for unnumbered peering: the key bgpd uses. */
  readonly neighbor: string;
  /** RFC 4271 section 8.2.2 state in FRR's spelling: Idle, Connect, Active, OpenSent, OpenConfirm, Established. */
  readonly state: string;
}

export interface FrrBfdPeerState {
  readonly vrf: string;
  readonly peer: string;
  /** `up`, `down`, `init` or `shutdown` (RFC 5880 section 4.1 AdminDown). */
  readonly status: string;
}

/** One BGPPeer's session as the sidecar runs it. */
export interface PeerSessionState {
  /** metadata.name of the BGPPeer. */
  readonly peer: string;
  /**
   * `addr:port` as upstream's frr-metrics labels it (frr-tools/metrics/collector/bgp.go, `%s:%d`: no brackets
   * around IPv6, unlike the native label); the neighbor ID (interface, `-vrf`) for unnumbered peering.
   */
  readonly label: string;
  readonly vrf: string;
  /** bgpd's state; `Unknown` while bgpd does not list the neighbor (config not loaded yet). */
  readonly state: string;
  readonly isEstablished: boolean;
  /** Undefined when the peer has no BFD profile. */
  readonly bfdStatus?: string;
}

export class FrrStatusParseError extends Error {
  constructor(command: string, reason: string) {
    super(`cannot read \`${command}\` output: ${reason}`);
    this.name = 'FrrStatusParseError';
  }
}

const DEFAULT_VRF = 'default';
const NEIGHBORS_COMMAND = 'show bgp vrf all neighbors json';
const BFD_COMMAND = 'show bfd peers json';

const neighborSchema = z.looseObject({ bgpState: z.string() });
const bfdPeersSchema = z.array(
  z.looseObject({ peer: z.string(), vrf: z.string().optional(), status: z.string() }),
);

function parseJson(command: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FrrStatusParseError(command, err instanceof Error ? err.message : String(err));
  }
}

/**
 * `show bgp vrf all neighbors json`: `{ <vrf>: { vrfId, vrfName, <neighbor>: {...} } }`. Keys whose value is
 * not a neighbor object (vrfId, vrfName) are skipped.
 */
export function parseBgpNeighbors(text: string): FrrNeighborState[] {
  const root = parseJson(NEIGHBORS_COMMAND, text);
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    throw new FrrStatusParseError(NEIGHBORS_COMMAND, 'not an object of VRFs');
  const out: FrrNeighborState[] = [];
  for (const [vrf, body] of Object.entries(root)) {
    if (typeof body !== 'object' || body === null) continue;
    for (const [neighbor, raw] of Object.entries(body as Record<string, unknown>)) {
      const parsed = neighborSchema.safeParse(raw);
      if (parsed.success) out.push({ vrf, neighbor, state: parsed.data.bgpState });
    }
  }
  return out.sort((a, b) => (`${a.vrf} ${a.neighbor}` < `${b.vrf} ${b.neighbor}` ? -1 : 1));
}

/** `show bfd peers json`: an array of sessions. */
export function parseBfdPeers(text: string): FrrBfdPeerState[] {
  const parsed = bfdPeersSchema.safeParse(parseJson(BFD_COMMAND, text));
  if (!parsed.success) throw new FrrStatusParseError(BFD_COMMAND, parsed.error.message);
  return parsed.data.map((p) => ({ vrf: p.vrf ?? DEFAULT_VRF, peer: p.peer, status: p.status }));
}

/** The neighbor key bgpd uses for a BGPPeer (render.ts writes `neighbor <this>`). */
function neighborKey(peer: Peer): string {
  return peer.address !== undefined ? formatIP(peer.address) : (peer.interface ?? '');
}

/** One state per BGPPeer, in the peers' order; a neighbor bgpd lists but no BGPPeer names is not reported. */
export function peerSessionStates(
  peers: readonly Peer[],
  neighbors: readonly FrrNeighborState[],
  bfdPeers: readonly FrrBfdPeerState[] | undefined,
): PeerSessionState[] {
  const byKey = new Map(neighbors.map((n) => [`${n.vrf}\0${n.neighbor}`, n]));
  const bfdByKey = new Map((bfdPeers ?? []).map((b) => [`${b.vrf}\0${b.peer}`, b]));
  return peers.map((p) => {
    const vrf = p.vrf === '' ? DEFAULT_VRF : p.vrf;
    const key = neighborKey(p);
    const state = byKey.get(`${vrf}\0${key}`)?.state ?? 'Unknown';
    const label = p.address !== undefined ? `${key}:${p.port}` : neighborId(p);
    return {
      peer: p.name,
      label,
      vrf,
      state,
      isEstablished: state === 'Established',
      ...(p.bfdProfile !== undefined
        ? { bfdStatus: bfdByKey.get(`${vrf}\0${key}`)?.status ?? 'unknown' }
        : {}),
    };
  });
}

export const FRR_STATUS_COMMANDS = { neighbors: NEIGHBORS_COMMAND, bfd: BFD_COMMAND } as const;
