import type { Socket } from 'node:net';
import type { Logger } from '../util/logger.js';
import { stringifyCached } from './cached-json.js';
import type { ConnectionLimits } from './connection-limits.js';
import type { UnsentBudget } from './unsent-budget.js';

/**
 * Writes a connection's messages, each as JSON followed by the framing's delimiter (`\n` for
 * JSON-RPC, `\0` for Varlink), and tells when it must stop reading requests: its own unsent
 * bytes over the high-water mark, or its uid's (or all non-root connections') over budget.
 * A client that lets its own unsent bytes pass the hard limit is disconnected.
 */
export class ReplyWriter {
  /** Bytes written and not yet flushed to the kernel, counted in the budget. */
  private unsent = 0;
  private closed = false;
  private waiting: (() => void) | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly delimiter: '\n' | '\0',
    private readonly uid: number,
    private readonly limits: ConnectionLimits,
    private readonly budget: UnsentBudget,
    private readonly log: Logger,
  ) {
    socket.on('close', () => {
      this.closed = true;
      this.budget.release(this.uid, this.unsent);
      this.unsent = 0;
      if (this.waiting !== null) {
        this.budget.cancel(this.waiting);
        this.socket.off('drain', this.waiting);
      }
      this.waiting = null;
    });
  }

  /** Whether no more requests should be read now. */
  congested(): boolean {
    return this.socket.writableLength > this.limits.writeHighWaterBytes || this.budget.over(this.uid);
  }

  /**
   * Calls `resume` once the connection may read again: on its socket's drain or when the
   * budget frees, whichever comes (the caller checks `congested()` again).
   */
  whenUncongested(resume: () => void): void {
    if (this.closed || this.waiting !== null) return;
    const once = (): void => {
      if (this.waiting !== once) return;
      this.waiting = null;
      this.budget.cancel(once);
      this.socket.off('drain', once);
      resume();
    };
    this.waiting = once;
    this.budget.wait(this.uid, once);
    this.socket.once('drain', once);
  }

  /** Sends one message (nothing once the socket is closed). */
  send(message: unknown): void {
    this.write(stringifyCached(message) + this.delimiter);
  }

  private write(text: string): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    const bytes = Buffer.byteLength(text);
    this.unsent += bytes;
    this.budget.add(this.uid, bytes);
    this.socket.write(text, () => {
      if (this.closed) return;
      this.unsent -= bytes;
      this.budget.release(this.uid, bytes);
    });
    if (this.socket.writableLength > this.limits.writeHardLimitBytes) {
      this.log.warn(`disconnecting a client that does not read its replies (${this.socket.writableLength} bytes unsent)`);
      this.socket.destroy();
    }
  }
}
