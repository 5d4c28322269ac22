// Builders for raw resources, for the configurations buildConfig must return, and assertions over its
// result, shared by the table tests.
import { parseCidr, Cidr, formatCidr } from '../addr/cidr';
import { IPAddress, parseIP } from '../addr/ip';
import { buildConfig, BuildOptions } from '../config/build';
import { ClusterResources } from '../config/resources';
import {
  BFDProfile,
  BGPAdvertisement,
  Community,
  Config,
  ConfigError,
  ConfigKind,
  L2Advertisement,
  LabelRequirement,
  LabelSelector,
  Labels,
  Peer,
  Pool,
  ServiceAllocation,
} from '../config/types';

export const NS = 'metallb-system';

type Spec = Record<string, unknown>;
type Meta = { labels?: Record<string, string>; namespace?: string; apiVersion?: string };

function object(name: string, spec: Spec, meta: Meta = {}): Record<string, unknown> {
  return {
    ...(meta.apiVersion ? { apiVersion: meta.apiVersion } : {}),
    metadata: { name, namespace: meta.namespace ?? NS, ...(meta.labels ? { labels: meta.labels } : {}) },
    spec,
  };
}

export const pool = (name: string, addresses: string[], spec: Spec = {}, meta?: Meta) =>
  object(name, { addresses, ...spec }, meta);
export const l2 = (name: string, spec: Spec = {}) => object(name, spec);
export const bgpAd = (name: string, spec: Spec = {}) => object(name, spec);
export const peer = (name: string, spec: Spec, meta?: Meta) => object(name, spec, meta);
export const community = (name: string, aliases: { name: string; value: string }[]) =>
  object(name, { communities: aliases });
export const bfd = (name: string, spec: Spec = {}) => object(name, spec);
export const node = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels } });
export const namespace = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels },
});
export const secret = (name: string, type: string, data: Record<string, string> = {}) => ({
  metadata: { name, namespace: NS },
  type,
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

export interface ExpectedError {
  kind: ConfigKind;
  name: string;
  field: string;
  /** Exact reason, or a pattern it must match. */
  reason: string | RegExp;
  transient?: boolean;
}

export function buildOk(resources: ClusterResources, options?: BuildOptions): Config {
  const result = buildConfig(resources, options);
  if (!result.ok)
    throw new Error(`expected a config, got errors:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.config;
}

export function buildErrors(resources: ClusterResources, options?: BuildOptions): readonly ConfigError[] {
  const result = buildConfig(resources, options);
  if (result.ok) throw new Error('expected errors, got a config');
  return result.errors;
}

/** The errors must be exactly these, in any order: nothing missing, nothing extra. */
export function expectErrors(
  resources: ClusterResources,
  expected: ExpectedError[],
  options?: BuildOptions,
): void {
  const errors = buildErrors(resources, options);
  const unmatched = [...errors];
  for (const want of expected) {
    const i = unmatched.findIndex(
      (e) =>
        e.kind === want.kind &&
        e.name === want.name &&
        e.field === want.field &&
        (typeof want.reason === 'string' ? e.reason === want.reason : want.reason.test(e.reason)) &&
        (want.transient === undefined || e.transient === want.transient),
    );
    if (i < 0) {
      throw new Error(
        `missing error ${JSON.stringify({ ...want, reason: String(want.reason) })}\ngot:\n${errors.map((e) => `${e.message} (field ${e.field})`).join('\n')}`,
      );
    }
    unmatched.splice(i, 1);
  }
  if (unmatched.length > 0)
    throw new Error(`unexpected errors:\n${unmatched.map((e) => e.message).join('\n')}`);
}

export function cidrs(...texts: string[]): Cidr[] {
  return texts.map((t) => {
    const c = parseCidr(t);
    if (!c) throw new Error(`bad test CIDR ${t}`);
    return c;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Expected configurations. A valid-configuration case states the whole Config buildConfig must return, as
// upstream's TestParse does with cmp.Diff; these builders fill in the defaults MetalLB applies so a case only
// writes what differs from them.
//
// Label selectors need no special comparison: config/types.ts keeps them as data (the parsed, canonical
// requirements), not as predicates, so the expected value is that canonical form, written out with the
// requirement builders below. That pins more than comparing source selectors would (the matchLabels → In
// rewrite, sorting, value deduplication) and, unlike evaluating on sample label sets, cannot miss a
// requirement the samples happen not to exercise. expectConfig refuses a config that holds a function, so a
// predicate added to the types later cannot slip through a comparison by reference.

/** A requirement `key=value` (matchLabels, or In with one value). */
export const labelIs = (key: string, value: string): LabelRequirement => ({
  key,
  operator: 'In',
  values: [value],
});
/** `key in (values)`; values as the config holds them: sorted and deduplicated. */
export const labelIn = (key: string, ...values: string[]): LabelRequirement => ({
  key,
  operator: 'In',
  values,
});
export const labelNotIn = (key: string, ...values: string[]): LabelRequirement => ({
  key,
  operator: 'NotIn',
  values,
});
export const labelExists = (key: string): LabelRequirement => ({ key, operator: 'Exists', values: [] });
export const labelDoesNotExist = (key: string): LabelRequirement => ({
  key,
  operator: 'DoesNotExist',
  values: [],
});
/** The AND of the requirements, in the order the config holds them (by key). No requirement: everything. */
export const selector = (...requirements: LabelRequirement[]): LabelSelector => ({ requirements });

/** One CIDR in canonical text (host bits zero, RFC 5952 for IPv6), so an expectation never hides a rewrite. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed || formatCidr(parsed) !== text)
    throw new Error(`test CIDR ${JSON.stringify(text)} is not canonical CIDR text`);
  return parsed;
}

export function ip(text: string): IPAddress {
  const parsed = parseIP(text);
  if (!parsed) throw new Error(`bad test IP ${JSON.stringify(text)}`);
  return parsed;
}

/** RFC 1997 AA:NN. */
export const standardCommunity = (high: number, low: number): Community => ({
  kind: 'standard',
  value: high * 65536 + low,
  text: `${high}:${low}`,
});
/** RFC 8092 large:A:B:C. */
export const largeCommunity = (global: number, local1: number, local2: number): Community => ({
  kind: 'large',
  globalAdministrator: global,
  localData1: local1,
  localData2: local2,
  text: `large:${global}:${local1}:${local2}`,
});

export interface ServiceAllocationExpectation {
  priority: number;
  /** The resolved namespace set; omit for "any namespace". */
  namespaces?: string[];
  namespaceSelectors?: LabelSelector[];
  serviceSelectors?: LabelSelector[];
}

export function expectedServiceAllocation(s: ServiceAllocationExpectation): ServiceAllocation {
  return {
    priority: s.priority,
    ...(s.namespaces ? { namespaces: new Set(s.namespaces) } : {}),
    namespaceSelectors: s.namespaceSelectors ?? [],
    serviceSelectors: s.serviceSelectors ?? [],
  };
}

export interface PoolExpectation {
  name: string;
  /**
   * Each spec.addresses entry in order, with the CIDRs it summarises to; an entry that is itself a canonical
   * CIDR may be written alone. cidrs, cidrsV4, cidrsV6 and cidrsPerAddress are all views of this list
   * (types.ts), so it is written once.
   */
  addresses: (string | readonly [entry: string, cidrs: readonly string[]])[];
  autoAssign?: boolean;
  avoidBuggyIPs?: boolean;
  labels?: Labels;
  serviceAllocation?: ServiceAllocation;
  /** Names of the L2Advertisements the pool keeps, in order; resolved against the config's list. */
  l2?: string[];
  /** Names of the BGPAdvertisements that apply to the pool, in order; resolved against the config's list. */
  bgp?: string[];
}

/** A pool with upstream's defaults: autoAssign true, avoidBuggyIPs false, no labels, no allocation, no ads. */
export const expectedPool = (p: PoolExpectation): PoolExpectation => p;

export interface L2Expectation {
  name: string;
  ipAddressPools: string[];
  nodeSelectors?: LabelSelector[];
  /** The known Nodes allowed; with no selector, every Node given to the build. */
  nodes?: string[];
  interfaces?: string[];
  /** Defaults to "no interfaces listed". */
  allInterfaces?: boolean;
  serviceSelectors?: LabelSelector[];
  preferredNodes?: Record<string, number>;
}

export function expectedL2(a: L2Expectation): L2Advertisement {
  const interfaces = a.interfaces ?? [];
  return {
    name: a.name,
    ipAddressPools: a.ipAddressPools,
    nodeSelectors: a.nodeSelectors ?? [],
    nodes: new Set(a.nodes ?? []),
    interfaces,
    allInterfaces: a.allInterfaces ?? interfaces.length === 0,
    serviceSelectors: a.serviceSelectors ?? [],
    preferredNodes: new Map(Object.entries(a.preferredNodes ?? {})),
  };
}

export interface BGPExpectation {
  name: string;
  ipAddressPools: string[];
  aggregationLength?: number;
  aggregationLengthV6?: number;
  localPref?: number;
  communities?: Community[];
  peers?: string[];
  nodeSelectors?: LabelSelector[];
  nodes?: string[];
  serviceSelectors?: LabelSelector[];
}

/** A BGPAdvertisement with upstream's defaults: aggregation /32 and /128, no LOCAL_PREF, no communities. */
export function expectedBGPAd(a: BGPExpectation): BGPAdvertisement {
  return {
    name: a.name,
    aggregationLength: a.aggregationLength ?? 32,
    aggregationLengthV6: a.aggregationLengthV6 ?? 128,
    localPref: a.localPref ?? 0,
    communities: a.communities ?? [],
    ipAddressPools: a.ipAddressPools,
    peers: a.peers ?? [],
    nodeSelectors: a.nodeSelectors ?? [],
    nodes: new Set(a.nodes ?? []),
    serviceSelectors: a.serviceSelectors ?? [],
  };
}

export type BFDExpectation = Pick<BFDProfile, 'name'> & Partial<Omit<BFDProfile, 'name'>>;

/** A BFD profile: echo and passive mode off, intervals left to the daemon. */
export function expectedBFD(b: BFDExpectation): BFDProfile {
  return { echoMode: false, passiveMode: false, ...b };
}

export interface PeerExpectation {
  name: string;
  namespace?: string;
  myASN: number;
  peerASN?: number;
  dynamicASN?: 'internal' | 'external';
  localASN?: number;
  address?: string;
  interface?: string;
  sourceAddress?: string;
  port?: number;
  holdTime?: number;
  keepaliveTime?: number;
  connectTime?: number;
  routerID?: string;
  nodeSelectors?: LabelSelector[];
  password?: string;
  passwordSecret?: { namespace: string; name: string };
  bfdProfile?: BFDProfile;
  enableGracefulRestart?: boolean;
  ebgpMultiHop?: boolean;
  vrf?: string;
  disableMP?: boolean;
  dualStackAddressFamily?: boolean;
}

/** A peer with upstream's defaults: port 179, no timers, every node, no password, default VRF. */
export function expectedPeer(p: PeerExpectation): Peer {
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    name: p.name,
    namespace: p.namespace ?? NS,
    myASN: p.myASN,
    peerASN: p.peerASN ?? 0,
    ...optional('dynamicASN', p.dynamicASN),
    localASN: p.localASN ?? 0,
    ...optional('address', p.address === undefined ? undefined : ip(p.address)),
    ...optional('interface', p.interface),
    ...optional('sourceAddress', p.sourceAddress === undefined ? undefined : ip(p.sourceAddress)),
    port: p.port ?? 179,
    ...optional('holdTime', p.holdTime),
    ...optional('keepaliveTime', p.keepaliveTime),
    ...optional('connectTime', p.connectTime),
    ...optional('routerID', p.routerID === undefined ? undefined : ip(p.routerID)),
    nodeSelectors: p.nodeSelectors ?? [],
    password: p.password ?? '',
    ...optional('passwordSecret', p.passwordSecret),
    ...optional('bfdProfile', p.bfdProfile),
    enableGracefulRestart: p.enableGracefulRestart ?? false,
    ebgpMultiHop: p.ebgpMultiHop ?? false,
    vrf: p.vrf ?? '',
    disableMP: p.disableMP ?? false,
    dualStackAddressFamily: p.dualStackAddressFamily ?? false,
  };
}

export interface ConfigExpectation {
  /** In the order the config must list them (by name). */
  pools?: PoolExpectation[];
  peers?: Peer[];
  bfdProfiles?: BFDProfile[];
  l2Advertisements?: L2Advertisement[];
  bgpAdvertisements?: BGPAdvertisement[];
}

/** The whole expected Config; anything not listed is expected empty. */
export function expectedConfig(c: ConfigExpectation): Config {
  const l2 = c.l2Advertisements ?? [];
  const bgp = c.bgpAdvertisements ?? [];
  const byName = <T extends { name: string }>(list: readonly T[], name: string, what: string): T => {
    const found = list.filter((x) => x.name === name);
    const [only] = found;
    if (found.length !== 1 || !only)
      throw new Error(`expected config: ${what} ${JSON.stringify(name)} must be listed exactly once`);
    return only;
  };
  const pools = (c.pools ?? []).map((p): Pool => {
    const entries = p.addresses.map((a): [string, Cidr[]] =>
      typeof a === 'string' ? [a, [cidr(a)]] : [a[0], a[1].map(cidr)],
    );
    const all = entries.flatMap(([, list]) => list);
    return {
      name: p.name,
      cidrs: all,
      cidrsV4: all.filter((x) => x.family === 4),
      cidrsV6: all.filter((x) => x.family === 6),
      cidrsPerAddress: new Map(entries),
      autoAssign: p.autoAssign ?? true,
      avoidBuggyIPs: p.avoidBuggyIPs ?? false,
      labels: p.labels ?? {},
      ...(p.serviceAllocation ? { serviceAllocation: p.serviceAllocation } : {}),
      l2Advertisements: (p.l2 ?? []).map((n) => byName(l2, n, 'L2Advertisement')),
      bgpAdvertisements: (p.bgp ?? []).map((n) => byName(bgp, n, 'BGPAdvertisement')),
    };
  });
  return {
    pools: new Map(pools.map((p) => [p.name, p])),
    peers: new Map((c.peers ?? []).map((p) => [p.name, p])),
    bfdProfiles: new Map((c.bfdProfiles ?? []).map((b) => [b.name, b])),
    l2Advertisements: l2,
    bgpAdvertisements: bgp,
  };
}

/**
 * The built config is exactly the expected one: a strict deep equality (an absent optional field differs
 * from one set to undefined), plus what deep equality leaves out: the order of the by-name maps (types.ts:
 * "in name order"; Map equality ignores order), that each pool's advertisements are the very objects of the
 * config's lists, and that the config holds no function.
 *
 * Jest's toStrictEqual does not apply its strict checks inside Map and Set values (its iterable equality
 * recurses non-strictly), and every pool sits in a Map, so the comparison is made a second time on a plain
 * form where Maps are key-sorted entry lists and Sets sorted lists.
 */
export function expectConfig(actual: Config, expected: Config): void {
  expect(functionPaths(actual, 'config')).toEqual([]);
  expect(actual).toStrictEqual(expected);
  expect(plain(actual)).toStrictEqual(plain(expected));
  const orders = (c: Config) => ({
    pools: [...c.pools.keys()],
    peers: [...c.peers.keys()],
    bfdProfiles: [...c.bfdProfiles.keys()],
  });
  expect(orders(actual)).toEqual(orders(expected));
  for (const pool of actual.pools.values()) {
    for (const ad of pool.l2Advertisements) expect(actual.l2Advertisements).toContain(ad);
    for (const ad of pool.bgpAdvertisements) expect(actual.bgpAdvertisements).toContain(ad);
  }
}

/** Maps and Sets as order-free plain arrays (their order is checked apart where it matters). */
function plain(value: unknown): unknown {
  const sortKey = (v: unknown) =>
    typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
  const sorted = (list: unknown[]) => [...list].sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
  if (value instanceof Map)
    return { map: sorted([...value.entries()].map(([k, v]) => [plain(k), plain(v)])) };
  if (value instanceof Set) return { set: sorted([...value].map(plain)) };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** buildConfig(resources) succeeds and returns exactly `expected` (see expectConfig). */
export function expectBuild(resources: ClusterResources, expected: Config, options?: BuildOptions): void {
  expectConfig(buildOk(resources, options), expected);
}

function functionPaths(value: unknown, path: string, seen = new Set<unknown>()): string[] {
  if (typeof value === 'function') return [path];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const children: [string, unknown][] =
    value instanceof Map
      ? [...value.entries()].map(([k, v]) => [`${path}.get(${JSON.stringify(k)})`, v])
      : value instanceof Set
        ? [...value].map((v, i) => [`${path}[set ${i}]`, v])
        : Object.entries(value).map(([k, v]) => [`${path}.${k}`, v]);
  return children.flatMap(([p, v]) => functionPaths(v, p, seen));
}
