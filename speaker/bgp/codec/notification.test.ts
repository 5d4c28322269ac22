import { CeaseSubcode, ErrorCode } from './codes';
import { decode, encode } from './message';
import { adminShutdown, shutdownCommunication } from './notification';
import { hex, unhex } from './testutil';

const MARKER = 'ff'.repeat(16);

describe('NOTIFICATION (RFC 4271 4.5) and the shutdown communication (RFC 9003)', () => {
  it('encodes Cease / Administrative Shutdown with a length-prefixed UTF-8 message', () => {
    const n = adminShutdown('node drained');
    expect(hex(encode({ type: 'notification', ...n }))).toBe(
      MARKER + '0022' + '03' + '06' + '02' + '0c' + Buffer.from('node drained').toString('hex'),
    );
    expect(shutdownCommunication(n)).toBe('node drained');
  });

  it('sends no data when there is no message', () => {
    expect(adminShutdown()).toEqual({
      code: ErrorCode.Cease,
      subcode: CeaseSubcode.AdministrativeShutdown,
      data: new Uint8Array(0),
    });
  });

  it('cuts a message over 255 octets at a character boundary', () => {
    const n = adminShutdown('é'.repeat(200));
    expect(n.data[0]).toBe(254);
    expect(shutdownCommunication(n)).toBe('é'.repeat(127));
  });

  it('ignores a communication whose length octet disagrees with the data, or that is not UTF-8', () => {
    expect(shutdownCommunication({ code: 6, subcode: 2, data: unhex('05 6869') })).toBeUndefined();
    expect(shutdownCommunication({ code: 6, subcode: 4, data: unhex('02 c328') })).toBeUndefined();
    expect(shutdownCommunication({ code: 6, subcode: 4, data: unhex('02 6869') })).toBe('hi');
  });

  it('decodes any code, subcode and data', () => {
    expect(decode(unhex(MARKER + '0017 03 04 00 beef'))).toEqual({
      ok: true,
      bytes: 23,
      value: {
        type: 'notification',
        code: ErrorCode.HoldTimerExpired,
        subcode: 0,
        data: Uint8Array.from(unhex('beef')),
      },
    });
  });
});
