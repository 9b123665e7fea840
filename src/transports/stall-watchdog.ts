/**
 * Disconnects a client that sent part of a message and then nothing for a while.
 * One per connection, owned by the socket server: it watches the first message while the
 * framing is not known yet, then the protocol's connection tells it after each read whether
 * part of a message waits for its rest (a connection the daemon stopped reading is not stalled).
 */
export class StallWatchdog {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: () => void,
  ) {}

  /** Input was read (or reading resumed): watch again when part of a message waits, else stop. */
  update(waitingForRest: boolean): void {
    this.stop();
    if (!waitingForRest) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onStall();
    }, this.timeoutMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
