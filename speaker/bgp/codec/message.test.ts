import fc from 'fast-check';
import { ErrorCode, MessageHeaderSubcode, RouteRefreshSubcode } from './codes';
import { decode, encode, encodingLength, frame } from './message';
import { arbMessage, hex, unhex } from './testutil';

const MARKER = 'ff'.repeat(16);

describe('message header (RFC 4271 4.1, 6.1)', () => {
  it('encodes a KEEPALIVE as the bare 19-octet header of type 4', () => {
    expect(hex(encode({ type: 'keepalive' }))).toBe(MARKER + '0013' + '04');
  });

  it('decodes a ROUTE-REFRESH for IPv6 unicast (RFC 2918 3: AFI, reserved, SAFI)', () => {
    expect(decode(unhex(MARKER + '0017 05 0002 00 01'))).toEqual({
      ok: true,
      bytes: 23,
      value: { type: 'route-refresh', afi: 2, subtype: 0, safi: 1 },
    });
  });

  it.each([
    [
      'a marker that is not all ones',
      'fe' + 'ff'.repeat(15) + '0013 04',
      MessageHeaderSubcode.ConnectionNotSynchronized,
      '',
    ],
    [
      'a length under 19, with the length as data',
      MARKER + '0012 04',
      MessageHeaderSubcode.BadMessageLength,
      '0012',
    ],
    [
      'a length over 4096',
      MARKER + '1001 02' + '00'.repeat(4079),
      MessageHeaderSubcode.BadMessageLength,
      '1001',
    ],
    ['an unknown type, with the type as data', MARKER + '0013 07', MessageHeaderSubcode.BadMessageType, '07'],
    ['a KEEPALIVE longer than 19', MARKER + '0014 04 00', MessageHeaderSubcode.BadMessageLength, '0014'],
    [
      'an OPEN shorter than 29',
      MARKER + '001c 01' + '00'.repeat(9),
      MessageHeaderSubcode.BadMessageLength,
      '001c',
    ],
    ['an UPDATE shorter than 23', MARKER + '0016 02 000000', MessageHeaderSubcode.BadMessageLength, '0016'],
    ['a NOTIFICATION shorter than 21', MARKER + '0014 03 06', MessageHeaderSubcode.BadMessageLength, '0014'],
    [
      'a message cut short of its length',
      MARKER + '0020 02 0000 0000',
      MessageHeaderSubcode.BadMessageLength,
      '0020',
    ],
  ])('rejects %s with Message Header Error', (_name, bytes, subcode, data) => {
    const result = decode(unhex(bytes));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.notification).toEqual({
      code: ErrorCode.MessageHeaderError,
      subcode,
      data: Uint8Array.from(unhex(data)),
    });
  });

  it('answers a ROUTE-REFRESH of the wrong length with RFC 7313 Invalid Message Length and the whole message', () => {
    const bytes = unhex(MARKER + '0018 05 0001 00 01 00');
    const result = decode(bytes);
    expect(result.ok || result.error.notification).toEqual({
      code: ErrorCode.RouteRefreshMessageError,
      subcode: RouteRefreshSubcode.InvalidMessageLength,
      data: Uint8Array.from(bytes),
    });
  });
});

describe('frame (stream reassembly)', () => {
  it('asks for the rest of a header, then the rest of the message', () => {
    const open = unhex(MARKER + '001d 01 04 fde9 00b4 c0000201 00');
    expect(frame(open.subarray(0, 10))).toEqual({ status: 'need-more', bytes: 9 });
    expect(frame(open.subarray(0, 20))).toEqual({ status: 'need-more', bytes: 9 });
    expect(frame(open)).toEqual({ status: 'message', type: 1, length: 29 });
  });

  it('reports a bad header as soon as the header has arrived, without waiting for the body', () => {
    const f = frame(unhex(MARKER + '2000 02'));
    expect(f.status === 'error' && f.error.reason).toBe('header-bad-length');
  });

  it('frames the second of two messages at an offset', () => {
    const two = Buffer.concat([encode({ type: 'keepalive' }), encode({ type: 'keepalive' })]);
    expect(frame(two, 19)).toEqual({ status: 'message', type: 4, length: 19 });
  });
});

describe('every message round-trips', () => {
  it.each([false, true])(
    'decode(encode(m)) is m, and encodingLength is its size (4-octet AS: %s)',
    (fourOctetAs) => {
      const ctx = { fourOctetAs };
      fc.assert(
        fc.property(arbMessage(ctx), (m) => {
          const bytes = encode(m, ctx);
          expect(bytes.length).toBe(encodingLength(m, ctx));
          expect(decode(bytes, ctx)).toEqual({ ok: true, value: m, bytes: bytes.length });
        }),
        { seed: 4271, numRuns: 3000 },
      );
    },
  );
});
