import fc from 'fast-check';
import { AS_TRANS, MAX_MESSAGE_LENGTH } from './codec/codes';
import { decode, encode } from './codec/message';
import type { Prefix } from './codec/prefix';
import { arbPrefix } from './codec/testutil';
import type { UpdateMessage } from './codec/update';
import { type Announcement, type RouteAttributes, packUpdates } from './packer';

const FOUR = { fourOctetAs: true };
const TWO = { fourOctetAs: false };
const V4: RouteAttributes = {
  asPath: [{ type: 'sequence', asns: [64512] }],
  nextHop: '192.0.2.10',
  communities: [1, 2],
};
const V6: RouteAttributes = {
  asPath: [{ type: 'sequence', asns: [64512] }],
  nextHop: '2001:db8::10',
  linkLocalNextHop: 'fe80::10',
};

function v4(i: number): Prefix {
  return { family: 4, address: `198.51.${Math.floor(i / 256) % 256}.${i % 256}`, length: 32 };
}
function v6(i: number): Prefix {
  return { family: 6, address: `2001:db8:1::${(i + 1).toString(16)}`, length: 128 };
}

function roundTrip(updates: UpdateMessage[], ctx = FOUR): UpdateMessage[] {
  return updates.map((u) => {
    const bytes = encode(u, ctx);
    expect(bytes.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    const back = decode(bytes, ctx);
    if (!back.ok || back.value.type !== 'update')
      throw new Error(`packed UPDATE does not decode: ${JSON.stringify(back)}`);
    return back.value;
  });
}

const announced = (u: UpdateMessage): Prefix[] => [
  ...u.nlri,
  ...u.attributes.flatMap((a) => (a.type === 'mp-reach' ? a.nlri : [])),
];
const withdrawnOf = (u: UpdateMessage): Prefix[] => [
  ...u.withdrawn,
  ...u.attributes.flatMap((a) => (a.type === 'mp-unreach' ? a.withdrawn : [])),
];

describe('packUpdates', () => {
  it('packs 10,000 IPv4 /32s with one set of attributes into 10,000 x 5 octets / ~4 KiB = 13 UPDATEs', () => {
    const announce = Array.from({ length: 10000 }, (_, i) => ({ prefix: v4(i), attributes: V4 }));
    const updates = roundTrip(packUpdates({ announce, withdraw: [] }, FOUR));
    expect(updates).toHaveLength(13);
    expect(updates.flatMap(announced)).toEqual(announce.map((a) => a.prefix));
    for (const u of updates)
      expect(u.attributes.map((a) => a.type)).toEqual(['origin', 'as-path', 'next-hop', 'communities']);
  });

  it('puts IPv6 prefixes in MP_REACH_NLRI with the global and link-local next hops and no NEXT_HOP', () => {
    const announce = Array.from({ length: 300 }, (_, i) => ({ prefix: v6(i), attributes: V6 }));
    const updates = roundTrip(packUpdates({ announce, withdraw: [] }, FOUR));
    expect(updates.length).toBeLessThan(5);
    expect(updates.flatMap(announced)).toEqual(announce.map((a) => a.prefix));
    const mp = updates[0]?.attributes.find((a) => a.type === 'mp-reach');
    expect(mp).toMatchObject({ afi: 2, safi: 1, nextHops: ['2001:db8::10', 'fe80::10'] });
    expect(updates[0]?.nlri).toEqual([]);
    expect(updates[0]?.attributes.some((a) => a.type === 'next-hop')).toBe(false);
  });

  it('gives each distinct attribute set its own UPDATEs, in the order the sets first appear', () => {
    const other: RouteAttributes = { ...V4, localPref: 200 };
    const announce: Announcement[] = [
      { prefix: v4(1), attributes: V4 },
      { prefix: v4(2), attributes: other },
      { prefix: v4(3), attributes: { ...V4 } },
    ];
    const updates = roundTrip(packUpdates({ announce, withdraw: [] }, FOUR));
    expect(updates.map((u) => u.nlri.map((p) => p.address))).toEqual([
      ['198.51.0.1', '198.51.0.3'],
      ['198.51.0.2'],
    ]);
    expect(updates[1]?.attributes).toContainEqual({ type: 'local-pref', localPref: 200 });
  });

  it('packs IPv4 withdrawals into Withdrawn Routes and IPv6 into MP_UNREACH_NLRI, before announcements', () => {
    const withdraw = [
      ...Array.from({ length: 2000 }, (_, i) => v4(i)),
      ...Array.from({ length: 50 }, (_, i) => v6(i)),
    ];
    const updates = roundTrip(
      packUpdates({ announce: [{ prefix: v4(5000), attributes: V4 }], withdraw }, FOUR),
    );
    expect(updates.flatMap(withdrawnOf)).toEqual(withdraw);
    // 2,000 x 5 octets need three UPDATEs, the IPv6 ones a fourth.
    expect(updates.map((u) => (u.nlri.length > 0 ? 'announce' : 'withdraw'))).toEqual([
      'withdraw',
      'withdraw',
      'withdraw',
      'withdraw',
      'announce',
    ]);
  });

  it('announces rather than withdraws a prefix in both sets, and keeps the last of two announcements', () => {
    const updates = packUpdates(
      {
        announce: [
          { prefix: v4(1), attributes: V4 },
          { prefix: v4(1), attributes: { ...V4, med: 7 } },
        ],
        withdraw: [v4(1)],
      },
      FOUR,
    );
    expect(updates).toHaveLength(1);
    expect(updates[0]?.attributes).toContainEqual({ type: 'med', med: 7 });
  });

  it('sends AS_TRANS in AS_PATH and the real path in AS4_PATH to a 2-octet peer (RFC 6793 4.2.2)', () => {
    const attributes: RouteAttributes = {
      asPath: [{ type: 'sequence', asns: [4200000001, 65000] }],
      nextHop: '192.0.2.10',
    };
    const [u] = roundTrip(packUpdates({ announce: [{ prefix: v4(1), attributes }], withdraw: [] }, TWO), TWO);
    expect(u?.attributes).toContainEqual({
      type: 'as-path',
      segments: [{ type: 'sequence', asns: [AS_TRANS, 65000] }],
    });
    expect(u?.attributes).toContainEqual({
      type: 'as4-path',
      segments: [{ type: 'sequence', asns: [4200000001, 65000] }],
    });
    const plain = packUpdates({ announce: [{ prefix: v4(1), attributes: V4 }], withdraw: [] }, TWO);
    expect(plain[0]?.attributes.some((a) => a.type === 'as4-path')).toBe(false);
  });

  it('never loses, duplicates or oversizes: every prefix announced exactly once, every UPDATE within 4096', () => {
    const arbAttrs = fc.record({
      asPath: fc.constant([{ type: 'sequence' as const, asns: [64512] }]),
      nextHop: fc.constant('192.0.2.10'),
      communities: fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 200 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbPrefix(4), fc.integer({ min: 0, max: 3 })), { maxLength: 3000 }),
        fc.array(arbAttrs, { minLength: 4, maxLength: 4 }),
        (routes, attrs) => {
          const announce = routes.map(([prefix, i]) => ({ prefix, attributes: attrs[i] ?? V4 }));
          const updates = roundTrip(packUpdates({ announce, withdraw: [] }, FOUR));
          const expected = new Set(announce.map((a) => `${a.prefix.address}/${a.prefix.length}`));
          const got = updates.flatMap(announced).map((p) => `${p.address}/${p.length}`);
          expect(got.length).toBe(expected.size);
          expect(new Set(got)).toEqual(expected);
        },
      ),
      { seed: 4760, numRuns: 40 },
    );
  });
});
