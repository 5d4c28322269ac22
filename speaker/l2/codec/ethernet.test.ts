import fc from 'fast-check';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6, decode, encode, encodingLength } from './ethernet';
import { arbEthernet, hex, unhex } from './testutil';

describe('Ethernet II header', () => {
  it('encodes destination, source and EtherType in wire order', () => {
    const bytes = encode({
      destination: 'ff:ff:ff:ff:ff:ff',
      source: '02:00:00:00:00:0b',
      etherType: ETHERTYPE_ARP,
    });
    expect(hex(bytes)).toBe('ffffffffffff02000000000b0806');
  });

  it('decodes an 802.1Q tag and the EtherType behind it', () => {
    const r = decode(unhex('333300000001 02000000000a 8100 a07b 86dd'));
    expect(r).toEqual({
      ok: true,
      bytes: 18,
      value: {
        destination: '33:33:00:00:00:01',
        source: '02:00:00:00:00:0a',
        vlan: { priority: 5, dropEligible: false, id: 123 },
        etherType: ETHERTYPE_IPV6,
      },
    });
  });

  it('reports a short header as truncated', () => {
    expect(decode(unhex('ffffffffffff02000000000b08'))).toEqual({ ok: false, reason: 'ethernet-truncated' });
    expect(decode(unhex('ffffffffffff02000000000b8100a07b'))).toEqual({
      ok: false,
      reason: 'ethernet-truncated',
    });
  });

  it('reports an 802.3 length field as not a type it handles', () => {
    expect(decode(unhex('ffffffffffff02000000000b0040'))).toEqual({
      ok: false,
      reason: 'ethernet-length-field',
    });
  });

  it('round-trips any header, with or without a tag', () => {
    fc.assert(
      fc.property(arbEthernet(fc.integer({ min: 0x0600, max: 0xffff }).filter((t) => t !== 0x8100)), (h) => {
        const bytes = encode(h);
        expect(bytes.length).toBe(encodingLength(h));
        expect(decode(bytes)).toEqual({ ok: true, value: h, bytes: bytes.length });
      }),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (b) => expect(typeof decode(b).ok).toBe('boolean')),
    );
  });
});
