import { decode, encode } from './codec/frame';
import { gratuitousArp, unsolicitedNeighborAdvertisement } from './gratuitous';
import { hex } from './codec/testutil';

const MAC = '02:00:00:00:00:0a';

describe('gratuitous ARP (RFC 5227 §3, upstream internal/layer2/arp.go)', () => {
  it('sends a broadcast request and a broadcast reply, sender = target = the address', () => {
    const [request, reply] = gratuitousArp('192.0.2.200', MAC);
    expect(hex(encode(request))).toBe(
      'ffffffffffff02000000000a0806' +
        '000108000604' +
        '0001' +
        '02000000000ac00002c8' +
        'ffffffffffffc00002c8' +
        '00'.repeat(18),
    );
    expect(reply.arp).toEqual({ ...request.arp, operation: 'reply' });
    expect(reply.ethernet.destination).toBe('ff:ff:ff:ff:ff:ff');
  });
});

describe('unsolicited Neighbor Advertisement (RFC 4861 §7.2.6)', () => {
  it('goes to ff02::1 at 33:33:00:00:00:01 with Override, without Solicited, hop limit 255', () => {
    const na = unsolicitedNeighborAdvertisement('2001:db8:1::200', MAC);
    const bytes = encode(na);
    expect(hex(bytes.subarray(0, 14))).toBe('33330000000102000000000a86dd');
    expect(bytes[21]).toBe(255);
    expect(bytes[54]).toBe(136);
    expect(bytes[58]).toBe(0x20);
    const back = decode(bytes);
    expect(back.ok && back.value).toEqual(na);
  });
});
