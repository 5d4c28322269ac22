// A raw AF_PACKET socket bound to one interface and one EtherType, with a BPF filter, delivering frames
// from the event loop. The socket is SOCK_RAW: we read and write whole Ethernet frames.
import type { BpfInstruction } from '../bpf';
import * as libc from './libc';
import { PACKET_OUTGOING, decodeSockaddrLl, encodeSockaddrLl, SOCKADDR_LL_LENGTH } from './sockaddr';

export type L2Protocol = 'arp' | 'ndp';

const ETHERTYPE: Record<L2Protocol, number> = { arp: 0x0806, ndp: 0x86dd };
/** Frames drained per wake-up, so one flooded interface cannot starve the rest of the event loop. */
const MAX_FRAMES_PER_WAKEUP = 64;

/** Opening or using a packet socket failed; says which interface, and what the process lacks if that is it. */
export class L2SocketError extends Error {
  constructor(
    readonly iface: string,
    readonly protocol: L2Protocol,
    readonly failure: libc.SyscallError,
  ) {
    const hint =
      failure.code === 'EPERM' || failure.code === 'EACCES'
        ? '; the speaker needs the CAP_NET_RAW capability (raw packet sockets)'
        : failure.code === 'ENODEV' || failure.code === 'ENXIO'
          ? '; the interface is gone'
          : '';
    super(`${protocol.toUpperCase()} socket on interface ${iface}: ${failure.message}${hint}`);
    this.name = 'L2SocketError';
  }

  get isMissingCapability(): boolean {
    return this.failure.code === 'EPERM' || this.failure.code === 'EACCES';
  }
}

export interface PacketSocketOptions {
  readonly ifname: string;
  readonly ifindex: number;
  readonly protocol: L2Protocol;
  readonly filter: readonly BpfInstruction[];
  /** Called with each received frame; the bytes are only valid during the call. */
  readonly onFrame: (frame: Uint8Array) => void;
  /** A receive error other than "nothing queued" (the socket stays open). */
  readonly onError?: (err: L2SocketError) => void;
}

export class PacketSocket {
  private readonly buf = Buffer.alloc(2048);
  private readonly from = Buffer.alloc(SOCKADDR_LL_LENGTH);
  private watch: libc.Watch | undefined;
  private closed = false;

  private constructor(
    private readonly fd: number,
    private readonly opts: PacketSocketOptions,
  ) {}

  static open(opts: PacketSocketOptions): PacketSocket {
    const wrap = (err: unknown): Error =>
      err instanceof libc.SyscallError ? new L2SocketError(opts.ifname, opts.protocol, err) : (err as Error);
    let fd: number;
    try {
      // Protocol 0 first so nothing is queued before the filter is attached; bind then selects the type.
      fd = libc.socket(libc.AF_PACKET, libc.SOCK_RAW | libc.SOCK_NONBLOCK | libc.SOCK_CLOEXEC, 0);
    } catch (err) {
      throw wrap(err);
    }
    try {
      libc.attachFilter(fd, opts.filter);
      libc.bind(fd, encodeSockaddrLl({ protocol: ETHERTYPE[opts.protocol], ifindex: opts.ifindex }));
    } catch (err) {
      libc.close(fd);
      throw wrap(err);
    }
    const sock = new PacketSocket(fd, opts);
    sock.watch = libc.watchReadable(fd, () => sock.drain());
    return sock;
  }

  /** Sends one whole Ethernet frame out of the bound interface. */
  send(frame: Uint8Array): void {
    if (this.closed) return;
    try {
      libc.sendto(this.fd, frame, null);
    } catch (err) {
      if (err instanceof libc.SyscallError)
        throw new L2SocketError(this.opts.ifname, this.opts.protocol, err);
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch?.close();
    libc.close(this.fd);
  }

  private drain(): void {
    for (let i = 0; i < MAX_FRAMES_PER_WAKEUP && !this.closed; i++) {
      let n: number | 'again';
      try {
        n = libc.recvfrom(this.fd, this.buf, this.from);
      } catch (err) {
        if (err instanceof libc.SyscallError)
          this.opts.onError?.(new L2SocketError(this.opts.ifname, this.opts.protocol, err));
        return;
      }
      if (n === 'again') return;
      // Frames this host sends are looped back to packet sockets; they are never requests to answer.
      if (decodeSockaddrLl(this.from).pkttype === PACKET_OUTGOING) continue;
      this.opts.onFrame(this.buf.subarray(0, n));
    }
  }
}
