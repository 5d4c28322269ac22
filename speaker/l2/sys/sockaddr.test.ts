import { decodeSockaddrLl, encodeSockaddrLl, encodeSockaddrNl } from './sockaddr';

describe('socket addresses', () => {
  it('lays out sockaddr_ll as linux/if_packet.h does (20 bytes, protocol big-endian)', () => {
    const b = encodeSockaddrLl({ protocol: 0x0806, ifindex: 7, address: Uint8Array.of(2, 0, 0, 0, 0, 0x0a) });
    expect(b.toString('hex')).toBe('1100' + '0806' + '07000000' + '0000' + '00' + '06' + '02000000000a0000');
    expect(decodeSockaddrLl(b)).toEqual({
      protocol: 0x0806,
      ifindex: 7,
      hatype: 0,
      pkttype: 0,
      address: Uint8Array.of(2, 0, 0, 0, 0, 0x0a),
    });
  });

  it('lays out sockaddr_nl with the kernel as pid 0', () => {
    expect(encodeSockaddrNl().toString('hex')).toBe('1000' + '0000' + '00000000' + '00000000');
  });
});
