/**
 * Exit when idle (socket activation only: systemd holds the socket and starts the daemon again
 * on the next connection). Idle = no transaction running or queued, no registered client, no
 * open connection, for IdleExitTimeout seconds (0: never). Event-driven — `check()` is called
 * when one of those changes — so an idle daemon has no timer waking it but the one exit timer.
 */
interface IdleState {
  busy(): boolean;
  timeoutSeconds(): number;
}

export class IdleExit {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly state: IdleState,
    private readonly exit: () => void,
  ) {}

  check(): void {
    const seconds = this.state.timeoutSeconds();
    if (this.state.busy() || seconds === 0) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.state.busy() && this.state.timeoutSeconds() > 0) this.exit();
    }, seconds * 1000);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
