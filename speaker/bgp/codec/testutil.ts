// fast-check arbitraries for the BGP codecs' values, in the canonical form `decode` produces, and hex helpers.
import fc from 'fast-check';
import { formatIP } from '../../../addr/ip';
import type { AsSegment } from './aspath';
import type { LargeCommunity, PathAttribute, UpdateContext } from './attributes';
import type { Capability } from './capabilities';
import type { Message } from './message';
import type { OpenMessage, OptionalParameter } from './open';
import type { Prefix, PrefixFamily } from './prefix';
import type { UpdateMessage } from './update';

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const unhex = (text: string): Buffer => Buffer.from(text.replace(/\s+|#[^\n]*/g, ''), 'hex');

export const arbIPv4 = fc
  .integer({ min: 0, max: 0xffffffff })
  .map((v) => formatIP({ family: 4, value: BigInt(v) }));
export const arbIPv6 = fc
  .bigInt({ min: 0n, max: (1n << 128n) - 1n })
  .map((value) => formatIP({ family: 6, value }));

export function arbPrefix(family: PrefixFamily): fc.Arbitrary<Prefix> {
  const bits = family === 4 ? 32 : 128;
  return fc.integer({ min: 0, max: bits }).chain((length) =>
    fc.uint8Array({ minLength: Math.ceil(length / 8), maxLength: Math.ceil(length / 8) }).map((bytes) => {
      let value = 0n;
      for (let i = 0; i < bits / 8; i++) value = (value << 8n) | BigInt(bytes[i] ?? 0);
      return { family, address: formatIP({ family, value }), length };
    }),
  );
}

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u8 = fc.integer({ min: 0, max: 0xff });

const KNOWN_CAPS = new Set([1, 2, 64, 65]);
export const arbCapability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ kind: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
  fc.constant({ kind: 'route-refresh' as const }),
  fc.record({
    kind: fc.constant('graceful-restart' as const),
    restarting: fc.boolean(),
    notification: fc.boolean(),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi: u16, safi: u8, forwarding: fc.boolean() }), { maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('four-octet-as' as const), asn: u32 }),
  fc.record({
    kind: fc.constant('unknown' as const),
    code: u8.filter((c) => !KNOWN_CAPS.has(c)),
    value: fc.uint8Array({ maxLength: 12 }),
  }),
);

const arbParameter: fc.Arbitrary<OptionalParameter> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('capabilities' as const),
      capabilities: fc.array(arbCapability, { maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('unknown' as const),
      code: u8.filter((c) => c !== 2),
      value: fc.uint8Array({ maxLength: 8 }),
    }),
  },
);

export const arbOpen: fc.Arbitrary<OpenMessage> = fc.record({
  type: fc.constant('open' as const),
  version: u8,
  myAs: u16,
  holdTime: u16,
  bgpId: arbIPv4,
  parameters: fc.array(arbParameter, { maxLength: 4 }),
});

function arbSegments(asSize: 2 | 4): fc.Arbitrary<AsSegment[]> {
  return fc.array(
    fc.record({
      type: fc.constantFrom(
        'set' as const,
        'sequence' as const,
        'confed-sequence' as const,
        'confed-set' as const,
      ),
      asns: fc.array(asSize === 2 ? u16 : u32, { minLength: 1, maxLength: 8 }),
    }),
    { maxLength: 4 },
  );
}

const arbLarge: fc.Arbitrary<LargeCommunity> = fc.record({ global: u32, local1: u32, local2: u32 });

const KNOWN_ATTRS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 17, 18, 32]);

function arbMpReach(): fc.Arbitrary<PathAttribute> {
  return fc.constantFrom(1, 2).chain((afi) =>
    fc.record({
      type: fc.constant('mp-reach' as const),
      afi: fc.constant(afi),
      safi: fc.constant(1),
      nextHops: fc.oneof(
        ...(afi === 1 ? [fc.tuple(arbIPv4)] : []),
        fc.tuple(arbIPv6),
        fc.tuple(arbIPv6, arbIPv6),
      ),
      nlri: fc.array(arbPrefix(afi === 1 ? 4 : 6), { maxLength: 10 }),
    }),
  );
}

/** A valid UPDATE: each attribute at most once, the mandatory ones present when routes are announced. */
export function arbUpdate(ctx: UpdateContext): fc.Arbitrary<UpdateMessage> {
  const asSize = ctx.fourOctetAs ? 4 : 2;
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  return fc
    .record({
      withdrawn: fc.array(arbPrefix(4), { maxLength: 10 }),
      nlri: fc.array(arbPrefix(4), { maxLength: 10 }),
      origin: opt(fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const)),
      segments: opt(arbSegments(asSize)),
      nextHop: opt(arbIPv4),
      med: opt(u32),
      localPref: opt(u32),
      atomic: fc.boolean(),
      aggregator: opt(fc.tuple(asSize === 2 ? u16 : u32, arbIPv4)),
      communities: opt(fc.array(u32, { minLength: 1, maxLength: 8 })),
      mpReach: opt(arbMpReach()),
      mpUnreach: opt(
        fc
          .constantFrom(1, 2)
          .chain((afi) => fc.array(arbPrefix(afi === 1 ? 4 : 6), { maxLength: 10 }).map((w) => ({ afi, w }))),
      ),
      as4: opt(arbSegments(4)),
      as4Aggregator: opt(fc.tuple(u32, arbIPv4)),
      large: opt(fc.array(arbLarge, { minLength: 1, maxLength: 4 })),
      unknown: opt(
        fc.record({
          code: u8.filter((c) => !KNOWN_ATTRS.has(c)),
          flags: fc.integer({ min: 0, max: 0x7f }).map((f) => (f | 0x80) & ~0x10),
          value: fc.uint8Array({ maxLength: 20 }),
        }),
      ),
    })
    .map((r) => {
      const announces = r.nlri.length > 0 || r.mpReach !== undefined;
      const attributes: PathAttribute[] = [];
      const origin = r.origin ?? (announces ? 'igp' : undefined);
      if (origin !== undefined) attributes.push({ type: 'origin', origin });
      const segments = r.segments ?? (announces ? [] : undefined);
      if (segments !== undefined) attributes.push({ type: 'as-path', segments });
      const nextHop = r.nextHop ?? (r.nlri.length > 0 ? '192.0.2.1' : undefined);
      if (nextHop !== undefined) attributes.push({ type: 'next-hop', nextHop });
      if (r.med !== undefined) attributes.push({ type: 'med', med: r.med });
      if (r.localPref !== undefined) attributes.push({ type: 'local-pref', localPref: r.localPref });
      if (r.atomic) attributes.push({ type: 'atomic-aggregate' });
      if (r.aggregator)
        attributes.push({ type: 'aggregator', asn: r.aggregator[0], address: r.aggregator[1] });
      if (r.communities) attributes.push({ type: 'communities', communities: r.communities });
      if (r.mpReach) attributes.push(r.mpReach);
      if (r.mpUnreach)
        attributes.push({ type: 'mp-unreach', afi: r.mpUnreach.afi, safi: 1, withdrawn: r.mpUnreach.w });
      if (r.as4) attributes.push({ type: 'as4-path', segments: r.as4 });
      if (r.as4Aggregator)
        attributes.push({ type: 'as4-aggregator', asn: r.as4Aggregator[0], address: r.as4Aggregator[1] });
      if (r.large) attributes.push({ type: 'large-communities', communities: r.large });
      if (r.unknown) attributes.push({ type: 'unknown', ...r.unknown });
      return { type: 'update' as const, withdrawn: r.withdrawn, attributes, nlri: r.nlri };
    });
}

export function arbMessage(ctx: UpdateContext): fc.Arbitrary<Message> {
  return fc.oneof(
    arbOpen,
    arbUpdate(ctx),
    fc.record({
      type: fc.constant('notification' as const),
      code: u8,
      subcode: u8,
      data: fc.uint8Array({ maxLength: 64 }),
    }),
    fc.constant({ type: 'keepalive' as const }),
    fc.record({ type: fc.constant('route-refresh' as const), afi: u16, subtype: u8, safi: u8 }),
  );
}
