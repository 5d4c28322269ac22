import { AS_TRANS, ErrorCode, UNSPECIFIC } from './codes';
import { decode, encode } from './message';
import { type OpenMessage, capabilitiesOf } from './open';
import { hex, unhex } from './testutil';

const MARKER = 'ff'.repeat(16);

// Laid out by hand from RFC 4271 4.2, RFC 5492 4, RFC 4760 8, RFC 2918 2, RFC 4724 3 and RFC 6793 3.
const OPEN_4OCTET = `${MARKER} 0045 01
  04        # version
  5ba0      # My AS: AS_TRANS, the ASN 4200000001 does not fit (RFC 6793 4.1)
  005a      # hold time 90
  c0000201  # BGP identifier 192.0.2.1
  28        # optional parameters length 40
  02 26     # parameter 2, capabilities, 38 octets
    01 04 0001 00 01             # multiprotocol IPv4 unicast
    01 04 0002 00 01             # multiprotocol IPv6 unicast
    02 00                        # route refresh
    40 0a 8078 0001 01 80 0002 01 00  # graceful restart: R set, 120 s; IPv4 forwarding kept, IPv6 not
    41 04 fa56ea01               # 4-octet AS 4200000001
    49 04 02 68 6f 73            # unknown capability 73 (FQDN), kept as bytes
`;

const open4: OpenMessage = {
  type: 'open',
  version: 4,
  myAs: AS_TRANS,
  holdTime: 90,
  bgpId: '192.0.2.1',
  parameters: [
    {
      type: 'capabilities',
      capabilities: [
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'multiprotocol', afi: 2, safi: 1 },
        { kind: 'route-refresh' },
        {
          kind: 'graceful-restart',
          restarting: true,
          notification: false,
          restartTime: 120,
          families: [
            { afi: 1, safi: 1, forwarding: true },
            { afi: 2, safi: 1, forwarding: false },
          ],
        },
        { kind: 'four-octet-as', asn: 4200000001 },
        { kind: 'unknown', code: 73, value: Uint8Array.of(0x02, 0x68, 0x6f, 0x73) },
      ],
    },
  ],
};

describe('OPEN (RFC 4271 4.2)', () => {
  it('decodes every capability this speaker negotiates, and keeps an unknown one', () => {
    expect(decode(unhex(OPEN_4OCTET))).toEqual({ ok: true, bytes: 69, value: open4 });
  });

  it('encodes to the same bytes', () => {
    expect(hex(encode(open4))).toBe(hex(unhex(OPEN_4OCTET)));
  });

  it('keeps capabilities split over several parameters as the peer sent them', () => {
    const bytes = unhex(`${MARKER} 0029 01 04 fde9 00b4 c0000201 0c 02 06 01 04 0001 0001 02 02 02 00`);
    const result = decode(bytes);
    expect(result.ok && result.value.type === 'open' && result.value.parameters.length).toBe(2);
    if (!result.ok || result.value.type !== 'open') return;
    expect(capabilitiesOf(result.value)).toEqual([
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'route-refresh' },
    ]);
    expect(hex(encode(result.value))).toBe(hex(bytes));
  });

  it('keeps an unknown optional parameter for the OPEN check to refuse', () => {
    const result = decode(unhex(`${MARKER} 0020 01 04 fde9 00b4 c0000201 03 09 01 aa`));
    expect(result.ok && result.value).toMatchObject({ parameters: [{ type: 'unknown', code: 9 }] });
  });

  it.each([
    ['an Opt Parm Len past the message', `${MARKER} 001d 01 04 fde9 00b4 c0000201 01`],
    ['an Opt Parm Len short of the message', `${MARKER} 001f 01 04 fde9 00b4 c0000201 00 0200`],
    ['a parameter running past Opt Parm Len', `${MARKER} 001f 01 04 fde9 00b4 c0000201 02 02 04`],
    ['a capability running past its parameter', `${MARKER} 0021 01 04 fde9 00b4 c0000201 04 02 02 01 04`],
    ['a 4-octet AS capability of 2 octets', `${MARKER} 0023 01 04 fde9 00b4 c0000201 06 02 04 41 02 fde9`],
    ['a route refresh capability with a value', `${MARKER} 0022 01 04 fde9 00b4 c0000201 05 02 03 02 01 00`],
    [
      'a graceful restart capability of 3 octets',
      `${MARKER} 0024 01 04 fde9 00b4 c0000201 07 02 05 40 03 000000`,
    ],
  ])('refuses %s with OPEN Message Error / Unspecific', (_name, bytes) => {
    const result = decode(unhex(bytes));
    expect(result.ok || result.error.notification).toEqual({
      code: ErrorCode.OpenMessageError,
      subcode: UNSPECIFIC,
      data: new Uint8Array(0),
    });
  });
});
