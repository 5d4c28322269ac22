import fc from 'fast-check';
import { AttrType, ErrorCode, UpdateMessageSubcode as S } from './codec/codes';
import { encode } from './codec/message';
import { arbUpdate, unhex } from './codec/testutil';
import { validateUpdate } from './validate';

const EBGP = { fourOctetAs: true, internal: false };
const IBGP = { fourOctetAs: true, internal: true };

/** An UPDATE body with the given attribute octets and NLRI. */
function body(attrs: string, nlri = '', withdrawn = ''): Uint8Array {
  const w = unhex(withdrawn);
  const a = unhex(attrs);
  const n = unhex(nlri);
  const out = Buffer.alloc(4 + w.length + a.length + n.length);
  out.writeUInt16BE(w.length, 0);
  w.copy(out, 2);
  out.writeUInt16BE(a.length, 2 + w.length);
  a.copy(out, 4 + w.length);
  n.copy(out, 4 + w.length + a.length);
  return out;
}

const BASE = '40 01 01 00  40 02 06 02 01 0000fde9  40 03 04 c0000201';
const NLRI = '18 cb0071';

describe('validateUpdate (RFC 7606)', () => {
  it('ignores a well-formed UPDATE, such as a peer echoing our own routes back, with no findings', () => {
    expect(validateUpdate(body(BASE, NLRI), EBGP)).toEqual({ action: 'ignore', findings: [] });
  });

  it('ignores both End-of-RIB markers', () => {
    expect(validateUpdate(body(''), EBGP)).toEqual({ action: 'ignore', findings: [] });
    expect(validateUpdate(body('80 0f 03 0002 01'), EBGP)).toEqual({ action: 'ignore', findings: [] });
  });

  it.each([
    ['an ORIGIN of 2 octets (7.1)', '40 01 02 0000  40 02 00  40 03 04 c0000201', 'origin-length'],
    ['an invalid ORIGIN value (7.1)', '40 01 01 07  40 02 00  40 03 04 c0000201', 'origin-value'],
    ['a malformed AS_PATH (7.2)', '40 01 01 00  40 02 03 02 05 00  40 03 04 c0000201', 'as-path-malformed'],
    ['a NEXT_HOP of 5 octets (7.3)', '40 01 01 00  40 02 00  40 03 05 c000020100', 'next-hop-length'],
    ['a MULTI_EXIT_DISC of 2 octets (7.4)', `${BASE} 80 04 02 0000`, 'med-length'],
    ['a LOCAL_PREF of 3 octets (7.5)', `${BASE} 40 05 03 000064`, 'local-pref-length'],
    ['COMMUNITIES of 6 octets (7.8)', `${BASE} c0 08 06 000000000000`, 'communities-length'],
    ['an ORIGINATOR_ID of 3 octets (7.9)', `${BASE} 80 09 03 000000`, 'originator-id-length'],
    ['an empty CLUSTER_LIST (7.10)', `${BASE} 80 0a 00`, 'cluster-list-length'],
    [
      'LARGE_COMMUNITY of 8 octets (RFC 8092 6)',
      `${BASE} c0 20 08 0000000000000000`,
      'large-communities-length',
    ],
    ['ORIGIN flagged optional (3c)', '80 01 01 00  40 02 00  40 03 04 c0000201', 'origin-flags'],
    ['a missing NEXT_HOP (3d)', '40 01 01 00  40 02 00', 'attribute-missing'],
    ['an attribute overrunning the attribute field (4)', `${BASE} c0 08 08 00000000`, 'attribute-overrun'],
  ])('treats as withdraw (ignores) %s', (_name, attrs, reason) => {
    const verdict = validateUpdate(body(attrs, NLRI), EBGP);
    expect(verdict).toMatchObject({
      action: 'ignore',
      findings: [{ disposition: 'treat-as-withdraw', reason }],
    });
  });

  it.each([
    ['an ATOMIC_AGGREGATE with a value (7.6)', `${BASE} 40 06 01 00`, 'atomic-aggregate-length'],
    ['an AGGREGATOR of 7 octets (7.7)', `${BASE} c0 07 07 00000000000000`, 'aggregator-length'],
    ['a malformed AS4_PATH (RFC 6793 6)', `${BASE} c0 11 03 02 01 00`, 'as4-path-malformed'],
    ['a repeated attribute (3g)', `${BASE} 40 01 01 00`, 'attribute-duplicate'],
  ])('discards (ignores) %s', (_name, attrs, reason) => {
    const verdict = validateUpdate(body(attrs, NLRI), EBGP);
    expect(verdict).toMatchObject({
      action: 'ignore',
      findings: [{ disposition: 'attribute-discard', reason }],
    });
  });

  it('discards LOCAL_PREF from an external peer but not from an internal one (7.5)', () => {
    const attrs = `${BASE} 40 05 04 00000064`;
    expect(validateUpdate(body(attrs, NLRI), EBGP)).toMatchObject({
      findings: [
        {
          disposition: 'attribute-discard',
          reason: 'local-pref-from-external',
          attribute: AttrType.LOCAL_PREF,
        },
      ],
    });
    expect(validateUpdate(body(attrs, NLRI), IBGP)).toEqual({ action: 'ignore', findings: [] });
  });

  it.each([
    [
      'a Withdrawn Routes Length past the message (4)',
      Buffer.from('00050000', 'hex'),
      S.MalformedAttributeList,
    ],
    [
      'a Total Attribute Length past the message (4)',
      Buffer.from('00000009', 'hex'),
      S.MalformedAttributeList,
    ],
    ['an NLRI prefix longer than 32 bits (5.3)', body(BASE, '21 cb007100 00'), S.InvalidNetworkField],
    ['a withdrawn prefix cut short (5.3)', body('', '', '18 cb00'), S.InvalidNetworkField],
    ['two MP_UNREACH_NLRI (3g)', body('80 0f 03 0002 01  80 0f 03 0002 01'), S.MalformedAttributeList],
    [
      'an MP_REACH_NLRI next hop of 5 octets (7.11)',
      body('40 01 01 00 40 02 00 80 0e 0a 0002 01 05 0000000000 00'),
      S.OptionalAttributeError,
    ],
    [
      'MP_UNREACH_NLRI prefixes that overrun it (7.11)',
      body('80 0f 05 0002 01 40 20'),
      S.InvalidNetworkField,
    ],
    [
      'an unrecognized well-known attribute (RFC 4271 6.3)',
      body(`${BASE} 40 c8 00`, NLRI),
      S.UnrecognizedWellKnownAttribute,
    ],
  ])('resets the session on %s', (_name, bytes, subcode) => {
    expect(validateUpdate(bytes, EBGP)).toMatchObject({
      action: 'reset',
      notification: { code: ErrorCode.UpdateMessageError, subcode },
    });
  });

  it('ignores every UPDATE the codec can produce', () => {
    fc.assert(
      fc.property(arbUpdate(EBGP), (u) => {
        expect(validateUpdate(encode(u, EBGP).subarray(19), IBGP)).toEqual({
          action: 'ignore',
          findings: [],
        });
      }),
      { seed: 7606, numRuns: 2000 },
    );
  });
});
