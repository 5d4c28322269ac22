// SO_BINDTODEVICE for a socket of a session in a Linux VRF (Documentation/networking/vrf.rst, "Applications"):
// a socket bound to the VRF master device routes by the VRF's table and is reached only through the
// interfaces enslaved to it. It must be set before connect() or bind(), so callers create the socket
// through libc.ts and set this first. Shared by the BGP dialer (speaker/bgp/session/tcp.ts) and BFD's UDP
// ports (speaker/bfd/udp.ts).
import { SOL_SOCKET, SyscallError, setsockopt } from './libc';

/** asm-generic/socket.h. */
export const SO_BINDTODEVICE = 25;
/** linux/if.h: a device name with its terminating NUL. */
export const IFNAMSIZ = 16;

/** The peer's VRF names a device this node's network namespace does not have (ENODEV). */
export class VrfDeviceMissingError extends Error {
  constructor(
    /** The peer the socket was for, as its address (or address:port). */
    readonly peer: string,
    readonly vrf: string,
  ) {
    super(`peer ${peer}: VRF device "${vrf}" does not exist on this node`);
    this.name = 'VrfDeviceMissingError';
  }
}

/**
 * Binds `fd` to the device `vrf`. The kernel truncates a longer name to IFNAMSIZ - 1 octets
 * (net/core/sock.c sock_setbindtodevice), which could bind another device, so such a name is refused as
 * missing: no device can have it.
 */
export function bindToVrf(fd: number, vrf: string, peer: string): void {
  const name = Buffer.from(`${vrf}\0`, 'utf8');
  if (vrf === '' || name.length > IFNAMSIZ) throw new VrfDeviceMissingError(peer, vrf);
  try {
    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name);
  } catch (err) {
    if (err instanceof SyscallError && err.code === 'ENODEV') throw new VrfDeviceMissingError(peer, vrf);
    throw err;
  }
}
