// What this speaker does with one Service in Layer 2 mode, as a pure function: upstream speaker/main.go
// SetBalancer (type, class, config, ingress and pool checks, in that order) followed by
// speaker/layer2_controller.go ShouldAnnounce (the election, in speaker/election/) and ipAdvertisementFor
// (which interfaces). Inputs are plain data; the caller applies the decision.
import { cidrContains } from '../../addr/cidr';
import { type IPAddress, parseIP } from '../../addr/ip';
import type { Config, Pool } from '../../config/types';
import { shouldAnnounce, type ElectionContext } from '../election/announce';
import type { ElectionAdvertisement, NotAnnouncingReason } from '../election/types';
import type { SpeakerService, SpeakerSlice } from './objects';

/** Upstream's withdraw reasons (speaker/main.go, layer2_controller.go), plus ironlb's `isolated`. */
export type WithdrawReason =
  | ServiceCheckFailure
  /** Membership says this speaker is cut off from the others: someone else may hold its addresses now. */
  | 'isolated'
  | NotAnnouncingReason;

export type Interfaces = 'all' | readonly string[];

export type L2Decision =
  | {
      readonly announce: true;
      readonly ips: readonly string[];
      readonly pool: string;
      readonly interfaces: Interfaces;
    }
  | {
      readonly announce: false;
      readonly reason: WithdrawReason;
      /** The pool the addresses belong to, when the checks got that far. */
      readonly pool?: string;
      /** The elected node, when the election ran and another node won. */
      readonly winner?: string;
    };

export interface DecideInputs {
  readonly service: SpeakerService | undefined;
  readonly slices: readonly SpeakerSlice[];
  readonly lbClass: string;
  readonly config: Config | undefined;
  readonly election: ElectionContext;
  readonly isolated: boolean;
}

/** The pool holding every one of the addresses (upstream poolFor), first by name. */
export function poolFor(pools: ReadonlyMap<string, Pool>, addresses: readonly IPAddress[]): Pool | undefined {
  for (const pool of pools.values()) {
    if (addresses.every((ip) => pool.cidrs.some((c) => cidrContains(c, ip)))) return pool;
  }
  return undefined;
}

/**
 * Interfaces to answer on from the advertisements that matched the Service and include this node (upstream
 * ipAdvertisementFor): all of them if any advertisement lists none, else the union of the lists, sorted.
 */
export function interfacesFor(ads: readonly Pick<ElectionAdvertisement, 'name'>[], pool: Pool): Interfaces {
  const names = new Set(ads.map((a) => a.name));
  const full = pool.l2Advertisements.filter((a) => names.has(a.name));
  if (full.length === 0 || full.some((a) => a.allInterfaces || a.interfaces.length === 0)) return 'all';
  return [...new Set(full.flatMap((a) => a.interfaces))].sort();
}

/** Why SetBalancer stops before any protocol is asked (upstream speaker/main.go, in this order). */
export type ServiceCheckFailure =
  | 'serviceDeleted'
  | 'notLoadBalancer'
  | 'loadBalancerClass'
  | 'noConfig'
  | 'noIPAllocated'
  | 'invalidIP'
  | 'ipNotAllowed';

export type ServiceCheck =
  | {
      readonly ok: true;
      readonly service: SpeakerService;
      readonly ips: readonly string[];
      /** `ips` parsed, in the same order: each address is read once per decision. */
      readonly addresses: readonly IPAddress[];
      readonly pool: Pool;
    }
  | { readonly ok: false; readonly reason: ServiceCheckFailure };

/**
 * The protocol-independent part of upstream SetBalancer: type, class, config, ingress and pool checks, in that
 * order. Layer 2 and BGP both start from it.
 */
export function checkService(
  service: SpeakerService | undefined,
  lbClass: string,
  config: Config | undefined,
): ServiceCheck {
  if (service === undefined) return { ok: false, reason: 'serviceDeleted' };
  if (service.type !== 'LoadBalancer') return { ok: false, reason: 'notLoadBalancer' };
  const cls = service.loadBalancerClass;
  if (lbClass === '' ? cls !== '' : cls !== lbClass) return { ok: false, reason: 'loadBalancerClass' };
  if (config === undefined) return { ok: false, reason: 'noConfig' };
  const ips = service.ingressIPs;
  if (ips.length === 0) return { ok: false, reason: 'noIPAllocated' };
  const addresses: IPAddress[] = [];
  for (const ip of ips) {
    const address = parseIP(ip);
    if (address === undefined) return { ok: false, reason: 'invalidIP' };
    addresses.push(address);
  }
  const pool = poolFor(config.pools, addresses);
  if (pool === undefined) return { ok: false, reason: 'ipNotAllowed' };
  return { ok: true, service, ips, addresses, pool };
}

export function decideL2(inputs: DecideInputs): L2Decision {
  const checked = checkService(inputs.service, inputs.lbClass, inputs.config);
  if (!checked.ok) return { announce: false, reason: checked.reason };
  const { service, ips, pool } = checked;
  if (inputs.isolated) return { announce: false, reason: 'isolated', pool: pool.name };
  const decision = shouldAnnounce(
    inputs.election,
    {
      labels: service.metadata.labels,
      annotations: service.metadata.annotations,
      externalTrafficPolicy: service.externalTrafficPolicy,
      ingressIPs: ips,
    },
    inputs.slices,
    pool.l2Advertisements,
  );
  if (!decision.announce) {
    return {
      announce: false,
      reason: decision.reason,
      pool: pool.name,
      ...(decision.winner !== undefined ? { winner: decision.winner } : {}),
    };
  }
  return { announce: true, ips, pool: pool.name, interfaces: interfacesFor(decision.advertisements, pool) };
}
