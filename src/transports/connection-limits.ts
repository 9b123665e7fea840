/**
 * Limits that keep one client from holding unbounded memory or starving the others
 * (issue #4). One instance is shared by every connection of the daemon.
 */
export interface ConnectionLimits {
  /** Open connections at most; more are answered LimitExceeded and closed. */
  maxConnections: number;
  /** Requests being answered per connection; further lines wait unread (back-pressure). */
  maxInFlightPerConnection: number;
  /** Requests being answered per uid over all its connections; more get LimitExceeded. */
  maxInFlightPerUid: number;
  /** Unsent reply bytes after which a connection's requests are not read until it drains. */
  writeHighWaterBytes: number;
  /** Unsent reply bytes after which a client that does not read is disconnected. */
  writeHardLimitBytes: number;
  /** A client that sent part of a message and then nothing for this long is disconnected. */
  partialMessageTimeoutMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxConnections: 512,
  maxInFlightPerConnection: 64,
  maxInFlightPerUid: 512,
  writeHighWaterBytes: 1024 * 1024,
  writeHardLimitBytes: 16 * 1024 * 1024,
  partialMessageTimeoutMs: 30_000,
};

/** Requests in flight per uid, over all connections. */
export class UidInFlight {
  private readonly counts = new Map<number, number>();

  constructor(private readonly limit: number) {}

  /** Counts a request in; false when the uid is at its limit (the request is then refused). */
  enter(uid: number): boolean {
    const n = this.counts.get(uid) ?? 0;
    if (n >= this.limit) return false;
    this.counts.set(uid, n + 1);
    return true;
  }

  leave(uid: number): void {
    const n = (this.counts.get(uid) ?? 1) - 1;
    if (n <= 0) this.counts.delete(uid);
    else this.counts.set(uid, n);
  }
}
