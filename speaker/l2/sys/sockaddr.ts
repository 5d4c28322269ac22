// Socket addresses as bytes, for the libc calls in libc.ts. Pure, so the layouts are pinned by tests.

/** struct sockaddr_ll (linux/if_packet.h), 20 bytes; the protocol is in network byte order. */
export interface SockaddrLl {
  readonly protocol: number;
  readonly ifindex: number;
  readonly hatype?: number;
  readonly pkttype?: number;
  readonly address?: Uint8Array; // up to 8 bytes; a MAC is 6
}

export const SOCKADDR_LL_LENGTH = 20;
const AF_PACKET = 17;

/** sll_pkttype values (linux/if_packet.h). */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;

export function encodeSockaddrLl(addr: SockaddrLl): Buffer {
  const b = Buffer.alloc(SOCKADDR_LL_LENGTH);
  b.writeUInt16LE(AF_PACKET, 0);
  b.writeUInt16BE(addr.protocol, 2);
  b.writeInt32LE(addr.ifindex, 4);
  b.writeUInt16LE(addr.hatype ?? 0, 8);
  b.writeUInt8(addr.pkttype ?? 0, 10);
  const hw = addr.address ?? new Uint8Array(0);
  b.writeUInt8(hw.length, 11);
  b.set(hw.subarray(0, 8), 12);
  return b;
}

export function decodeSockaddrLl(b: Buffer): SockaddrLl {
  const halen = Math.min(8, b.readUInt8(11));
  return {
    protocol: b.readUInt16BE(2),
    ifindex: b.readInt32LE(4),
    hatype: b.readUInt16LE(8),
    pkttype: b.readUInt8(10),
    address: Uint8Array.from(b.subarray(12, 12 + halen)),
  };
}

/** struct sockaddr_nl (linux/netlink.h), 12 bytes; pid 0 is the kernel. */
export function encodeSockaddrNl(pid = 0, groups = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(16, 0); // AF_NETLINK
  b.writeUInt32LE(pid, 4);
  b.writeUInt32LE(groups, 8);
  return b;
}
