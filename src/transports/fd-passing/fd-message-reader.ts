import type { Socket } from 'node:net';
import { MAX_FDS_PER_MESSAGE } from './limits.js';
import { receive } from '../../util/scm-rights.js';
import { closeAll } from './received-fds.js';

/** Node's stream handle (internal: there is no public way to stop libuv's reads and take them over). */
interface StreamHandle {
  fd: number;
  reading: boolean;
  readStop(): number;
  readStart(): number;
}

export type FdMessage = { bytes: Buffer; fds: number[] } | { failed: string };

/** Longest pause between two tries of a connection whose next message is awaited. */
const MAX_POLL_MS = 16;

/**
 * Reads one message and the descriptors that come with it, with recvmsg instead of libuv's
 * read (which would have the kernel close them), then gives the connection back to libuv.
 * libuv does not tell when a socket it does not read becomes readable: the socket is tried
 * now, then again after 1, 2, 4 … 16 ms, until the message's delimiter arrives or the
 * partial-message timeout passes. Only connections that announced descriptors pay this; the
 * others are read by libuv as before.
 */
export class FdMessageReader {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private readonly fds: number[] = [];
  private readonly deadline: number;
  private delay = 0;
  private finished = false;

  private constructor(
    private readonly socket: Socket,
    private readonly handle: StreamHandle,
    private readonly delimiter: number,
    private readonly maxBytes: number,
    timeoutMs: number,
    private readonly done: (message: FdMessage) => void,
  ) {
    this.deadline = Date.now() + timeoutMs;
    socket.once('close', this.onClose);
  }

  /**
   * Stops libuv reading `socket` (call before answering the announcement: from then on the
   * client may send) and starts waiting for the message. Null if the socket has no handle.
   */
  static start(socket: Socket, delimiter: number, maxBytes: number, timeoutMs: number, done: (message: FdMessage) => void): FdMessageReader | null {
    const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
    if (socket.destroyed || handle === undefined || handle === null || typeof handle.readStop !== 'function') return null;
    handle.readStop();
    // Node restarts reads when `reading` is false and its stream wants data; it stays true.
    handle.reading = true;
    const reader = new FdMessageReader(socket, handle, delimiter, maxBytes, timeoutMs, done);
    setImmediate(reader.poll);
    return reader;
  }

  private readonly poll = (): void => {
    if (this.finished) return;
    for (;;) {
      const r = receive(this.handle.fd);
      if (r.kind === 'again') break;
      if (r.kind === 'eof') return this.fail('connection closed in the middle of a message with descriptors');
      if (r.kind === 'error') return this.fail(`recvmsg failed (errno ${r.errno})`);
      this.fds.push(...r.fds);
      if (r.truncated || this.fds.length > MAX_FDS_PER_MESSAGE) return this.fail(`more than ${MAX_FDS_PER_MESSAGE} descriptors in one message`);
      this.chunks.push(r.bytes);
      this.bytes += r.bytes.length;
      if (r.bytes.includes(this.delimiter)) return this.finish({ bytes: Buffer.concat(this.chunks), fds: this.fds });
      if (this.bytes > this.maxBytes) return this.fail('message too large');
    }
    if (Date.now() >= this.deadline) return this.fail('no message with descriptors came in time');
    this.delay = this.delay === 0 ? 1 : Math.min(this.delay * 2, MAX_POLL_MS);
    setTimeout(this.poll, this.delay);
  };

  private fail(why: string): void {
    closeAll(this.fds);
    this.fds.length = 0;
    this.finish({ failed: why });
  }

  private finish(message: FdMessage): void {
    this.finished = true;
    this.socket.off('close', this.onClose);
    // Back to libuv: what follows the message (and the end of the stream) is read as before.
    if (!this.socket.destroyed) this.handle.readStart();
    this.done(message);
  }

  private readonly onClose = (): void => {
    // A pending try finds the reader finished and does nothing.
    if (this.finished) return;
    this.fail('connection closed');
  };
}
