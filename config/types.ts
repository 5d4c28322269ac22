// The validated configuration that buildConfig derives from the metallb.io resources. Everything here is
// plain, immutable data: the controller, the speaker and the status writers read it and never parse raw
// objects again. Shapes follow MetalLB's internal/config types, with references already resolved (secrets to
// passwords, BFD profile names to profiles, community aliases to values, selectors to pool and node names).
import { Cidr } from '../addr/cidr';
import { IPAddress } from '../addr/ip';

/** One requirement of a label selector; matchLabels entries become `In` with one value. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Sorted and deduplicated; empty for Exists and DoesNotExist. */
  readonly values: readonly string[];
}

/**
 * A parsed metav1.LabelSelector: the AND of its requirements, sorted by key. No requirements matches
 * everything (an empty selector in the API). Use `selectorMatches` from config/selector.ts.
 */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

export interface ServiceAllocation {
  /** 0 means no priority: the pool sorts after every pool with a positive priority. */
  readonly priority: number;
  /**
   * undefined: any namespace. A set (possibly empty): only these namespaces, i.e. the union of
   * spec.serviceAllocation.namespaces and the namespaces whose labels matched a namespaceSelector when the
   * config was built.
   */
  readonly namespaces?: ReadonlySet<string>;
  /** As written, so a consumer can re-resolve them when Namespace labels change. */
  readonly namespaceSelectors: readonly LabelSelector[];
  /**
   * Empty: any Service. Otherwise a Service must match at least one. As upstream does, a serviceAllocation
   * with neither namespaces nor selectors (priority only) gets a single match-everything selector here.
   */
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface Pool {
  readonly name: string;
  /** All CIDRs of the pool, in the order of spec.addresses (ranges summarised in ascending order). */
  readonly cidrs: readonly Cidr[];
  readonly cidrsV4: readonly Cidr[];
  readonly cidrsV6: readonly Cidr[];
  /** The CIDRs each spec.addresses entry produced, keyed by the entry as written. */
  readonly cidrsPerAddress: ReadonlyMap<string, readonly Cidr[]>;
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly labels: Labels;
  /** Absent: the pool serves any Service and takes part in the fallback allocation. */
  readonly serviceAllocation?: ServiceAllocation;
  /** The advertisements that apply to this pool (deduplicated as upstream's containsAdvertisement does). */
  readonly l2Advertisements: readonly L2Advertisement[];
  readonly bgpAdvertisements: readonly BGPAdvertisement[];
}

export interface L2Advertisement {
  /** metadata.name of the L2Advertisement (or of the legacy AddressPool that implied it). */
  readonly name: string;
  /** Names of the pools this advertisement applies to, after resolving names and selectors. */
  readonly ipAddressPools: readonly string[];
  readonly nodeSelectors: readonly LabelSelector[];
  /** Names of the known Nodes the advertisement allows, resolved from nodeSelectors at build time. */
  readonly nodes: ReadonlySet<string>;
  /** Empty together with allInterfaces = true: announce from every interface. */
  readonly interfaces: readonly string[];
  readonly allInterfaces: boolean;
  readonly serviceSelectors: readonly LabelSelector[];
  /** Summed preference weight per eligible node; nodes absent score 0. */
  readonly preferredNodes: ReadonlyMap<string, number>;
}

export type Community =
  /** RFC 1997: two 16-bit halves packed into one 32-bit value. */
  | { readonly kind: 'standard'; readonly value: number; readonly text: string }
  /** RFC 8092: three 32-bit values. */
  | {
      readonly kind: 'large';
      readonly globalAdministrator: number;
      readonly localData1: number;
      readonly localData2: number;
      readonly text: string;
    };

export interface BGPAdvertisement {
  readonly name: string;
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  /** 0 means unset. */
  readonly localPref: number;
  /** Aliases resolved, deduplicated, sorted by text. */
  readonly communities: readonly Community[];
  /** Names of the pools this advertisement applies to, after resolving names and selectors. */
  readonly ipAddressPools: readonly string[];
  /** BGPPeer names; empty means every peer. */
  readonly peers: readonly string[];
  readonly nodeSelectors: readonly LabelSelector[];
  /** Names of the known Nodes the advertisement allows, resolved from nodeSelectors at build time. */
  readonly nodes: ReadonlySet<string>;
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface BFDProfile {
  readonly name: string;
  /** Milliseconds; undefined leaves the daemon default (300). */
  readonly receiveInterval?: number;
  /** Milliseconds; undefined leaves the daemon default (300). */
  readonly transmitInterval?: number;
  readonly detectMultiplier?: number;
  /** Milliseconds; undefined leaves the daemon default (50). */
  readonly echoInterval?: number;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
  readonly minimumTtl?: number;
}

export interface Peer {
  /** metadata.name of the BGPPeer. */
  readonly name: string;
  readonly namespace: string;
  readonly myASN: number;
  /** 0 when dynamicASN is set. */
  readonly peerASN: number;
  readonly dynamicASN?: 'internal' | 'external';
  /** 0 means unset. */
  readonly localASN: number;
  /** Exactly one of address and interface is set. */
  readonly address?: IPAddress;
  readonly interface?: string;
  readonly sourceAddress?: IPAddress;
  readonly port: number;
  /** Seconds, rounded down as upstream does; undefined: neither timer was set (native uses 90 s). */
  readonly holdTime?: number;
  /** Seconds; derived as holdTime / 3 when only holdTime was set. */
  readonly keepaliveTime?: number;
  /** Seconds. */
  readonly connectTime?: number;
  readonly routerID?: IPAddress;
  /** Empty means every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** The TCP MD5 password: spec.password, or the `password` key of passwordSecret. '' for none. */
  readonly password: string;
  readonly passwordSecret?: { readonly namespace: string; readonly name: string };
  /** The resolved profile, when spec.bfdProfile names one. */
  readonly bfdProfile?: BFDProfile;
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  /** '' for the default VRF. */
  readonly vrf: string;
  readonly disableMP: boolean;
  readonly dualStackAddressFamily: boolean;
}

export interface Config {
  /** By name, in name order. */
  readonly pools: ReadonlyMap<string, Pool>;
  readonly peers: ReadonlyMap<string, Peer>;
  readonly bfdProfiles: ReadonlyMap<string, BFDProfile>;
  /** Every advertisement, in name order (also reachable per pool). */
  readonly l2Advertisements: readonly L2Advertisement[];
  readonly bgpAdvertisements: readonly BGPAdvertisement[];
}

export type ConfigKind =
  | 'IPAddressPool'
  | 'AddressPool'
  | 'L2Advertisement'
  | 'BGPAdvertisement'
  | 'BGPPeer'
  | 'Community'
  | 'BFDProfile'
  | 'Secret';

/**
 * Why one object was rejected. `message` is what a person reads (ConfigurationState, events, webhook
 * denials): `IPAddressPool metallb-system/web: spec.addresses[1] "192.0.2.10-192.0.2.5": range start is
 * after its end`. `transient` marks errors that may resolve by themselves when another object appears
 * (a missing Secret, BFD profile or community alias): upstream's TransientError.
 */
export interface ConfigError {
  readonly kind: ConfigKind;
  readonly namespace: string;
  readonly name: string;
  /** A JSON path into the object, e.g. `spec.addresses[1]`; '' when the object as a whole is at fault. */
  readonly field: string;
  readonly reason: string;
  readonly message: string;
  readonly transient: boolean;
}

/**
 * The result of buildConfig. Either a whole config or every error found: a config is never returned with
 * some objects silently dropped, since MetalLB refuses a config that has any error.
 */
export type BuildResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };
