import type { Logger } from '../util/logger.js';
import { WorkerProcess } from './worker-process.js';

/** How long a spare worker waits for a transaction before it is stopped. */
const SPARE_IDLE_MS = 60_000;

/**
 * Hands out worker processes. When a transaction has ended, a spare is forked and loads
 * libostree while it waits, so the next transaction (a rollback after an upgrade, a queued
 * request) starts without paying ~70 ms of process start. It is forked after the end, not
 * during the transaction, so it never competes with the work for the CPU. An unused spare is
 * stopped after a minute: an idle daemon keeps no extra process around.
 */
export class WorkerPool {
  private spare: WorkerProcess | null = null;
  private spareTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly log: Logger) {}

  acquire(): WorkerProcess {
    const ready = this.spare !== null && this.spare.idle ? this.spare : null;
    if (this.spare !== null && ready === null) this.spare.kill();
    this.spare = null;
    this.clearTimer();
    // Preloading: libostree loads as soon as the process is up, while the daemon still
    // prepares the transaction (the run message waits in the IPC channel meanwhile).
    return ready ?? new WorkerProcess(this.log, { preload: true });
  }

  /** Forks a spare unless one exists (call when a transaction has ended). */
  prepareSpare(): void {
    this.refill();
  }

  /** Stops the spare (daemon shutdown). */
  close(): void {
    this.closed = true;
    this.clearTimer();
    this.spare?.kill();
    this.spare = null;
  }

  private refill(): void {
    if (this.closed || this.spare !== null) return;
    this.spare = new WorkerProcess(this.log, { preload: true });
    this.spareTimer = setTimeout(() => {
      this.spare?.kill();
      this.spare = null;
      this.spareTimer = null;
    }, SPARE_IDLE_MS);
    this.spareTimer.unref();
  }

  private clearTimer(): void {
    if (this.spareTimer !== null) clearTimeout(this.spareTimer);
    this.spareTimer = null;
  }
}
