// Reads the links and IPv6 addresses of the process's own network namespace with rtnetlink dumps. Netlink
// answers for the namespace of the socket, unlike /sys/class/net, which shows the namespace that mounted
// sysfs (nsenter-started processes keep the host's).
import {
  type InterfaceAddress,
  type Link,
  NLMSG_DONE,
  NLMSG_ERROR,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  decodeAddress,
  decodeLink,
  decodeMessages,
  encodeDumpRequest,
  errorCode,
} from '../netlink';
import * as libc from './libc';
import { encodeSockaddrNl } from './sockaddr';

const AF_INET6 = 10;
let nextSeq = 1;

export interface NamespaceInterfaces {
  readonly links: Link[];
  readonly addresses: InterfaceAddress[];
}

/** One link dump and one IPv6 address dump over a fresh netlink socket. Synchronous: the kernel answers at once. */
export function readInterfaces(): NamespaceInterfaces {
  const fd = openRoute();
  try {
    const links = dumpLinks(fd);
    const addresses = dump(fd, RTM_GETADDR, AF_INET6)
      .filter((m) => m.type === RTM_NEWADDR)
      .flatMap((m) => {
        const r = decodeAddress(m);
        return r.ok ? [r.value] : [];
      });
    return { links, addresses };
  } finally {
    libc.close(fd);
  }
}

/** One link dump: every device of the namespace with its master and kind (for VRF membership). */
export function readLinks(): Link[] {
  const fd = openRoute();
  try {
    return dumpLinks(fd);
  } finally {
    libc.close(fd);
  }
}

function dumpLinks(fd: number): Link[] {
  return dump(fd, RTM_GETLINK, 0)
    .filter((m) => m.type === RTM_NEWLINK)
    .flatMap((m) => {
      const r = decodeLink(m);
      return r.ok ? [r.value] : [];
    });
}

function openRoute(): number {
  const fd = libc.socket(libc.AF_NETLINK, libc.SOCK_RAW | libc.SOCK_CLOEXEC, libc.NETLINK_ROUTE);
  try {
    // A receive timeout, so a kernel that never finishes a dump cannot hang the speaker.
    const timeout = Buffer.alloc(16);
    timeout.writeBigInt64LE(1n, 0);
    libc.setsockopt(fd, libc.SOL_SOCKET, libc.SO_RCVTIMEO, timeout);
    return fd;
  } catch (err) {
    libc.close(fd);
    throw err;
  }
}

function dump(fd: number, type: typeof RTM_GETLINK | typeof RTM_GETADDR, family: number) {
  const seq = nextSeq++;
  libc.sendto(fd, encodeDumpRequest(type, seq, family), encodeSockaddrNl());
  const buf = Buffer.alloc(64 * 1024);
  const out = [];
  for (;;) {
    const n = libc.recvfrom(fd, buf, null);
    if (n === 'again') throw new Error(`netlink dump (type ${type}) timed out`);
    const parsed = decodeMessages(buf.subarray(0, n));
    if (!parsed.ok) throw new Error(`netlink dump (type ${type}): ${parsed.reason}`);
    for (const msg of parsed.value) {
      if (msg.seq !== seq) continue;
      if (msg.type === NLMSG_DONE) return out;
      if (msg.type === NLMSG_ERROR) {
        const errno = errorCode(msg);
        if (errno !== 0) throw new libc.SyscallError(`netlink dump (type ${type})`, errno);
        continue;
      }
      out.push({ ...msg, payload: Uint8Array.from(msg.payload) });
    }
  }
}
