// Turns a set of route changes into as few UPDATE messages as fit 4096 octets (RFC 4271 4.1): announcements
// with identical attributes share one UPDATE (IPv4 in the NLRI field, IPv6 in MP_REACH_NLRI, RFC 4760 3),
// and withdrawals are packed likewise (Withdrawn Routes, or MP_UNREACH_NLRI). MetalLB's native speaker sends
// one UPDATE per prefix; with 10,000 Services that is the difference between milliseconds and seconds.
import type { AsSegment } from './codec/aspath';
import type { LargeCommunity, Origin, PathAttribute, UpdateContext } from './codec/attributes';
import { AS_TRANS, AttrFlag, Afi, HEADER_LENGTH, MAX_MESSAGE_LENGTH, Safi } from './codec/codes';
import { type Prefix, formatPrefix, prefixEncodingLength } from './codec/prefix';
import { type UpdateMessage, attributesEncodingLength } from './codec/update';

/** The attributes of one route, as the speaker means them (4-octet ASes; no wire details). */
export interface RouteAttributes {
  readonly origin?: Origin;
  readonly asPath: readonly AsSegment[];
  /** IPv4 for IPv4 prefixes; for IPv6 prefixes an IPv6 global address (RFC 2545 3). */
  readonly nextHop: string;
  /** IPv6 prefixes only: the link-local next hop a directly connected peer can use (RFC 2545 3). */
  readonly linkLocalNextHop?: string;
  readonly med?: number;
  /** Sent to internal peers only (RFC 4271 5.1.5); the caller leaves it out for external ones. */
  readonly localPref?: number;
  readonly communities?: readonly number[];
  readonly largeCommunities?: readonly LargeCommunity[];
}

export interface Announcement {
  readonly prefix: Prefix;
  readonly attributes: RouteAttributes;
}

export interface RouteChanges {
  readonly announce: readonly Announcement[];
  readonly withdraw: readonly Prefix[];
}

/** MP attributes always use the 2-octet length, so adding prefixes never changes the attribute header. */
const MP_FLAGS = AttrFlag.Optional | AttrFlag.ExtendedLength;
const EMPTY_UPDATE = HEADER_LENGTH + 4;

/**
 * The UPDATEs that carry `changes`: withdrawals first, then announcements grouped by attributes in the order
 * each group first appears. A prefix both announced and withdrawn is announced; a prefix announced twice keeps
 * its last attributes. Attributes too large for a single prefix to fit throw: the caller's limits are wrong.
 */
export function packUpdates(changes: RouteChanges, ctx: UpdateContext): UpdateMessage[] {
  const announced = new Map<string, Announcement>();
  for (const a of changes.announce) {
    const key = formatPrefix(a.prefix);
    announced.delete(key); // re-insert so the last announcement also decides the order
    announced.set(key, a);
  }
  const withdrawn = new Map<string, Prefix>();
  for (const p of changes.withdraw) {
    const key = formatPrefix(p);
    if (!announced.has(key)) withdrawn.set(key, p);
  }
  const out: UpdateMessage[] = [];
  const w4 = [...withdrawn.values()].filter((p) => p.family === 4);
  const w6 = [...withdrawn.values()].filter((p) => p.family === 6);
  for (const chunk of chunks(w4, EMPTY_UPDATE))
    out.push({ type: 'update', withdrawn: chunk, attributes: [], nlri: [] });
  const unreachBase = EMPTY_UPDATE + 4 + 3;
  for (const chunk of chunks(w6, unreachBase)) {
    const attr: PathAttribute = {
      type: 'mp-unreach',
      afi: Afi.IPv6,
      safi: Safi.Unicast,
      withdrawn: chunk,
      flags: MP_FLAGS,
    };
    out.push({ type: 'update', withdrawn: [], attributes: [attr], nlri: [] });
  }

  const groups = new Map<string, { family: 4 | 6; attributes: RouteAttributes; prefixes: Prefix[] }>();
  // Callers share one attributes object between routes of one shape (session.ts): serialised once each.
  const keyOf = new Map<RouteAttributes, string>();
  for (const a of announced.values()) {
    let attributesKey = keyOf.get(a.attributes);
    if (attributesKey === undefined) keyOf.set(a.attributes, (attributesKey = groupKey(a.attributes)));
    const key = `${a.prefix.family} ${attributesKey}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { family: a.prefix.family, attributes: a.attributes, prefixes: [] };
      groups.set(key, group);
    }
    group.prefixes.push(a.prefix);
  }
  for (const g of groups.values()) {
    const attrs = pathAttributes(g.attributes, g.family, ctx, []);
    const base = EMPTY_UPDATE + attributesEncodingLength(attrs, ctx);
    for (const chunk of chunks(g.prefixes, base)) {
      out.push(
        g.family === 4
          ? { type: 'update', withdrawn: [], attributes: attrs, nlri: chunk }
          : {
              type: 'update',
              withdrawn: [],
              attributes: pathAttributes(g.attributes, 6, ctx, chunk),
              nlri: [],
            },
      );
    }
  }
  return out;
}

function chunks(prefixes: readonly Prefix[], base: number): Prefix[][] {
  const out: Prefix[][] = [];
  let current: Prefix[] = [];
  let size = base;
  for (const p of prefixes) {
    const n = prefixEncodingLength(p);
    if (base + n > MAX_MESSAGE_LENGTH)
      throw new RangeError(`attributes of ${base} octets leave no room for a prefix`);
    if (size + n > MAX_MESSAGE_LENGTH) {
      out.push(current);
      current = [];
      size = base;
    }
    current.push(p);
    size += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function groupKey(a: RouteAttributes): string {
  return JSON.stringify([
    a.origin ?? 'igp',
    a.asPath,
    a.nextHop,
    a.linkLocalNextHop ?? null,
    a.med ?? null,
    a.localPref ?? null,
    a.communities ?? [],
    a.largeCommunities ?? [],
  ]);
}

/** The path attributes of a group, in ascending type code as RFC 4271 5 recommends. */
function pathAttributes(
  a: RouteAttributes,
  family: 4 | 6,
  ctx: UpdateContext,
  nlri: readonly Prefix[],
): PathAttribute[] {
  const out: PathAttribute[] = [{ type: 'origin', origin: a.origin ?? 'igp' }];
  const { asPath, as4Path } = asPathForPeer(a.asPath, ctx);
  out.push({ type: 'as-path', segments: asPath });
  if (family === 4) out.push({ type: 'next-hop', nextHop: a.nextHop });
  if (a.med !== undefined) out.push({ type: 'med', med: a.med });
  if (a.localPref !== undefined) out.push({ type: 'local-pref', localPref: a.localPref });
  if (a.communities !== undefined && a.communities.length > 0) {
    out.push({ type: 'communities', communities: a.communities });
  }
  if (family === 6) {
    const nextHops = a.linkLocalNextHop === undefined ? [a.nextHop] : [a.nextHop, a.linkLocalNextHop];
    out.push({ type: 'mp-reach', afi: Afi.IPv6, safi: Safi.Unicast, nextHops, nlri, flags: MP_FLAGS });
  }
  if (as4Path !== undefined) out.push({ type: 'as4-path', segments: as4Path });
  if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
    out.push({ type: 'large-communities', communities: a.largeCommunities });
  }
  return out;
}

/**
 * RFC 6793 4.2.2: to a peer without the 4-octet AS capability, AS_PATH carries AS_TRANS for every AS that does
 * not fit in 2 octets, and AS4_PATH carries the real path (without confederation segments) when any AS did not.
 */
export function asPathForPeer(
  segments: readonly AsSegment[],
  ctx: UpdateContext,
): { asPath: readonly AsSegment[]; as4Path?: readonly AsSegment[] } {
  if (ctx.fourOctetAs) return { asPath: segments };
  const needsAs4 = segments.some((s) => s.asns.some((asn) => asn > 0xffff));
  const asPath = segments.map((s) => ({
    type: s.type,
    asns: s.asns.map((asn) => (asn > 0xffff ? AS_TRANS : asn)),
  }));
  if (!needsAs4) return { asPath };
  return { asPath, as4Path: segments.filter((s) => s.type === 'set' || s.type === 'sequence') };
}
