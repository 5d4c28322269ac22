// Whole frames as the packet socket sees them: Ethernet + ARP, or Ethernet + IPv6 + ICMPv6 NS/NA. This is
// the one place that strings the layer codecs together, so callers never do offset arithmetic.
import * as arp from './arp';
import * as ethernet from './ethernet';
import * as ipv6 from './ipv6';
import * as ndp from './ndp';
import { NEXT_HEADER_ICMPV6 } from './checksum';
import { type Decoded, decoded, malformed } from './result';

/** Senders pad short frames to the Ethernet minimum (64 bytes with FCS, 60 without). */
export const MIN_FRAME_LENGTH = 60;

/** The IPv6 header fields a frame chooses; payload length and next header follow from the NDP message. */
export interface Ipv6Fields {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly hopLimit: number;
  readonly source: string;
  readonly destination: string;
}

export type ArpFrame = {
  readonly ethernet: ethernet.EthernetHeader;
  readonly protocol: 'arp';
  readonly arp: arp.ArpPacket;
};

export type NdpFrame = {
  readonly ethernet: ethernet.EthernetHeader;
  readonly protocol: 'ndp';
  readonly ipv6: Ipv6Fields;
  readonly ndp: ndp.NdpMessage;
};

export type Frame = ArpFrame | NdpFrame;

export type FrameMalformed =
  | ethernet.EthernetMalformed
  | arp.ArpMalformed
  | ipv6.Ipv6Malformed
  | ndp.NdpMalformed
  | 'frame-ethertype'
  | 'ipv6-not-icmpv6'
  | 'ipv6-payload-truncated';

function payloadLength(frame: Frame): number {
  return frame.protocol === 'arp' ? arp.ARP_LENGTH : ipv6.IPV6_HEADER_LENGTH + ndp.encodingLength(frame.ndp);
}

export function encodingLength(frame: Frame): number {
  return Math.max(MIN_FRAME_LENGTH, ethernet.encodingLength(frame.ethernet) + payloadLength(frame));
}

export function encode(frame: Frame, buf?: Uint8Array, offset = 0): Uint8Array {
  const wanted = frame.protocol === 'arp' ? ethernet.ETHERTYPE_ARP : ethernet.ETHERTYPE_IPV6;
  if (frame.ethernet.etherType !== wanted) {
    throw new TypeError(`${frame.protocol} frame with EtherType 0x${frame.ethernet.etherType.toString(16)}`);
  }
  const length = encodingLength(frame);
  const out = buf ?? new Uint8Array(length);
  out.fill(0, offset, offset + length);
  ethernet.encode(frame.ethernet, out, offset);
  const at = offset + ethernet.encodingLength(frame.ethernet);
  if (frame.protocol === 'arp') {
    arp.encode(frame.arp, out, at);
  } else {
    const header: ipv6.Ipv6Header = {
      ...frame.ipv6,
      payloadLength: ndp.encodingLength(frame.ndp),
      nextHeader: NEXT_HEADER_ICMPV6,
    };
    ipv6.encode(header, out, at);
    ndp.encode(frame.ndp, frame.ipv6, out, at + ipv6.IPV6_HEADER_LENGTH);
  }
  return out;
}

export function decode(buf: Uint8Array, offset = 0): Decoded<Frame, FrameMalformed> {
  const eth = ethernet.decode(buf, offset);
  if (!eth.ok) return eth;
  const at = offset + eth.bytes;
  if (eth.value.etherType === ethernet.ETHERTYPE_ARP) {
    const a = arp.decode(buf, at);
    if (!a.ok) return a;
    return decoded({ ethernet: eth.value, protocol: 'arp', arp: a.value }, buf.length - offset);
  }
  if (eth.value.etherType !== ethernet.ETHERTYPE_IPV6) return malformed('frame-ethertype');
  const ip = ipv6.decode(buf, at);
  if (!ip.ok) return ip;
  const { payloadLength: length, nextHeader, ...fields } = ip.value;
  if (nextHeader !== NEXT_HEADER_ICMPV6) return malformed('ipv6-not-icmpv6');
  const start = at + ipv6.IPV6_HEADER_LENGTH;
  if (start + length > buf.length) return malformed('ipv6-payload-truncated');
  const message = ndp.decode(buf, start, length, fields);
  if (!message.ok) return message;
  return decoded(
    { ethernet: eth.value, protocol: 'ndp', ipv6: fields, ndp: message.value },
    buf.length - offset,
  );
}
