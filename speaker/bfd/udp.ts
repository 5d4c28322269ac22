// The BFD I/O edge: UDP sockets per RFC 5881 (single hop, port 3784) and RFC 5883 (multihop, port 4784).
//
// Packets go out with TTL / Hop Limit 255 from a source port in 49152-65535 (RFC 5881 section 4), one source
// port per local address, so every session from that address keeps the same one. Received packets are
// checked against a minimum TTL in the kernel: Linux's IP_MINTTL and IPV6_MINHOPCOUNT do not filter UDP
// (checked on 6.18: a socket with IP_MINTTL 255 still receives TTL 254), so a classic BPF filter reads the
// TTL (IPv4 octet 8) or Hop Limit (IPv6 octet 7) from the IP header at SKF_NET_OFF and drops what is below:
// 255 for single hop (RFC 5881 section 5, GTSM), the profile's minimumTtl for multihop (RFC 5883 section 5).
//
// One BfdPort per (VRF, local address, port) serves every session on it; packets are handed to the session
// named by Your Discriminator, or, while that is zero, to the session of the source address (RFC 5880 6.8.6).
// A port for a peer in a VRF has both sockets bound to the VRF device (SO_BINDTODEVICE, set before bind(),
// speaker/l2/sys/bindtodevice.ts), so it sends and receives through the VRF's interfaces only.
import { isIPv4 } from 'node:net';
import { readIPv4, readIPv6, writeIPv4, writeIPv6 } from '../l2/codec/address';
import { bindToVrf } from '../l2/sys/bindtodevice';
import * as libc from '../l2/sys/libc';
import type { BpfInstruction } from '../l2/bpf';
import { decode, encode, type ControlPacket } from './packet';

export const SINGLE_HOP_PORT = 3784; // RFC 5881 section 4
export const MULTIHOP_PORT = 4784; // RFC 5883 section 5
export const SOURCE_PORT_FIRST = 49152;
export const SOURCE_PORT_LAST = 65535;
export const SEND_TTL = 255;

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const IPPROTO_IP = 0;
const IPPROTO_IPV6 = 41;
const IP_TTL = 2;
const IPV6_UNICAST_HOPS = 16;
const SKF_NET_OFF = -0x100000; // linux/filter.h: offsets from the network header
const BPF_LD_B_ABS = 0x30;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;

/** Accept a datagram only when its IPv4 TTL or IPv6 Hop Limit is at least `minTtl`. */
export function minTtlFilter(family: 4 | 6, minTtl: number): BpfInstruction[] {
  return [
    { code: BPF_LD_B_ABS, jt: 0, jf: 0, k: (SKF_NET_OFF + (family === 4 ? 8 : 7)) >>> 0 },
    { code: BPF_JGE_K, jt: 0, jf: 1, k: minTtl },
    { code: BPF_RET_K, jt: 0, jf: 0, k: 0xffff },
    { code: BPF_RET_K, jt: 0, jf: 0, k: 0 },
  ];
}

/** struct sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes), port in network order. */
export function encodeSockaddr(ip: string, port: number): Buffer {
  if (isIPv4(ip)) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    writeIPv4(ip, b, 4);
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  writeIPv6(ip, b, 8);
  return b;
}

export function decodeSockaddr(b: Buffer): { ip: string; port: number } {
  const port = b.readUInt16BE(2);
  return b.readUInt16LE(0) === AF_INET ? { ip: readIPv4(b, 4), port } : { ip: readIPv6(b, 8), port };
}

/** Canonical text of an address (RFC 5952 for IPv6), so lookups by source address compare equal. */
export function canonicalIP(ip: string): string {
  return decodeSockaddr(encodeSockaddr(ip, 0)).ip;
}

export interface Receiver {
  onPacket(packet: ControlPacket, from: string): void;
}

export interface PortEvents {
  /** A datagram no session takes: undecodable (6.8.6), unknown Your Discriminator, unknown source. */
  onDrop(reason: string, from: string): void;
}

const intOption = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};

/** The kernel's choice of source address for `peer` inside `vrf`: connect() on a UDP socket, nothing sent. */
export function routeSourceInVrf(peer: string, vrf: string): string {
  const fd = libc.socket(isIPv4(peer) ? AF_INET : AF_INET6, SOCK_DGRAM | libc.SOCK_CLOEXEC, 0);
  try {
    bindToVrf(fd, vrf, peer);
    libc.connect(fd, encodeSockaddr(peer, SINGLE_HOP_PORT));
    const local = Buffer.alloc(28);
    libc.getsockname(fd, local);
    return decodeSockaddr(local).ip;
  } finally {
    libc.close(fd);
  }
}

/**
 * The receive socket on (local address, 3784 or 4784) and the send socket on (local address, source port),
 * both bound to `vrf`'s device when set.
 */
export class BfdPort {
  private readonly rx: number;
  private readonly tx: number;
  private readonly watch: libc.Watch;
  private readonly byDiscriminator = new Map<number, Receiver>();
  private readonly byPeer = new Map<string, Receiver>();
  private readonly buf = Buffer.alloc(512);
  private readonly from = Buffer.alloc(28);
  private closed = false;
  readonly sourcePort: number;

  constructor(
    readonly localAddress: string,
    readonly port: number,
    minTtl: number,
    private readonly events: PortEvents,
    readonly vrf?: string,
  ) {
    const v4 = isIPv4(localAddress);
    const family = v4 ? AF_INET : AF_INET6;
    const type = SOCK_DGRAM | libc.SOCK_NONBLOCK | libc.SOCK_CLOEXEC;
    this.rx = libc.socket(family, type, 0);
    this.tx = -1;
    try {
      if (vrf !== undefined) bindToVrf(this.rx, vrf, localAddress);
      libc.attachFilter(this.rx, minTtlFilter(v4 ? 4 : 6, minTtl));
      libc.bind(this.rx, encodeSockaddr(localAddress, port));
      this.tx = libc.socket(family, type, 0);
      if (vrf !== undefined) bindToVrf(this.tx, vrf, localAddress);
      const [level, name] = v4 ? [IPPROTO_IP, IP_TTL] : [IPPROTO_IPV6, IPV6_UNICAST_HOPS];
      libc.setsockopt(this.tx, level, name, intOption(SEND_TTL));
      this.sourcePort = bindSourcePort(this.tx, localAddress);
    } catch (err) {
      libc.close(this.rx);
      if (this.tx >= 0) libc.close(this.tx);
      throw err;
    }
    this.watch = libc.watchReadable(this.rx, () => this.drain());
  }

  /** Makes the port hand this peer's packets to `receiver`; returns the function that undoes it. */
  register(localDiscriminator: number, peerAddress: string, receiver: Receiver): () => void {
    const peer = canonicalIP(peerAddress);
    this.byDiscriminator.set(localDiscriminator, receiver);
    this.byPeer.set(peer, receiver);
    return () => {
      if (this.byDiscriminator.get(localDiscriminator) === receiver)
        this.byDiscriminator.delete(localDiscriminator);
      if (this.byPeer.get(peer) === receiver) this.byPeer.delete(peer);
    };
  }

  get isIdle(): boolean {
    return this.byDiscriminator.size === 0;
  }

  send(packet: ControlPacket, peerAddress: string): void {
    if (this.closed) return;
    try {
      libc.sendto(this.tx, encode(packet), encodeSockaddr(peerAddress, this.port));
    } catch (err) {
      // A route or link going away (ENETUNREACH, EHOSTUNREACH) is what BFD detects; the next packet retries.
      if (!(err instanceof libc.SyscallError)) throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch.close();
    libc.close(this.rx);
    libc.close(this.tx);
  }

  private drain(): void {
    for (let i = 0; i < 64 && !this.closed; i++) {
      let n: number | 'again';
      try {
        n = libc.recvfrom(this.rx, this.buf, this.from);
      } catch {
        return;
      }
      if (n === 'again') return;
      const from = decodeSockaddr(this.from).ip;
      const decoded = decode(this.buf.subarray(0, n));
      if (!decoded.ok) {
        this.events.onDrop(decoded.reason, from);
        continue;
      }
      const p = decoded.value;
      const receiver =
        p.yourDiscriminator !== 0 ? this.byDiscriminator.get(p.yourDiscriminator) : this.byPeer.get(from);
      if (receiver === undefined) {
        this.events.onDrop(p.yourDiscriminator !== 0 ? 'unknown Your Discriminator' : 'unknown peer', from);
        continue;
      }
      receiver.onPacket(p, from);
    }
  }
}

// RFC 5881 section 4: the source port is in 49152-65535. Start at a random one so two speakers on a host
// (tests) do not contend for the same.
function bindSourcePort(fd: number, localAddress: string): number {
  const span = SOURCE_PORT_LAST - SOURCE_PORT_FIRST + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = SOURCE_PORT_FIRST + ((start + i) % span);
    try {
      libc.bind(fd, encodeSockaddr(localAddress, port));
      return port;
    } catch (err) {
      if (!(err instanceof libc.SyscallError) || err.code !== 'EADDRINUSE') throw err;
    }
  }
  throw new Error(`no free UDP source port in ${SOURCE_PORT_FIRST}-${SOURCE_PORT_LAST} on ${localAddress}`);
}
