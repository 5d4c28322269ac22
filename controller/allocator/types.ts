import { Cidr } from '../../addr/cidr';
import { Family, IPAddress } from '../../addr/ip';

/** A pool as the allocator sees it: already parsed and validated by the config model. */
export interface AllocatorPool {
  readonly name: string;
  /** In the order of spec.addresses; the lowest free address of the first CIDR with room wins. */
  readonly cidrs: readonly Cidr[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  /** Absent: the pool serves any Service and takes part in the fallback. */
  readonly serviceAllocation?: {
    /** 0 means no priority: after every positive priority. */
    readonly priority: number;
    /** undefined: any namespace. A set (possibly empty): only these namespaces. */
    readonly namespaces?: ReadonlySet<string>;
    /** Empty: any Service. Otherwise a Service must match at least one. */
    readonly serviceSelectors: readonly ((labels: Readonly<Record<string, string>>) => boolean)[];
  };
}

export interface ServicePort {
  readonly protocol: string;
  readonly port: number;
}

/** What of a Service the allocator needs: its identity and what decides whether it can share an address. */
export interface ServiceClaim {
  /** namespace/name */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** metallb.io/allow-shared-ip; '' means the Service does not share. */
  readonly sharingKey: string;
  /** The selector string under externalTrafficPolicy Local, '' under Cluster: only equal keys share. */
  readonly backendKey: string;
  readonly ports: readonly ServicePort[];
}

export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

/** The families a Service asks for, derived from its clusterIPs; the first is the primary family. */
export interface FamilyRequest {
  readonly families: readonly Family[];
  readonly policy: IPFamilyPolicy;
}

export interface Allocation {
  readonly pool: string;
  readonly ips: readonly IPAddress[];
  readonly sharingKey: string;
  readonly backendKey: string;
  readonly ports: readonly ServicePort[];
}

/** Why a Service did not get an address; the message is what the AllocationFailed event says. */
export class AllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

export type AllocationResult =
  { ok: true; pool: string; ips: IPAddress[] } | { ok: false; error: AllocationError };
