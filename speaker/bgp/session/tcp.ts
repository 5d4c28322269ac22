// Outbound TCP for a BGP session, with the socket options Node's net module cannot set: the TCP MD5 signature
// key (RFC 2385) and the IP TTL / IPv6 hop limit (1 for a directly connected eBGP peer, 255 for multihop).
// A peer in a VRF gets SO_BINDTODEVICE to the VRF device (speaker/l2/sys/bindtodevice.ts). All must be on
// the socket before connect(), so the socket is created unconnected through libc (speaker/l2/sys/libc.ts,
// the one koffi module) and handed to net.Socket({ fd }), which then connects it.
import { isIPv6, Socket } from 'node:net';
import { parseIP } from '../../../addr/ip';
import { bindToVrf } from '../../l2/sys/bindtodevice';
import { SOCK_CLOEXEC, close, setsockopt, socket } from '../../l2/sys/libc';

// linux/socket.h, linux/in.h, linux/in6.h, linux/tcp.h.
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;
const IP_TTL = 2;
const IPV6_UNICAST_HOPS = 16;
const TCP_MD5SIG = 14;
/** sizeof(struct tcp_md5sig): sockaddr_storage (128), flags, prefixlen, keylen (u16), ifindex (u32), key[80]. */
export const TCP_MD5SIG_SIZE = 216;
export const TCP_MD5SIG_MAXKEYLEN = 80;

export interface DialOptions {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly sourceAddress?: string;
  /** TCP MD5 key (RFC 2385); ASCII, at most 80 octets. */
  readonly password?: string;
  /** IP TTL / hop limit for the connection's packets. */
  readonly ttl?: number;
  /** The Linux VRF device the connection runs in (BGPPeer spec.vrf); not set: the default table. */
  readonly vrf?: string;
}

/** The `struct tcp_md5sig` that sets (or, with an empty key, clears) the key for one peer address. */
export function md5sig(peerAddress: string, password: string): Buffer {
  const key = Buffer.from(password, 'latin1');
  if (key.length > TCP_MD5SIG_MAXKEYLEN)
    throw new RangeError(`TCP MD5 key longer than ${TCP_MD5SIG_MAXKEYLEN}`);
  const ip = parseIP(peerAddress);
  if (ip === undefined) throw new RangeError(`not an IP address: ${peerAddress}`);
  const buf = Buffer.alloc(TCP_MD5SIG_SIZE);
  // struct sockaddr_in / sockaddr_in6 at the start of tcpm_addr; family in host order (little-endian here).
  buf.writeUInt16LE(ip.family === 4 ? AF_INET : AF_INET6, 0);
  const octets = ip.family === 4 ? 4 : 16;
  const at = ip.family === 4 ? 4 : 8; // sin_addr / sin6_addr
  for (let i = 0; i < octets; i++) buf[at + i] = Number((ip.value >> BigInt(8 * (octets - 1 - i))) & 0xffn);
  buf.writeUInt16LE(key.length, 130); // tcpm_keylen
  key.copy(buf, 136); // tcpm_key
  return buf;
}

function ttlOption(family: 4 | 6, ttl: number): [number, number, Buffer] {
  const v = Buffer.alloc(4);
  v.writeInt32LE(ttl);
  return family === 4 ? [IPPROTO_IP, IP_TTL, v] : [IPPROTO_IPV6, IPV6_UNICAST_HOPS, v];
}

/**
 * Starts a TCP connection; 'connect' and 'error' arrive on the returned socket as with net.connect. Throws
 * VrfDeviceMissingError when `vrf` names no device, before any connection is attempted.
 */
export function dial(opts: DialOptions): Socket {
  const family = isIPv6(opts.peerAddress) ? 6 : 4;
  const connectOpts = {
    host: opts.peerAddress,
    port: opts.peerPort,
    ...(opts.sourceAddress !== undefined ? { localAddress: opts.sourceAddress } : {}),
  };
  if (opts.password === undefined && opts.ttl === undefined && opts.vrf === undefined)
    return new Socket().connect(connectOpts);
  const fd = socket(family === 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  try {
    if (opts.vrf !== undefined) bindToVrf(fd, opts.vrf, opts.peerAddress);
    if (opts.password !== undefined)
      setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, md5sig(opts.peerAddress, opts.password));
    if (opts.ttl !== undefined) setsockopt(fd, ...ttlOption(family, opts.ttl));
  } catch (err) {
    close(fd);
    throw err;
  }
  return new Socket({ fd, readable: true, writable: true }).connect(connectOpts);
}
