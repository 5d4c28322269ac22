// Ethernet II header (IEEE 802.3 clause 3.2.6 type interpretation), with an optional IEEE 802.1Q tag.
// AF_PACKET sockets usually see frames with the tag already stripped by VLAN offload, but a tag on the wire
// is decoded rather than mistaken for an unknown EtherType.
import { type Mac, readMac, writeMac } from './address';
import { type Decoded, decoded, malformed } from './result';

export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;

export interface VlanTag {
  readonly priority: number; // PCP, 3 bits
  readonly dropEligible: boolean; // DEI
  readonly id: number; // VID, 12 bits
}

export interface EthernetHeader {
  readonly destination: Mac;
  readonly source: Mac;
  readonly vlan?: VlanTag;
  readonly etherType: number;
}

export type EthernetMalformed = 'ethernet-truncated' | 'ethernet-length-field';

export function encodingLength(header: EthernetHeader): number {
  return header.vlan === undefined ? 14 : 18;
}

export function encode(header: EthernetHeader, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = buf ?? new Uint8Array(encodingLength(header));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  writeMac(header.destination, out, offset);
  writeMac(header.source, out, offset + 6);
  let at = offset + 12;
  if (header.vlan !== undefined) {
    const { priority, dropEligible, id } = header.vlan;
    view.setUint16(at, ETHERTYPE_VLAN);
    view.setUint16(at + 2, ((priority & 7) << 13) | (dropEligible ? 0x1000 : 0) | (id & 0xfff));
    at += 4;
  }
  view.setUint16(at, header.etherType);
  return out;
}

export function decode(buf: Uint8Array, offset = 0): Decoded<EthernetHeader, EthernetMalformed> {
  if (buf.length - offset < 14) return malformed('ethernet-truncated');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const destination = readMac(buf, offset);
  const source = readMac(buf, offset + 6);
  let etherType = view.getUint16(offset + 12);
  if (etherType !== ETHERTYPE_VLAN) {
    // Values up to 1500 are IEEE 802.3 lengths (LLC frames), not types this speaker speaks.
    if (etherType < 0x0600) return malformed('ethernet-length-field');
    return decoded({ destination, source, etherType }, 14);
  }
  if (buf.length - offset < 18) return malformed('ethernet-truncated');
  const tci = view.getUint16(offset + 14);
  etherType = view.getUint16(offset + 16);
  if (etherType < 0x0600) return malformed('ethernet-length-field');
  const vlan = { priority: tci >> 13, dropEligible: (tci & 0x1000) !== 0, id: tci & 0xfff };
  return decoded({ destination, source, vlan, etherType }, 18);
}
