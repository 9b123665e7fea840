import type { Socket } from 'node:net';
import { FdMessageReader } from './fd-message-reader.js';
import { closeAll } from './received-fds.js';

/**
 * One connection's side of descriptor passing (docs/fd-passing.md): after the client's
 * announcement, the next message is read with recvmsg and the descriptors that came with it
 * are attached to it until the connection answers it.
 */
export class IncomingFds {
  private reader: FdMessageReader | null = null;
  /** Descriptors for the next message the framer completes. */
  private next: number[] | null = null;
  /** Messages read but not yet answered (waiting for their turn) and their descriptors. */
  private readonly attached = new Map<Buffer, number[]>();

  /** Made on a connection's first announcement; whatever was not taken is closed with the connection. */
  constructor(private readonly socket: Socket) {
    socket.once('close', () => {
      for (const fds of this.attached.values()) closeAll(fds);
      this.attached.clear();
    });
  }

  /** Whether a message with descriptors is awaited. */
  get awaiting(): boolean {
    return this.reader !== null;
  }

  /**
   * Takes the connection's reads over until the announced message has come; `deliver` gets
   * its bytes (and what followed), `fail` why it did not come. The caller answers the
   * announcement after this returns true.
   */
  await(count: number, delimiter: number, maxBytes: number, timeoutMs: number, deliver: (bytes: Buffer) => void, fail: (why: string) => void): boolean {
    this.reader = FdMessageReader.start(this.socket, delimiter, maxBytes, timeoutMs, (message) => {
      this.reader = null;
      if ('failed' in message) return fail(message.failed);
      if (message.fds.length !== count) {
        closeAll(message.fds);
        return fail(`${count} descriptors announced, ${message.fds.length} came`);
      }
      this.next = message.fds;
      deliver(message.bytes);
      // The message was too large for the framer: its descriptors go.
      if (this.next !== null) closeAll(this.next);
      this.next = null;
    });
    return this.reader !== null;
  }

  /** Called for every message the framer completes: the first after an announcement gets the descriptors. */
  attach(message: Buffer): void {
    if (this.next === null) return;
    if (this.socket.destroyed) closeAll(this.next);
    else this.attached.set(message, this.next);
    this.next = null;
  }

  /** The descriptors that came with a message (now the caller's), if any. */
  take(message: Buffer): number[] | undefined {
    const fds = this.attached.get(message);
    if (fds !== undefined) this.attached.delete(message);
    return fds;
  }
}
