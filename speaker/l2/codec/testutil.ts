// fast-check arbitraries for the L2 codecs' value types, in canonical form (what decode produces).
import fc from 'fast-check';
import { formatIP } from '../../../addr/ip';
import type { Mac } from './address';
import type { ArpPacket } from './arp';
import type { EthernetHeader } from './ethernet';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6 } from './ethernet';
import { type ArpFrame, type Frame, type NdpFrame, encode as encodeFrame } from './frame';
import type { NdpMessage, NdpOption } from './ndp';

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const unhex = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

export const arbMac: fc.Arbitrary<Mac> = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'));

export const arbIPv4 = fc
  .bigInt({ min: 0n, max: (1n << 32n) - 1n })
  .map((value) => formatIP({ family: 4, value }));
export const arbIPv6 = fc
  .bigInt({ min: 0n, max: (1n << 128n) - 1n })
  .map((value) => formatIP({ family: 6, value }));

export const arbEthernet = (etherType: fc.Arbitrary<number>): fc.Arbitrary<EthernetHeader> =>
  fc.record(
    {
      destination: arbMac,
      source: arbMac,
      vlan: fc.record({
        priority: fc.integer({ min: 0, max: 7 }),
        dropEligible: fc.boolean(),
        id: fc.integer({ min: 0, max: 4095 }),
      }),
      etherType,
    },
    { requiredKeys: ['destination', 'source', 'etherType'] },
  );

export const arbArp: fc.Arbitrary<ArpPacket> = fc.record({
  operation: fc.constantFrom('request' as const, 'reply' as const),
  senderMac: arbMac,
  senderIp: arbIPv4,
  targetMac: arbMac,
  targetIp: arbIPv4,
});

export const arbNdpOption: fc.Arbitrary<NdpOption> = fc.oneof(
  arbMac.map((mac) => ({ kind: 'source-lla' as const, mac })),
  arbMac.map((mac) => ({ kind: 'target-lla' as const, mac })),
  fc
    .record({ type: fc.integer({ min: 3, max: 255 }), units: fc.integer({ min: 1, max: 4 }) })
    .chain(({ type, units }) =>
      fc
        .uint8Array({ minLength: units * 8 - 2, maxLength: units * 8 - 2 })
        .map((data) => ({ kind: 'other' as const, type, data })),
    ),
);

export const arbNdp: fc.Arbitrary<NdpMessage> = fc.oneof(
  fc.record({
    type: fc.constant('neighbor-solicitation' as const),
    target: arbIPv6,
    options: fc.array(arbNdpOption, { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('neighbor-advertisement' as const),
    router: fc.boolean(),
    solicited: fc.boolean(),
    override: fc.boolean(),
    target: arbIPv6,
    options: fc.array(arbNdpOption, { maxLength: 4 }),
  }),
);

export const arbArpFrame: fc.Arbitrary<ArpFrame> = fc.record({
  ethernet: arbEthernet(fc.constant(ETHERTYPE_ARP)),
  protocol: fc.constant('arp' as const),
  arp: arbArp,
});

export const arbNdpFrame: fc.Arbitrary<NdpFrame> = fc.record({
  ethernet: arbEthernet(fc.constant(ETHERTYPE_IPV6)),
  protocol: fc.constant('ndp' as const),
  ipv6: fc.record({
    trafficClass: fc.integer({ min: 0, max: 255 }),
    flowLabel: fc.integer({ min: 0, max: 0xfffff }),
    hopLimit: fc.integer({ min: 0, max: 255 }),
    source: arbIPv6,
    destination: arbIPv6,
  }),
  ndp: arbNdp,
});

export const arbFrame: fc.Arbitrary<Frame> = fc.oneof(arbArpFrame, arbNdpFrame);

/** Bytes that are mostly a valid frame with some corruption, which reaches deeper decoder paths than noise. */
export const arbMangledFrame: fc.Arbitrary<Uint8Array> = fc
  .tuple(arbFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
  .map(([frame, edits, cut]) => {
    const bytes = encodeFrame(frame);
    for (const [at, value] of edits) bytes[at % bytes.length] = value;
    return bytes.subarray(0, bytes.length - (cut % 8));
  });
