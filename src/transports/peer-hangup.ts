/**
 * Whether the peer of a Unix stream socket is gone altogether, not merely done sending. At the
 * end of a client's input the two look alike to Node (`allowHalfOpen`): `printf … | socat`
 * shuts its sending side and waits for the replies, a client that exited closed both. The
 * kernel tells them apart — POLLHUP once both directions are shut — and without asking, a
 * vanished client's queued work would run to the end (the first reply's write is what would
 * fail), a flood of searches ~50 s after its sender left.
 */
import type { Socket } from 'node:net';
import { koffi } from '../backends/ostree/koffi.js';

/** <poll.h> */
const POLLHUP = 0x10;

let poll: ((fds: Buffer, nfds: number, timeout: number) => number) | undefined;

function pollFunction(): (fds: Buffer, nfds: number, timeout: number) => number {
  poll ??= koffi().load('libc.so.6').func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)') as (
    fds: Buffer,
    nfds: number,
    timeout: number,
  ) => number;
  return poll;
}

/** True when the kernel says the socket is shut both ways (the peer closed it); false when unsure. */
export function peerHungUp(socket: Socket): boolean {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return false;
  // struct pollfd { int fd; short events; short revents; }: POLLHUP is reported even when not asked for.
  const pfd = Buffer.alloc(8);
  pfd.writeInt32LE(fd, 0);
  if (pollFunction()(pfd, 1, 0) !== 1) return false;
  return (pfd.readInt16LE(6) & POLLHUP) !== 0;
}
