/**
 * Closes a connection that sent nothing for a while and has nothing in flight or subscribed
 * (idle connections of one user held every slot). Activity only records a time;
 * one timer per connection checks it, so a busy connection costs no timer resets.
 */
export class IdleWatch {
  private last = performance.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    /** True while the connection has requests in flight, queued, or a subscription. */
    private readonly busy: () => boolean,
    private readonly close: () => void,
  ) {
    this.arm(timeoutMs);
  }

  /** The client sent something. */
  activity(): void {
    this.last = performance.now();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), ms);
    this.timer.unref();
  }

  private check(): void {
    const quiet = performance.now() - this.last;
    if (this.busy()) this.arm(this.timeoutMs);
    else if (quiet < this.timeoutMs) this.arm(this.timeoutMs - quiet);
    else {
      this.timer = null;
      this.close();
    }
  }
}
