import type { Socket } from 'node:net';
import { sendWithFds } from '../util/scm-rights.js';

/** <errno.h> */
const EAGAIN = 11;
/** How long a socket the daemon does not read is waited for. */
const SEND_TIMEOUT_MS = 30_000;

/**
 * Writes `line` with `fds` attached to its first byte (sendmsg, SCM_RIGHTS) on a connected
 * socket, after whatever Node still had queued for it; what sendmsg did not take is written
 * as usual. Call only when nothing else writes to the socket.
 */
export async function writeWithFds(socket: Socket, line: string, fds: readonly number[]): Promise<void> {
  while (socket.writableLength > 0) await new Promise((resolve) => socket.once('drain', resolve));
  const fd = (socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('cannot pass descriptors: the connection is closed');
  const data = Buffer.from(line, 'utf8');
  const deadline = Date.now() + SEND_TIMEOUT_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    const n = sendWithFds(fd, data, fds);
    if (n >= 0) {
      if (n < data.length) socket.write(data.subarray(n));
      return;
    }
    if (n !== -EAGAIN || Date.now() >= deadline) throw new Error(`cannot pass descriptors: sendmsg failed (errno ${-n})`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
