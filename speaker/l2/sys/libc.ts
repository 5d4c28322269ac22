// The one module that calls into libc, through koffi (pinned in package.json). Everything above it sees
// plain numbers, Buffers and typed errors. koffi.node.poll is not in koffi's documentation, so its use is
// confined to `watchReadable` here; if it changes, only this file does.
import koffi from 'koffi';

const lib = koffi.load('libc.so.6');

// Anonymous structs: a named one is registered process-wide by koffi, so loading this module a second time in
// one process (jest runs each test file in its own module registry) would throw "Duplicate type name".
const sockFilter = koffi.struct({ code: 'uint16', jt: 'uint8', jf: 'uint8', k: 'uint32' });
const sockFprog = koffi.struct({ len: 'uint16', filter: koffi.pointer(sockFilter) });

const c = {
  socket: lib.func('socket', 'int', ['int', 'int', 'int']),
  bind: lib.func('bind', 'int', ['int', 'void *', 'uint32']),
  connect: lib.func('connect', 'int', ['int', 'void *', 'uint32']),
  getsockname: lib.func('getsockname', 'int', ['int', 'void *', 'void *']),
  setsockopt: lib.func('setsockopt', 'int', ['int', 'int', 'int', 'void *', 'uint32']),
  setsockoptFprog: lib.func('setsockopt', 'int', ['int', 'int', 'int', koffi.pointer(sockFprog), 'uint32']),
  recvfrom: lib.func('recvfrom', 'intptr_t', ['int', 'void *', 'uintptr_t', 'int', 'void *', 'void *']),
  sendto: lib.func('sendto', 'intptr_t', ['int', 'void *', 'uintptr_t', 'int', 'void *', 'uint32']),
  close: lib.func('close', 'int', ['int']),
};

// glibc's malloc_trim(3), bound on first use: absent from other C libraries (musl), where trimming is skipped.
let mallocTrimFn: ((pad: number) => number) | null | undefined;

/**
 * Returns the C heap's free memory to the kernel: glibc keeps freed chunks mapped (the main arena shrinks only
 * from its top, other arenas hardly ever), so after a burst of TLS reads and JSON parsing the freed pages stay
 * in the process's RSS. malloc_trim(0) releases every whole free page in every arena. True if any was released.
 */
export function mallocTrim(): boolean {
  if (mallocTrimFn === undefined) {
    try {
      mallocTrimFn = lib.func('malloc_trim', 'int', ['uintptr_t']) as (pad: number) => number;
    } catch {
      mallocTrimFn = null;
    }
  }
  return mallocTrimFn !== null && mallocTrimFn(0) === 1;
}

// linux/socket.h, linux/if_ether.h, asm-generic/socket.h (x86-64 and arm64 share these values).
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0x800;
export const SOCK_CLOEXEC = 0x80000;
export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_RCVTIMEO = 20;
export const SO_ATTACH_FILTER = 26;
export const NETLINK_ROUTE = 0;

const errnoNames = new Map<number, string>(Object.entries(koffi.os.errno).map(([name, n]) => [n, name]));

export class SyscallError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
  ) {
    super(`${syscall}: ${errnoNames.get(errno) ?? `errno ${errno}`}`);
    this.name = 'SyscallError';
  }

  /** The symbolic name, as in <errno.h>: EPERM, EAGAIN, ENODEV. */
  get code(): string {
    return errnoNames.get(this.errno) ?? `E${this.errno}`;
  }
}

function check(syscall: string, rc: number): number {
  if (rc < 0) throw new SyscallError(syscall, koffi.errno());
  return rc;
}

export function socket(domain: number, type: number, protocol: number): number {
  return check('socket', c.socket(domain, type, protocol) as number);
}

export function bind(fd: number, address: Buffer): void {
  check('bind', c.bind(fd, address, address.length) as number);
}

/** connect(2); for a datagram socket only sets the default destination (and picks the route), sends nothing. */
export function connect(fd: number, address: Buffer): void {
  check('connect', c.connect(fd, address, address.length) as number);
}

/** Fills `address` with the socket's local address; returns its length. */
export function getsockname(fd: number, address: Buffer): number {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(address.length);
  check('getsockname', c.getsockname(fd, address, len) as number);
  return len.readUInt32LE(0);
}

export function setsockopt(fd: number, level: number, name: number, value: Buffer): void {
  check('setsockopt', c.setsockopt(fd, level, name, value, value.length) as number);
}

export function attachFilter(
  fd: number,
  program: readonly { code: number; jt: number; jf: number; k: number }[],
): void {
  const fprog = { len: program.length, filter: program.map((i) => ({ ...i })) };
  check(
    'setsockopt(SO_ATTACH_FILTER)',
    c.setsockoptFprog(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, koffi.sizeof(sockFprog)) as number,
  );
}

/** Receives one datagram into `buf`; 'again' when none is queued on a non-blocking socket. */
export function recvfrom(fd: number, buf: Buffer, from: Buffer | null): number | 'again' {
  const fromLen = Buffer.alloc(4);
  fromLen.writeUInt32LE(from?.length ?? 0);
  const n = c.recvfrom(fd, buf, buf.length, 0, from, from === null ? null : fromLen) as number;
  if (n >= 0) return n;
  const errno = koffi.errno();
  if (
    errno === koffi.os.errno.EAGAIN ||
    errno === koffi.os.errno.EWOULDBLOCK ||
    errno === koffi.os.errno.EINTR
  ) {
    return 'again';
  }
  throw new SyscallError('recvfrom', errno);
}

export function sendto(fd: number, data: Uint8Array, to: Buffer | null): number {
  return check('sendto', c.sendto(fd, data, data.length, 0, to, to?.length ?? 0) as number);
}

export function close(fd: number): void {
  check('close', c.close(fd) as number);
}

export interface Watch {
  close(): void;
}

/** Calls `onReadable` from the event loop whenever `fd` may have data (epoll through libuv). */
export function watchReadable(fd: number, onReadable: () => void): Watch {
  let closed = false;
  // The callback gets (status, events) in the pinned koffi; only a negative status matters here. libuv stops
  // a poll handle when the fd reports POLLERR (uv__poll_io) and calls back once with UV_EBADF. A packet
  // socket gets exactly that when its interface goes down (a pending ENETDOWN), and the socket works again
  // once the link is up: read the error (recvfrom clears it) and poll again, or the socket is never read
  // again. Restarting on the next turn keeps a persistent error from spinning inside one turn.
  const restart = (): void => {
    if (!closed) handle.start({ readable: true }, onPoll);
  };
  const onPoll = (status: unknown): void => {
    onReadable();
    if (typeof status === 'number' && status < 0) setImmediate(restart);
  };
  const handle = koffi.node.poll(fd, { readable: true }, onPoll);
  return {
    close: () => {
      closed = true;
      handle.close();
    },
  };
}
