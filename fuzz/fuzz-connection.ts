/**
 * One client connection of the fuzzer: writes bytes (at once, in fragments, or part of them),
 * splits what comes back into messages with the daemon's own framer class, and hands them to
 * the reply matcher. Violations found on the way are collected for the current input.
 */
import { createConnection, type Socket } from 'node:net';
import { MessageFramer } from '../src/transports/message-framer.js';
import type { Prng } from './prng.js';
import { ReplyMatcher } from './reply-matcher.js';
import { TERMINATOR, type Framing } from './wire-format.js';

export class FuzzConnection {
  readonly matcher: ReplyMatcher;
  /** Violations since the last take(). */
  private violations: string[] = [];
  closedByDaemon = false;
  closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly socket: Socket,
    readonly framing: Framing,
  ) {
    this.matcher = new ReplyMatcher(framing);
    const framer = new MessageFramer(
      TERMINATOR[framing],
      256 * 1024 * 1024,
      (bytes) => this.onMessage(bytes),
      () => this.violations.push('a reply over 256 MiB'),
    );
    socket.on('data', (chunk: Buffer) => framer.push(chunk));
    // EPIPE/ECONNRESET: the daemon closed while we wrote; 'close' follows.
    socket.on('error', () => {});
    socket.on('end', () => this.onDaemonClose());
    socket.on('close', () => {
      if (!this.closed) this.onDaemonClose();
      this.closed = true;
      this.wake();
    });
  }

  static open(path: string, framing: Framing): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path, allowHalfOpen: true });
      socket.once('connect', () => resolve(new FuzzConnection(socket, framing)));
      socket.once('error', reject);
    });
  }

  private onMessage(bytes: Buffer): void {
    let reply: unknown;
    try {
      reply = JSON.parse(bytes.toString('utf8'));
    } catch {
      this.violations.push(`the daemon sent something that is not JSON: ${bytes.toString('utf8').slice(0, 100)}`);
      return;
    }
    const bad = this.matcher.onReply(reply);
    if (bad !== null) this.violations.push(bad);
    this.wake();
  }

  private onDaemonClose(): void {
    if (this.closedByDaemon || this.closed) return;
    this.closedByDaemon = true;
    const bad = this.matcher.onClose();
    if (bad !== null) this.violations.push(bad);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves when `done()` holds or `timeoutMs` passed; returns whether it held. */
  waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(done()), timeoutMs);
      this.waiters.add(check);
    });
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Writes `bytes` in random pieces, yielding (and sometimes pausing) between them. */
  async writeFragmented(bytes: Buffer, rng: Prng): Promise<void> {
    const pieces = rng.int(2, Math.max(2, Math.min(40, bytes.length)));
    const cuts = Array.from({ length: pieces - 1 }, () => rng.int(1, Math.max(1, bytes.length - 1))).sort((a, b) => a - b);
    let start = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut <= start) continue;
      this.write(bytes.subarray(start, cut));
      start = cut;
      await new Promise((r) => (rng.chance(0.2) ? setTimeout(r, rng.int(1, 20)) : setImmediate(r)));
    }
  }

  /** Half-close: the daemon must still answer what was sent, then end the connection. */
  endInput(): void {
    this.socket.end();
  }

  /** Close from the client side (abandoning whatever is pending). */
  destroy(): void {
    this.closed = true;
    this.matcher.reset();
    this.socket.destroy();
  }

  takeViolations(): string[] {
    const v = this.violations;
    this.violations = [];
    return v;
  }
}
