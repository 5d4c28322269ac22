// rtnetlink (linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h) as pure encode/decode: the link and
// address dumps the speaker reads to find usable interfaces in its own network namespace. Netlink uses the
// host's byte order; we write little-endian, which is every platform the speaker image is built for.
import { readIPv6, readMac } from './codec/address';
import { type Decoded, decoded, malformed } from './codec/result';

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLMSG_HDRLEN = 16;
const IFINFOMSG_LEN = 16;
const IFADDRMSG_LEN = 8;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1; // nested in IFLA_LINKINFO
const IFA_ADDRESS = 1;
const IFA_FLAGS = 8;

export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_NOARP = 0x80;
export const ARPHRD_ETHER = 1;
export const RT_SCOPE_LINK = 253;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_TENTATIVE = 0x40;
const AF_INET6 = 10;

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly payload: Uint8Array;
}

export interface Link {
  readonly index: number;
  readonly name: string;
  readonly type: number; // ARPHRD_*
  readonly flags: number; // IFF_*
  readonly mac?: string;
  readonly master?: number;
  /** IFLA_LINKINFO's IFLA_INFO_KIND: "vrf", "veth", "bridge"; absent for a plain device. */
  readonly kind?: string;
}

export interface InterfaceAddress {
  readonly index: number;
  readonly family: number;
  readonly prefixLength: number;
  readonly scope: number;
  readonly flags: number; // IFA_F_*, from IFA_FLAGS when present (it has the bits ifa_flags cannot hold)
  readonly address: string;
}

export type NetlinkMalformed = 'netlink-truncated' | 'netlink-error' | 'netlink-attribute';

const align4 = (n: number): number => (n + 3) & ~3;

/** A dump request: RTM_GETLINK (any family) or RTM_GETADDR for one family. */
export function encodeDumpRequest(
  type: typeof RTM_GETLINK | typeof RTM_GETADDR,
  seq: number,
  family = 0,
): Buffer {
  const bodyLength = type === RTM_GETLINK ? IFINFOMSG_LEN : IFADDRMSG_LEN;
  const b = Buffer.alloc(NLMSG_HDRLEN + bodyLength);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  b.writeUInt32LE(seq >>> 0, 8);
  b.writeUInt8(family, NLMSG_HDRLEN);
  return b;
}

/** Splits one received datagram into messages. */
export function decodeMessages(buf: Uint8Array): Decoded<NetlinkMessage[], NetlinkMalformed> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: NetlinkMessage[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= buf.length) {
    const length = view.getUint32(at, true);
    if (length < NLMSG_HDRLEN || at + length > buf.length) return malformed('netlink-truncated');
    out.push({
      type: view.getUint16(at + 4, true),
      flags: view.getUint16(at + 6, true),
      seq: view.getUint32(at + 8, true),
      payload: buf.subarray(at + NLMSG_HDRLEN, at + length),
    });
    at += align4(length);
  }
  return decoded(out, buf.length);
}

/** For an NLMSG_ERROR message: the (positive) errno, or 0 for an acknowledgement. */
export function errorCode(msg: NetlinkMessage): number {
  if (msg.payload.length < 4) return 0;
  return -new DataView(msg.payload.buffer, msg.payload.byteOffset, 4).getInt32(0, true);
}

function attributes(payload: Uint8Array, start: number): Map<number, Uint8Array> | undefined {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const attrs = new Map<number, Uint8Array>();
  let at = start;
  while (at + 4 <= payload.length) {
    const len = view.getUint16(at, true);
    const type = view.getUint16(at + 2, true) & 0x3fff; // strip NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (len < 4 || at + len > payload.length) return undefined;
    attrs.set(type, payload.subarray(at + 4, at + len));
    at += align4(len);
  }
  return attrs;
}

function cString(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8').replace(/\0.*$/s, '');
}

export function decodeLink(msg: NetlinkMessage): Decoded<Link, NetlinkMalformed> {
  if (msg.type !== RTM_NEWLINK || msg.payload.length < IFINFOMSG_LEN) return malformed('netlink-truncated');
  const view = new DataView(msg.payload.buffer, msg.payload.byteOffset, msg.payload.byteLength);
  const attrs = attributes(msg.payload, IFINFOMSG_LEN);
  if (attrs === undefined) return malformed('netlink-attribute');
  const name = attrs.get(IFLA_IFNAME);
  const address = attrs.get(IFLA_ADDRESS);
  const master = attrs.get(IFLA_MASTER);
  const linkInfo = attrs.get(IFLA_LINKINFO);
  const kind = linkInfo !== undefined ? attributes(linkInfo, 0)?.get(IFLA_INFO_KIND) : undefined;
  const link: Link = {
    index: view.getInt32(4, true),
    type: view.getUint16(2, true),
    flags: view.getUint32(8, true),
    name: name === undefined ? '' : cString(name),
    ...(address?.length === 6 ? { mac: readMac(address, 0) } : {}),
    ...(master !== undefined && master.length >= 4 ? { master: Buffer.from(master).readUInt32LE(0) } : {}),
    ...(kind !== undefined && kind.length > 0 ? { kind: cString(kind) } : {}),
  };
  return decoded(link, msg.payload.length);
}

/** Decodes RTM_NEWADDR; only IPv6 addresses are of interest (the link-local that NDP replies come from). */
export function decodeAddress(msg: NetlinkMessage): Decoded<InterfaceAddress, NetlinkMalformed> {
  if (msg.type !== RTM_NEWADDR || msg.payload.length < IFADDRMSG_LEN) return malformed('netlink-truncated');
  const p = msg.payload;
  const attrs = attributes(p, IFADDRMSG_LEN);
  if (attrs === undefined) return malformed('netlink-attribute');
  const family = p[0] ?? 0;
  const raw = attrs.get(IFA_ADDRESS);
  if (family !== AF_INET6 || raw?.length !== 16) return malformed('netlink-attribute');
  const flags32 = attrs.get(IFA_FLAGS);
  return decoded(
    {
      index: Buffer.from(p).readUInt32LE(4),
      family,
      prefixLength: p[1] ?? 0,
      scope: p[3] ?? 0,
      flags:
        flags32 !== undefined && flags32.length >= 4 ? Buffer.from(flags32).readUInt32LE(0) : (p[2] ?? 0),
      address: readIPv6(raw, 0),
    },
    p.length,
  );
}
