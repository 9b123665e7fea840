/**
 * Tells when a descriptor Node does not read becomes readable. A socket whose messages carry
 * descriptors must be read with recvmsg (libuv's read() has the kernel close them), and libuv
 * tells nothing about a socket it does not read: poll(2) waits for it on a thread of libuv's
 * pool (koffi's asynchronous calls), with an eventfd that ends the wait when the watch stops.
 * One pool thread is taken while a watch waits. Linux only.
 */
import { closeSync, writeSync } from 'node:fs';
import { koffi } from './koffi.js';

/** <poll.h>, <sys/eventfd.h> */
const POLLIN = 0x1;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
/** struct pollfd: int fd; short events; short revents. */
const POLLFD_BYTES = 8;
/** After a failed poll (EINTR, …), the next try waits this long. */
const RETRY_MS = 10;

interface PollLib {
  poll: ((fds: bigint, nfds: number, timeout: number) => number) & {
    async(fds: bigint, nfds: number, timeout: number, done: (err: unknown, n: number) => void): void;
  };
  eventfd(initval: number, flags: number): number;
}
let lib: PollLib | undefined;

function load(): PollLib {
  const k = koffi();
  const libc = k.load('libc.so.6');
  // The pollfd array is native memory this module lays out (its address passed as an integer).
  return {
    poll: libc.func('int poll(uint64_t fds, uint64_t nfds, int timeout)') as PollLib['poll'],
    eventfd: libc.func('int eventfd(unsigned int initval, int flags)') as PollLib['eventfd'],
  };
}

export class ReadableWatch {
  private readonly wake: number;
  private readonly memory: bigint;
  private readonly pollfds: Buffer;
  private waiting = false;
  private stopped = false;

  /** Watches `fd`; `onReadable` is called once per arm() when it is readable (or hung up). */
  constructor(
    private readonly fd: number,
    private readonly onReadable: () => void,
  ) {
    lib ??= load();
    this.wake = lib.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (this.wake < 0) throw new Error('eventfd failed');
    this.memory = koffi().alloc('uint8_t', 2 * POLLFD_BYTES) as bigint;
    this.pollfds = Buffer.from(koffi().view(this.memory, 2 * POLLFD_BYTES));
  }

  /** Waits for `fd` to be readable (call after reading it until EAGAIN). */
  arm(): void {
    if (this.stopped || this.waiting) return;
    this.waiting = true;
    const p = this.pollfds;
    p.writeInt32LE(this.fd, 0);
    p.writeInt16LE(POLLIN, 4);
    p.writeInt16LE(0, 6);
    p.writeInt32LE(this.wake, POLLFD_BYTES);
    p.writeInt16LE(POLLIN, POLLFD_BYTES + 4);
    p.writeInt16LE(0, POLLFD_BYTES + 6);
    (lib as PollLib).poll.async(this.memory, 2, -1, (err, n) => {
      this.waiting = false;
      if (this.stopped) return this.release();
      if (err !== null && err !== undefined) {
        setTimeout(() => this.arm(), RETRY_MS);
        return;
      }
      if (n > 0 && p.readInt16LE(6) !== 0) return this.onReadable();
      setTimeout(() => this.arm(), RETRY_MS);
    });
  }

  /** Ends the watch (a pending wait returns at once); its eventfd and memory are released. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.waiting) return this.release();
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    writeSync(this.wake, one);
  }

  private release(): void {
    closeSync(this.wake);
    koffi().free(this.memory);
  }
}
