import fc from 'fast-check';
import { decode, encode, encodingLength } from './arp';
import { arbArp, hex, unhex } from './testutil';

// An `arping -c 1 -i <if> 192.0.2.200` request from 02:00:00:00:00:0b (192.0.2.2), captured with tcpdump on
// the far end of a veth pair; the Ethernet header (14 bytes) is cut off and the padding follows the packet.
const ARPING_REQUEST = '0001 0800 06 04 0001 02000000000b c0000202 000000000000 c00002c8';

describe('ARP (RFC 826, Ethernet/IPv4)', () => {
  it('decodes a captured arping request', () => {
    expect(decode(unhex(ARPING_REQUEST + '00'.repeat(16)))).toEqual({
      ok: true,
      bytes: 28,
      value: {
        operation: 'request',
        senderMac: '02:00:00:00:00:0b',
        senderIp: '192.0.2.2',
        targetMac: '00:00:00:00:00:00',
        targetIp: '192.0.2.200',
      },
    });
  });

  it('encodes a reply with opcode 2 and the hardware/protocol header of RFC 826', () => {
    const bytes = encode({
      operation: 'reply',
      senderMac: '02:00:00:00:00:0a',
      senderIp: '192.0.2.200',
      targetMac: '02:00:00:00:00:0b',
      targetIp: '192.0.2.2',
    });
    expect(hex(bytes)).toBe('000108000604000202000000000ac00002c802000000000bc0000202');
  });

  it.each([
    ['0006' + ARPING_REQUEST.replace(/\s/g, '').slice(4), 'arp-hardware-type'],
    ['000186dd' + ARPING_REQUEST.replace(/\s/g, '').slice(8), 'arp-protocol-type'],
    ['000108000610' + ARPING_REQUEST.replace(/\s/g, '').slice(12), 'arp-address-length'],
    ['0001080006040003' + ARPING_REQUEST.replace(/\s/g, '').slice(16), 'arp-operation'],
    [ARPING_REQUEST.replace(/\s/g, '').slice(0, 54), 'arp-truncated'],
  ])('rejects %s as %s', (bytes, reason) => {
    expect(decode(unhex(bytes))).toEqual({ ok: false, reason });
  });

  it('round-trips any packet', () => {
    fc.assert(
      fc.property(arbArp, (p) => {
        const bytes = encode(p);
        expect(bytes.length).toBe(encodingLength(p));
        expect(decode(bytes)).toEqual({ ok: true, value: p, bytes: 28 });
      }),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => expect(typeof decode(b).ok).toBe('boolean')),
    );
  });
});
