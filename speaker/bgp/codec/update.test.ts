import { AttrType, ErrorCode, UpdateMessageSubcode as S } from './codes';
import { decode, encode } from './message';
import { endOfRib, endOfRibFamily, type UpdateMessage } from './update';
import { hex, unhex } from './testutil';

const MARKER = 'ff'.repeat(16);
const FOUR = { fourOctetAs: true };
const TWO = { fourOctetAs: false };

// Laid out by hand from RFC 4271 4.3 and 5, RFC 1997, RFC 8092 and RFC 4760 3.
const UPDATE_V4 = `${MARKER} 005c 02
  0004 18 c63364                    # withdrawn: 198.51.100.0/24
  0038                              # total path attribute length 56
  40 01 01 00                       # ORIGIN IGP
  40 02 06 02 01 0000fde9           # AS_PATH: AS_SEQUENCE [65001], 4-octet
  40 03 04 c0000201                 # NEXT_HOP 192.0.2.1
  80 04 04 00000000                 # MULTI_EXIT_DISC 0
  40 05 04 00000064                 # LOCAL_PREF 100
  c0 08 04 fde90064                 # COMMUNITIES 65001:100
  c0 20 0c 0000fde9 00000001 00000002  # LARGE_COMMUNITY 65001:1:2
  18 cb0071 20 cb007105             # NLRI: 203.0.113.0/24, 203.0.113.5/32
`;

const updateV4: UpdateMessage = {
  type: 'update',
  withdrawn: [{ family: 4, address: '198.51.100.0', length: 24 }],
  attributes: [
    { type: 'origin', origin: 'igp' },
    { type: 'as-path', segments: [{ type: 'sequence', asns: [65001] }] },
    { type: 'next-hop', nextHop: '192.0.2.1' },
    { type: 'med', med: 0 },
    { type: 'local-pref', localPref: 100 },
    { type: 'communities', communities: [65001 * 65536 + 100] },
    { type: 'large-communities', communities: [{ global: 65001, local1: 1, local2: 2 }] },
  ],
  nlri: [
    { family: 4, address: '203.0.113.0', length: 24 },
    { family: 4, address: '203.0.113.5', length: 32 },
  ],
};

const UPDATE_V6 = `${MARKER} 0060 02 0000 0049
  40 01 01 00                       # ORIGIN IGP
  40 02 04 02 01 fde9               # AS_PATH: AS_SEQUENCE [65001], 2-octet
  80 0e 2c 0002 01 20               # MP_REACH_NLRI IPv6 unicast, next hop length 32
     20010db8000000000000000000000001  # global 2001:db8::1
     fe800000000000000000000000000001  # link-local fe80::1
     00                             # reserved
     30 20010db80064                # 2001:db8:64::/48
  80 0f 0c 0002 01 40 20010db800000001 # MP_UNREACH_NLRI: 2001:db8:0:1::/64
`;

const updateV6: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  attributes: [
    { type: 'origin', origin: 'igp' },
    { type: 'as-path', segments: [{ type: 'sequence', asns: [65001] }] },
    {
      type: 'mp-reach',
      afi: 2,
      safi: 1,
      nextHops: ['2001:db8::1', 'fe80::1'],
      nlri: [{ family: 6, address: '2001:db8:64::', length: 48 }],
    },
    {
      type: 'mp-unreach',
      afi: 2,
      safi: 1,
      withdrawn: [{ family: 6, address: '2001:db8:0:1::', length: 64 }],
    },
  ],
  nlri: [],
};

function notificationOf(bytes: string, ctx = FOUR) {
  const result = decode(unhex(bytes), ctx);
  return result.ok ? undefined : result.error.notification;
}

function attrsUpdate(attrs: string, nlri = ''): string {
  const a = unhex(attrs);
  const n = unhex(nlri);
  const length = 23 + a.length + n.length;
  return `${MARKER} ${length.toString(16).padStart(4, '0')} 02 0000 ${a.length.toString(16).padStart(4, '0')} ${hex(a)} ${hex(n)}`;
}

const ORIGIN = '40 01 01 00';
const AS_PATH = '40 02 00';
const NEXT_HOP = '40 03 04 c0000201';

describe('UPDATE (RFC 4271 4.3)', () => {
  it('decodes IPv4 withdrawals, the common attributes and NLRI', () => {
    expect(decode(unhex(UPDATE_V4), FOUR)).toEqual({ ok: true, bytes: 92, value: updateV4 });
    expect(hex(encode(updateV4, FOUR))).toBe(hex(unhex(UPDATE_V4)));
  });

  it('decodes IPv6 in MP_REACH_NLRI with a global and a link-local next hop, and MP_UNREACH_NLRI', () => {
    expect(decode(unhex(UPDATE_V6), TWO)).toEqual({ ok: true, bytes: 96, value: updateV6 });
    expect(hex(encode(updateV6, TWO))).toBe(hex(unhex(UPDATE_V6)));
  });

  it('writes AS_PATH with 2-octet ASes unless 4-octet AS was negotiated (RFC 6793 4.2.2)', () => {
    const path = { type: 'as-path' as const, segments: [{ type: 'set' as const, asns: [1, 2] }] };
    const u: UpdateMessage = { type: 'update', withdrawn: [], attributes: [path], nlri: [] };
    expect(hex(encode(u, TWO)).slice(46)).toBe('400206' + '0102' + '0001' + '0002');
    expect(hex(encode(u, FOUR)).slice(46)).toBe('40020a' + '0102' + '00000001' + '00000002');
  });

  it('sets the Extended Length bit when a value exceeds 255 octets, and keeps it when a peer sets it anyway', () => {
    const communities = Array.from({ length: 70 }, (_, i) => i);
    const u: UpdateMessage = {
      type: 'update',
      withdrawn: [],
      attributes: [{ type: 'communities', communities }],
      nlri: [],
    };
    expect(hex(encode(u)).slice(46, 54)).toBe('d0080118');
    const bytes = unhex(attrsUpdate('50 01 0001 00'));
    const result = decode(bytes);
    expect(result.ok && result.value).toMatchObject({
      attributes: [{ type: 'origin', origin: 'igp', flags: 0x50 }],
    });
    if (result.ok) expect(hex(encode(result.value))).toBe(hex(bytes));
  });

  it('keeps a prefix whose trailing bits are set, as sent (RFC 4271 4.3: they are irrelevant)', () => {
    const bytes = unhex(attrsUpdate(`${ORIGIN} ${AS_PATH} ${NEXT_HOP}`, '19 cb007180'));
    const result = decode(bytes);
    expect(result.ok && result.value).toMatchObject({ nlri: [{ address: '203.0.113.128', length: 25 }] });
    if (result.ok) expect(hex(encode(result.value))).toBe(hex(bytes));
  });

  it('builds and recognises End-of-RIB for IPv4 (empty UPDATE) and IPv6 (empty MP_UNREACH_NLRI), RFC 4724 2', () => {
    expect(hex(encode(endOfRib(1)))).toBe(MARKER + '0017' + '02' + '0000' + '0000');
    expect(hex(encode(endOfRib(2)))).toBe(MARKER + '001d' + '02' + '0000' + '0006' + '800f03000201');
    expect(endOfRibFamily(endOfRib(2))).toEqual({ afi: 2, safi: 1 });
    expect(endOfRibFamily(endOfRib(1))).toEqual({ afi: 1, safi: 1 });
    expect(endOfRibFamily(updateV6)).toBeUndefined();
  });

  it.each([
    ['Withdrawn Routes Length past the message', `${MARKER} 0017 02 0001 0000`, S.MalformedAttributeList, ''],
    ['Total Attribute Length past the message', `${MARKER} 0017 02 0000 0001`, S.MalformedAttributeList, ''],
    [
      'an attribute running past the attributes',
      attrsUpdate('40 01 05 00'),
      S.AttributeLengthError,
      '40010500',
    ],
    ['a duplicate attribute', attrsUpdate(`${ORIGIN} ${ORIGIN}`), S.MalformedAttributeList, ''],
    [
      'an unknown well-known attribute',
      attrsUpdate('40 63 01 00'),
      S.UnrecognizedWellKnownAttribute,
      '40630100',
    ],
    ['ORIGIN marked optional', attrsUpdate('c0 01 01 00'), S.AttributeFlagsError, 'c0010100'],
    ['ORIGIN of 2 octets', attrsUpdate('40 01 02 0000'), S.AttributeLengthError, '4001020000'],
    ['ORIGIN 3', attrsUpdate('40 01 01 03'), S.InvalidOriginAttribute, '40010103'],
    ['an AS_PATH segment of unknown type', attrsUpdate('40 02 04 07 01 fde9'), S.MalformedASPath, ''],
    ['an AS_PATH segment overrunning it', attrsUpdate('40 02 04 02 02 fde9'), S.MalformedASPath, ''],
    ['NEXT_HOP of 3 octets', attrsUpdate('40 03 03 c00002'), S.AttributeLengthError, '400303c00002'],
    [
      'COMMUNITIES of 5 octets',
      attrsUpdate('c0 08 05 0000000000'),
      S.AttributeLengthError,
      'c008050000000000',
    ],
    [
      'MP_REACH_NLRI with a 5-octet IPv6 next hop',
      attrsUpdate('80 0e 0a 0002 01 05 0000000000 00'),
      S.OptionalAttributeError,
      '800e0a000201050000000000' + '00',
    ],
    [
      'an NLRI prefix of length 33',
      attrsUpdate(`${ORIGIN} ${AS_PATH} ${NEXT_HOP}`, '21 cb007100 00'),
      S.InvalidNetworkField,
      '',
    ],
    ['a withdrawn prefix cut short', `${MARKER} 0019 02 0002 18 cb 0000`, S.InvalidNetworkField, ''],
  ])('refuses %s', (_name, bytes, subcode, data) => {
    expect(notificationOf(bytes)).toEqual({
      code: ErrorCode.UpdateMessageError,
      subcode,
      data: Uint8Array.from(unhex(data)),
    });
  });

  it.each([
    ['ORIGIN', `${AS_PATH} ${NEXT_HOP}`, AttrType.ORIGIN],
    ['AS_PATH', `${ORIGIN} ${NEXT_HOP}`, AttrType.AS_PATH],
    ['NEXT_HOP', `${ORIGIN} ${AS_PATH}`, AttrType.NEXT_HOP],
  ])('refuses IPv4 NLRI without %s, naming the missing type (RFC 4271 6.3)', (_name, attrs, missing) => {
    expect(notificationOf(attrsUpdate(attrs, '18 cb0071'))).toEqual({
      code: ErrorCode.UpdateMessageError,
      subcode: S.MissingWellKnownAttribute,
      data: Uint8Array.of(missing),
    });
  });

  it('does not ask MP_REACH_NLRI routes for NEXT_HOP (RFC 4760 3), nor withdrawals for anything', () => {
    const mp = '80 0e 16 0002 01 10 20010db8000000000000000000000001 00 00';
    expect(decode(unhex(attrsUpdate(`${ORIGIN} ${AS_PATH} ${mp}`))).ok).toBe(true);
    expect(decode(unhex(`${MARKER} 001b 02 0004 18 cb0071 0000`)).ok).toBe(true);
  });

  it('keeps MP_REACH_NLRI for a family it does not type (here VPNv4) as raw bytes', () => {
    const bytes = unhex(attrsUpdate(`${ORIGIN} ${AS_PATH} 80 0e 05 0001 80 00 00`));
    const result = decode(bytes);
    expect(result.ok && result.value).toMatchObject({
      attributes: [{}, {}, { type: 'unknown', code: 14, flags: 0x80 }],
    });
    if (result.ok) expect(hex(encode(result.value))).toBe(hex(bytes));
  });
});

describe('AS4_PATH and AS4_AGGREGATOR (RFC 6793 3)', () => {
  // An OLD speaker's view: AS_PATH with AS_TRANS in 2 octets, the real path in AS4_PATH with 4.
  const BYTES = `${MARKER} 0050 02 0000 0035
    40 01 01 00
    40 02 06 02 02 5ba0 fde8              # AS_PATH [AS_TRANS, 65000]
    40 03 04 c0000201
    c0 07 06 5ba0 c0000201                # AGGREGATOR AS_TRANS 192.0.2.1
    c0 11 0a 02 02 fa56ea01 0000fde8      # AS4_PATH [4200000001, 65000]
    c0 12 08 fa56ea01 c0000201            # AS4_AGGREGATOR 4200000001 192.0.2.1
    18 cb0071`;

  it('decodes them in a 2-octet session and re-encodes the same bytes', () => {
    const result = decode(unhex(BYTES), TWO);
    expect(result.ok && result.value.type === 'update' && result.value.attributes.slice(1)).toEqual([
      { type: 'as-path', segments: [{ type: 'sequence', asns: [23456, 65000] }] },
      { type: 'next-hop', nextHop: '192.0.2.1' },
      { type: 'aggregator', asn: 23456, address: '192.0.2.1' },
      { type: 'as4-path', segments: [{ type: 'sequence', asns: [4200000001, 65000] }] },
      { type: 'as4-aggregator', asn: 4200000001, address: '192.0.2.1' },
    ]);
    if (result.ok) expect(hex(encode(result.value, TWO))).toBe(hex(unhex(BYTES)));
  });

  it('reads the same AS_PATH octets differently in a 4-octet session: here, as malformed', () => {
    expect(notificationOf(BYTES, FOUR)?.subcode).toBe(S.MalformedASPath);
  });
});
