/**
 * sendmsg/recvmsg with SCM_RIGHTS through koffi (Node's net.Socket reads with read(), which
 * makes the kernel close the descriptors a message carried). Linux, 64-bit only: the layouts
 * of struct msghdr and struct cmsghdr below are x86_64's and aarch64's.
 */
import { koffi } from './koffi.js';

/** <sys/socket.h> */
const MSG_CTRUNC = 0x8;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const MSG_CMSG_CLOEXEC = 0x40000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
/** <errno.h> */
const EAGAIN = 11;
const EINTR = 4;
/** <fcntl.h> */
const F_GETFL = 3;

/** struct msghdr (56 bytes), struct iovec (16), struct cmsghdr (16 + data, 8-aligned). */
const MSGHDR = 0;
const IOVEC = 64;
const CONTROL = 128;
const CMSG_HEADER = 16;

/** What one recvmsg returned. */
export type Received =
  { kind: 'data'; bytes: Buffer; fds: number[]; truncated: boolean } | { kind: 'again' } | { kind: 'eof' } | { kind: 'error'; errno: number };

interface Libc {
  recvmsg(fd: number, msg: bigint, flags: number): number | bigint;
  sendmsg(fd: number, msg: bigint, flags: number): number | bigint;
  fcntl(fd: number, cmd: number): number;
  errno(): number;
}
let libc: Libc | undefined;

function load(): Libc {
  const k = koffi();
  if (k.sizeof('void *') !== 8) throw new Error('descriptor passing needs a 64-bit Linux');
  const lib = k.load('libc.so.6');
  // Addresses are passed as integers: the buffers are native memory this module lays out.
  const fcntl = lib.func('int fcntl(int fd, int cmd, ...)');
  return {
    recvmsg: lib.func('int64_t recvmsg(int fd, uint64_t msg, int flags)'),
    sendmsg: lib.func('int64_t sendmsg(int fd, uint64_t msg, int flags)'),
    fcntl: (fd, cmd) => fcntl(fd, cmd) as number,
    errno: () => k.errno(),
  };
}

/** Native memory laid out as msghdr + iovec + control area + data area. */
class Scratch {
  readonly buf: Buffer;
  constructor(
    readonly base: bigint,
    readonly controlBytes: number,
    readonly dataBytes: number,
  ) {
    const k = koffi();
    this.buf = Buffer.from(k.view(base, this.dataOffset + dataBytes));
  }

  static allocate(maxFds: number, dataBytes: number): Scratch {
    const controlBytes = align8(CMSG_HEADER + 4 * maxFds);
    const size = CONTROL + controlBytes + dataBytes;
    return new Scratch(koffi().alloc('uint8_t', size) as bigint, controlBytes, dataBytes);
  }

  get dataOffset(): number {
    return CONTROL + this.controlBytes;
  }

  /** Points the msghdr at `dataLength` bytes of the data area and `controlLength` of the control area. */
  prepare(dataLength: number, controlLength: number): void {
    const b = this.buf;
    b.fill(0, MSGHDR, CONTROL);
    b.writeBigUInt64LE(this.base + BigInt(IOVEC), 16);
    b.writeBigUInt64LE(1n, 24);
    b.writeBigUInt64LE(controlLength > 0 ? this.base + BigInt(CONTROL) : 0n, 32);
    b.writeBigUInt64LE(BigInt(controlLength), 40);
    b.writeBigUInt64LE(this.base + BigInt(this.dataOffset), IOVEC);
    b.writeBigUInt64LE(BigInt(dataLength), IOVEC + 8);
  }
}

const align8 = (n: number) => (n + 7) & ~7;

/** Kept for the process: reading is synchronous, one message at a time. */
let receiveScratch: Scratch | undefined;
const RECEIVE_FDS = 65;
const RECEIVE_BYTES = 64 * 1024;

/**
 * One non-blocking recvmsg on a stream socket. Descriptors arrive close-on-exec (the daemon
 * runs dpkg and apt: none of them inherits a client's file). Room for 65 descriptors: a
 * message with more than 64 is told apart; `truncated` when the kernel had to drop some.
 */
export function receive(fd: number): Received {
  libc ??= load();
  const s = (receiveScratch ??= Scratch.allocate(RECEIVE_FDS, RECEIVE_BYTES));
  let n: number;
  do {
    s.prepare(RECEIVE_BYTES, s.controlBytes);
    n = Number(libc.recvmsg(fd, s.base, MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
  } while (n < 0 && libc.errno() === EINTR);
  if (n < 0) {
    const errno = libc.errno();
    return errno === EAGAIN ? { kind: 'again' } : { kind: 'error', errno };
  }
  const fds = parseRights(s.buf, Number(s.buf.readBigUInt64LE(40)));
  const truncated = (s.buf.readInt32LE(48) & MSG_CTRUNC) !== 0;
  if (n === 0 && fds.length === 0) return { kind: 'eof' };
  return { kind: 'data', bytes: Buffer.from(s.buf.subarray(s.dataOffset, s.dataOffset + n)), fds, truncated };
}

function parseRights(b: Buffer, controlLength: number): number[] {
  const fds: number[] = [];
  for (let at = CONTROL; at + CMSG_HEADER <= CONTROL + controlLength;) {
    const len = Number(b.readBigUInt64LE(at));
    if (len < CMSG_HEADER) break;
    if (b.readInt32LE(at + 8) === SOL_SOCKET && b.readInt32LE(at + 12) === SCM_RIGHTS) {
      for (let i = at + CMSG_HEADER; i + 4 <= at + len; i += 4) fds.push(b.readInt32LE(i));
    }
    at += align8(len);
  }
  return fds;
}

/**
 * One non-blocking sendmsg of `data` with `fds` attached to its first byte. Returns the
 * bytes sent (the descriptors went with them), or -errno (EAGAIN: nothing was sent).
 */
export function sendWithFds(fd: number, data: Buffer, fds: readonly number[]): number {
  libc ??= load();
  const s = Scratch.allocate(fds.length, data.length);
  try {
    s.prepare(data.length, CMSG_HEADER + 4 * fds.length);
    s.buf.writeBigUInt64LE(BigInt(CMSG_HEADER + 4 * fds.length), CONTROL);
    s.buf.writeInt32LE(SOL_SOCKET, CONTROL + 8);
    s.buf.writeInt32LE(SCM_RIGHTS, CONTROL + 12);
    fds.forEach((f, i) => s.buf.writeInt32LE(f, CONTROL + CMSG_HEADER + 4 * i));
    data.copy(s.buf, s.dataOffset);
    let n: number;
    do n = Number(libc.sendmsg(fd, s.base, MSG_DONTWAIT | MSG_NOSIGNAL));
    while (n < 0 && libc.errno() === EINTR);
    return n < 0 ? -libc.errno() : n;
  } finally {
    koffi().free(s.base);
  }
}

/** The file status flags of a descriptor (fcntl F_GETFL), or -1 if it is not open. */
export function statusFlags(fd: number): number {
  libc ??= load();
  return libc.fcntl(fd, F_GETFL);
}
