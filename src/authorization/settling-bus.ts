import type { Message, MessageBus } from 'dbus-next';

/** The bus connection is gone (or never came up): every call on it fails. */
class BusLostError extends Error {}

/** A call got no reply in time. */
class CallTimeoutError extends Error {}

/**
 * A dbus-next connection whose calls always settle. dbus-next leaves a call pending forever
 * when its connection drops (it keeps the reply handler and nobody answers), and has no
 * timeout of its own: here each call has one, and when the connection reports an error or
 * its stream ends, every pending call fails at once (BusLostError) and `onLost` runs, so the
 * owner can open a new connection for the next call.
 */
export class SettlingBus {
  private readonly pending = new Set<(err: Error) => void>();
  private lost: Error | null = null;

  constructor(
    private readonly bus: MessageBus,
    private readonly onLost: () => void,
  ) {
    bus.on('error', (err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
    // The stream's end is reported on the connection only (dbus-next does not forward it).
    (bus as unknown as { _connection?: { on(event: 'end', f: () => void): void } })._connection?.on('end', () =>
      this.fail(new Error('the system bus closed the connection')),
    );
  }

  /** `message`'s reply; rejects with CallTimeoutError after `timeoutMs`, BusLostError when the connection drops. */
  call(message: Message, timeoutMs: number): Promise<Message | null> {
    if (this.lost !== null) return Promise.reject(new BusLostError(this.lost.message));
    return new Promise((resolve, reject) => {
      const settle = (err: Error | null, reply?: Message | null): void => {
        if (!this.pending.delete(fail)) return;
        clearTimeout(timer);
        if (err === null) resolve(reply ?? null);
        else reject(err);
      };
      const fail = (err: Error): void => settle(err);
      const timer = setTimeout(() => {
        settle(new CallTimeoutError(`no reply within ${timeoutMs / 1000} s`));
        this.forgetReplyHandler(message);
      }, timeoutMs);
      timer.unref();
      this.pending.add(fail);
      this.bus.call(message).then(
        (reply) => settle(null, reply),
        (err: unknown) => settle(err instanceof Error ? err : new Error(String(err))),
      );
    });
  }

  disconnect(): void {
    this.fail(new Error('disconnected'));
  }

  private fail(err: Error): void {
    if (this.lost !== null) return;
    this.lost = err;
    for (const fail of [...this.pending]) fail(new BusLostError(`the system bus connection was lost: ${err.message}`));
    try {
      this.bus.disconnect();
    } catch {
      // Already gone.
    }
    this.onLost();
  }

  /** dbus-next keeps a reply handler per call until a reply comes: drop it once nobody waits. */
  private forgetReplyHandler(message: Message): void {
    const handlers = (this.bus as unknown as { _methodReturnHandlers?: Record<number, unknown> })._methodReturnHandlers;
    if (handlers !== undefined && message.serial !== null) delete handlers[message.serial];
  }
}
