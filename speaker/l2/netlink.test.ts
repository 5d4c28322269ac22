import fc from 'fast-check';
import {
  decodeAddress,
  decodeLink,
  decodeMessages,
  encodeDumpRequest,
  errorCode,
  RTM_GETADDR,
  RTM_GETLINK,
} from './netlink';

/** An rtattr: length (header included), type, data, padded to 4. */
function attr(type: number, data: Buffer): Buffer {
  const b = Buffer.alloc((4 + data.length + 3) & ~3);
  b.writeUInt16LE(4 + data.length, 0);
  b.writeUInt16LE(type, 2);
  data.copy(b, 4);
  return b;
}

function message(type: number, seq: number, body: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + body.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(2, 6); // NLM_F_MULTI
  h.writeUInt32LE(seq, 8);
  return Buffer.concat([h, body]);
}

function ifinfomsg(index: number, flags: number, type = 1): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(type, 2);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  return b;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

describe('rtnetlink codec', () => {
  it('builds dump requests with NLM_F_REQUEST|NLM_F_DUMP', () => {
    expect(encodeDumpRequest(RTM_GETLINK, 7).toString('hex')).toBe(
      '20000000' + '1200' + '0103' + '07000000' + '00000000' + '00'.repeat(16),
    );
    expect(encodeDumpRequest(RTM_GETADDR, 8, 10).toString('hex')).toBe(
      '18000000' + '1600' + '0103' + '08000000' + '00000000' + '0a' + '00'.repeat(7),
    );
  });

  it('decodes a link with name, MAC and master from a multi-message datagram', () => {
    const link = message(
      16,
      5,
      Buffer.concat([
        ifinfomsg(9, 0x1003),
        attr(3, Buffer.from('veth1\0')),
        attr(1, Buffer.from('02000000000a', 'hex')),
        attr(10, u32(4)),
      ]),
    );
    const done = message(3, 5, u32(0));
    const msgs = decodeMessages(Buffer.concat([link, done]));
    if (!msgs.ok) throw new Error(msgs.reason);
    expect(msgs.value.map((m) => m.type)).toEqual([16, 3]);
    const first = msgs.value[0];
    if (first === undefined) throw new Error('no message');
    expect(decodeLink(first)).toEqual({
      ok: true,
      bytes: first.payload.length,
      value: { index: 9, type: 1, flags: 0x1003, name: 'veth1', mac: '02:00:00:00:00:0a', master: 4 },
    });
  });

  it("reads the device kind from IFLA_LINKINFO's nested IFLA_INFO_KIND (a VRF master)", () => {
    const linkInfo = attr(1, Buffer.from('vrf\0'));
    const m = message(
      16,
      1,
      Buffer.concat([ifinfomsg(12, 0x1), attr(3, Buffer.from('red\0')), attr(18, linkInfo)]),
    );
    const msgs = decodeMessages(m);
    if (!msgs.ok || msgs.value[0] === undefined) throw new Error('no message');
    expect(decodeLink(msgs.value[0])).toMatchObject({ ok: true, value: { name: 'red', kind: 'vrf' } });
  });

  it('decodes an IPv6 address and prefers the 32-bit IFA_FLAGS', () => {
    const ifaddr = Buffer.from([10, 64, 0x80, 253, 9, 0, 0, 0]);
    const m = message(
      20,
      1,
      Buffer.concat([
        ifaddr,
        attr(1, Buffer.from('fe80000000000000000000fffe00000a', 'hex')),
        attr(8, u32(0x40)),
      ]),
    );
    const msgs = decodeMessages(m);
    if (!msgs.ok || msgs.value[0] === undefined) throw new Error('no message');
    expect(decodeAddress(msgs.value[0])).toMatchObject({
      ok: true,
      value: { index: 9, prefixLength: 64, scope: 253, flags: 0x40, address: 'fe80::ff:fe00:a' },
    });
  });

  it('reads the errno of an NLMSG_ERROR', () => {
    const msgs = decodeMessages(message(2, 1, Buffer.from('ffffffff', 'hex')));
    expect(msgs.ok && msgs.value[0] && errorCode(msgs.value[0])).toBe(1);
  });

  it('reports a message longer than the datagram as truncated', () => {
    const m = message(16, 1, ifinfomsg(1, 0));
    expect(decodeMessages(m.subarray(0, 20))).toEqual({ ok: false, reason: 'netlink-truncated' });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (b) => {
        const r = decodeMessages(b);
        if (r.ok) for (const m of r.value) void [decodeLink(m), decodeAddress(m)];
      }),
    );
  });
});
