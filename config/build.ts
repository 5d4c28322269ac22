// buildConfig: from the metallb.io resources (plus the Secrets, Namespaces and Nodes they refer to) to the
// validated Config, or to every error found. Pure: no I/O, never throws on any input.
//
// Order of work: schemas → BFD profiles → peers → community aliases → pools → advertisements → cross-object
// rules → mode restrictions. Each stage reports into one sink and carries on with what it could parse, so a
// single pass reports errors of every object, not just the first.
import { ErrorSink, compareText } from './errors';
import { buildBGPAdvertisements, buildL2Advertisements, BGPSource, L2Source } from './advertisements';
import { buildCommunityAliases } from './community';
import { isMigrated, splitAddressPool } from './legacy';
import { BGPType, validateFRR, validateNative } from './modes';
import { buildBFDProfiles, buildPeers } from './peers';
import { buildPools, PoolDraft, PoolSource } from './pools';
import { ClusterResources, parseResources } from './resources';
import { BGPAdvertisement, BuildResult, Config, ConfigError, L2Advertisement, Pool } from './types';

export interface BuildOptions {
  /**
   * Which BGP implementation will run the sessions. 'native' adds the native-only restrictions, 'frr' and the
   * frr-k8s modes the FRR ones (upstream internal/config/validate.go DiscardFRROnly / DiscardNativeOnly). Undefined: parser rules only, as upstream's
   * DontValidate (what a mode-agnostic tool such as a linter wants).
   */
  readonly bgpType?: BGPType;
}

export function buildConfig(resources: ClusterResources, options: BuildOptions = {}): BuildResult {
  const sink = new ErrorSink();
  let config: Config | undefined;
  try {
    config = build(resources, options, sink);
  } catch (err) {
    // A bug, never bad input: still an error result rather than a crash of the reconciler.
    sink.errors.push({
      kind: 'IPAddressPool',
      namespace: '',
      name: '',
      field: '',
      reason: `internal error building the configuration: ${String(err)}`,
      message: `internal error building the configuration: ${String(err)}`,
      transient: false,
    });
  }
  if (sink.errors.length > 0 || !config) return { ok: false, errors: dedupe(sink.errors) };
  return { ok: true, config };
}

function build(resources: ClusterResources, options: BuildOptions, sink: ErrorSink): Config {
  const parsed = parseResources(resources, sink);

  const bfdProfiles = buildBFDProfiles(parsed.bfdProfiles, sink);
  const peers = buildPeers(
    parsed.bgpPeers,
    {
      profiles: bfdProfiles,
      rejectedProfiles: parsed.rejected.get('BFDProfile') ?? new Set(),
      secrets: parsed.secrets,
    },
    sink,
  );
  const aliases = buildCommunityAliases(
    parsed.communities.map(({ id, object }) => ({ id, aliases: object.spec.communities ?? [] })),
    sink,
  );

  const legacy = parsed.addressPools.filter((p) => !isMigrated(p)).map(splitAddressPool);
  const poolSources: PoolSource[] = [
    ...parsed.ipAddressPools.map(({ id, object }) => ({
      id,
      addresses: object.spec.addresses,
      autoAssign: object.spec.autoAssign ?? true,
      avoidBuggyIPs: object.spec.avoidBuggyIPs ?? false,
      labels: object.metadata.labels ?? {},
      ...(object.spec.serviceAllocation ? { serviceAllocation: object.spec.serviceAllocation } : {}),
    })),
    ...legacy.map((l) => l.pool),
  ];
  const drafts = buildPools(poolSources, parsed.namespaces, sink);

  const l2Sources: L2Source[] = [
    ...parsed.l2Advertisements.map(({ id, object }) => ({ id, ...object.spec })),
    ...legacy.flatMap((l) => (l.l2 ? [l.l2] : [])),
  ];
  const bgpSources: BGPSource[] = [
    ...parsed.bgpAdvertisements.map(({ id, object }) => ({ id, ...object.spec })),
    ...legacy.flatMap((l) => (l.bgp ? [l.bgp] : [])),
  ];
  const l2 = buildL2Advertisements(l2Sources, drafts, parsed.nodes, sink);
  const bgp = buildBGPAdvertisements(bgpSources, drafts, parsed.nodes, aliases, sink);

  const pools = new Map<string, Pool>();
  for (const name of [...drafts.keys()].sort()) {
    const draft = drafts.get(name);
    if (draft) pools.set(name, finishPool(draft, l2.byPool.get(name) ?? [], bgp.byPool.get(name) ?? []));
  }
  const config: Config = {
    pools,
    peers: new Map([...peers.entries()].sort(([a], [b]) => compareText(a, b))),
    bfdProfiles: new Map([...bfdProfiles.entries()].sort(([a], [b]) => compareText(a, b))),
    l2Advertisements: [...l2.all].sort((a, b) => compareText(a.name, b.name)),
    bgpAdvertisements: [...bgp.all].sort((a, b) => compareText(a.name, b.name)),
  };

  reportBFDEchoOnIPv6(config, sink);
  if (options.bgpType === 'native') validateNative(parsed, sink);
  else if (options.bgpType !== undefined) validateFRR(parsed, config, sink);
  return config;
}

function finishPool(
  draft: PoolDraft,
  l2: readonly L2Advertisement[],
  bgp: readonly BGPAdvertisement[],
): Pool {
  const cidrsPerAddress = new Map(draft.entries.map((e) => [e.text, e.cidrs] as const));
  return {
    name: draft.name,
    cidrs: draft.cidrs,
    cidrsV4: draft.cidrs.filter((c) => c.family === 4),
    cidrsV6: draft.cidrs.filter((c) => c.family === 6),
    cidrsPerAddress,
    autoAssign: draft.autoAssign,
    avoidBuggyIPs: draft.avoidBuggyIPs,
    labels: draft.labels,
    ...(draft.serviceAllocation ? { serviceAllocation: draft.serviceAllocation } : {}),
    l2Advertisements: l2,
    bgpAdvertisements: bgp,
  };
}

/** BFD echo mode is not possible on a session that carries IPv6 routes (FRR refuses it; upstream validateConfig). */
function reportBFDEchoOnIPv6(config: Config, sink: ErrorSink): void {
  for (const pool of config.pools.values()) {
    if (pool.cidrsV6.length === 0) continue;
    for (const ad of pool.bgpAdvertisements) {
      const targets =
        ad.peers.length === 0
          ? [...config.peers.values()]
          : ad.peers.flatMap((n) => config.peers.get(n) ?? []);
      for (const peer of targets) {
        if (!peer.bfdProfile?.echoMode) continue;
        sink.for({ kind: 'BGPPeer', namespace: peer.namespace, name: peer.name })(
          'spec.bfdProfile',
          `BFD profile has echo mode enabled, which is not possible: IPv6 pool ${JSON.stringify(pool.name)} is advertised to this peer by BGPAdvertisement ${JSON.stringify(ad.name)}`,
          { value: peer.bfdProfile.name },
        );
      }
    }
  }
}

function dedupe(errors: readonly ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (seen.has(e.message)) return false;
    seen.add(e.message);
    return true;
  });
}
