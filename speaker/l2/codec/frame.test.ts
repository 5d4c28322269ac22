import fc from 'fast-check';
import { decode, encode, encodingLength, MIN_FRAME_LENGTH } from './frame';
import { arbFrame, arbMangledFrame, hex, unhex } from './testutil';

// Real frames captured with tcpdump on one end of a veth pair whose peer ran the tool.
const ARPING_FRAME =
  'ffffffffffff 02000000000b 0806 0001080006040001 02000000000b c0000202 000000000000 c00002c8' +
  '00'.repeat(16);
const NDISC6_FRAME =
  '3333ff000200 02000000000b 86dd 600152700020 3aff fe80000000000000000000fffe00000b ff0200000000000000000001ff000200' +
  '8700484e00000000 20010db8000100000000000000000200 0101 02000000000b';

describe('whole L2 frames', () => {
  it('decodes a captured arping request frame', () => {
    const r = decode(unhex(ARPING_FRAME));
    expect(r.ok && r.value.protocol === 'arp' && r.value.arp.targetIp).toBe('192.0.2.200');
  });

  it('decodes a captured ndisc6 solicitation frame', () => {
    const r = decode(unhex(NDISC6_FRAME));
    if (!r.ok) throw new Error(r.reason);
    expect(r.value).toEqual({
      ethernet: { destination: '33:33:ff:00:02:00', source: '02:00:00:00:00:0b', etherType: 0x86dd },
      protocol: 'ndp',
      ipv6: {
        trafficClass: 0,
        flowLabel: 0x15270,
        hopLimit: 255,
        source: 'fe80::ff:fe00:b',
        destination: 'ff02::1:ff00:200',
      },
      ndp: {
        type: 'neighbor-solicitation',
        target: '2001:db8:1::200',
        options: [{ kind: 'source-lla', mac: '02:00:00:00:00:0b' }],
      },
    });
  });

  it('re-encodes the captured solicitation byte for byte', () => {
    const r = decode(unhex(NDISC6_FRAME));
    if (!r.ok) throw new Error(r.reason);
    expect(hex(encode(r.value))).toBe(NDISC6_FRAME.replace(/\s/g, ''));
  });

  it('pads an ARP frame to the 60-byte Ethernet minimum', () => {
    const r = decode(unhex(ARPING_FRAME));
    if (!r.ok) throw new Error(r.reason);
    const bytes = encode(r.value);
    expect(bytes.length).toBe(MIN_FRAME_LENGTH);
    expect(hex(bytes.subarray(0, 42))).toBe(ARPING_FRAME.replace(/\s/g, '').slice(0, 84));
  });

  it('rejects IPv6 that does not carry ICMPv6 directly', () => {
    const bytes = unhex(NDISC6_FRAME);
    bytes[20] = 0; // hop-by-hop options header
    expect(decode(bytes)).toEqual({ ok: false, reason: 'ipv6-not-icmpv6' });
  });

  it('rejects an IPv6 payload length beyond the frame', () => {
    const bytes = unhex(NDISC6_FRAME);
    bytes[19] = 0x40;
    expect(decode(bytes)).toEqual({ ok: false, reason: 'ipv6-payload-truncated' });
  });

  it('rejects EtherTypes other than ARP and IPv6', () => {
    const bytes = unhex(ARPING_FRAME);
    bytes[12] = 0x08;
    bytes[13] = 0x00;
    expect(decode(bytes)).toEqual({ ok: false, reason: 'frame-ethertype' });
  });

  it('round-trips any ARP or NDP frame', () => {
    fc.assert(
      fc.property(arbFrame, (f) => {
        const bytes = encode(f);
        expect(bytes.length).toBe(encodingLength(f));
        const r = decode(bytes);
        expect(r.ok && r.value).toEqual(f);
      }),
    );
  });

  it('never throws on arbitrary bytes, and reports a reason for every failure', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 128 }), arbMangledFrame), (b) => {
        const r = decode(b);
        if (!r.ok) expect(r.reason).toMatch(/^[a-z0-9-]+$/);
      }),
      { numRuns: 2000 },
    );
  });
});
