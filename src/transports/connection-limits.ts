/**
 * Limits that keep one client from holding unbounded memory or starving the others. One instance is shared by every connection of the daemon.
 */
export interface ConnectionLimits {
  /** Open connections at most; more are answered LimitExceeded and closed. */
  maxConnections: number;
  /** Of those, kept for uid 0: a non-root connection is refused once only these are left. */
  reservedRootConnections: number;
  /** Open connections of one non-root uid at most (root is bounded by maxConnections only). */
  maxConnectionsPerUid: number;
  /**
   * A connection reads its next message while fewer requests than this are being answered
   * (a batch counts as its length); further lines wait unread (back-pressure).
   */
  maxInFlightPerConnection: number;
  /** Requests being answered per uid over all its connections (batch elements each count); more get LimitExceeded. */
  maxInFlightPerUid: number;
  /** Requests in one JSON-RPC batch at most; a longer batch is refused whole (-32600). */
  maxBatchLength: number;
  /** Unsent reply bytes after which a connection's requests are not read until it drains. */
  writeHighWaterBytes: number;
  /** Unsent reply bytes after which a client that does not read is disconnected. */
  writeHardLimitBytes: number;
  /** Unsent reply bytes of one uid (all its connections) after which none of them is read. */
  unsentBytesPerUid: number;
  /** Unsent reply bytes of all non-root connections after which none of them is read. */
  unsentBytesNonRoot: number;
  /** A client that sent part of a message and then nothing for this long is disconnected. */
  partialMessageTimeoutMs: number;
  /**
   * A connection that sent nothing for this long and has nothing in flight or subscribed
   * (Transaction.Watch, a transaction call, Sysroot.RegisterClient) is closed.
   */
  idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxConnections: 512,
  reservedRootConnections: 32,
  maxConnectionsPerUid: 64,
  maxInFlightPerConnection: 128,
  maxInFlightPerUid: 512,
  maxBatchLength: 100,
  writeHighWaterBytes: 1024 * 1024,
  writeHardLimitBytes: 16 * 1024 * 1024,
  unsentBytesPerUid: 16 * 1024 * 1024,
  unsentBytesNonRoot: 64 * 1024 * 1024,
  partialMessageTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
};

/** Requests in flight per uid, over all connections. */
export class UidInFlight {
  private readonly counts = new Map<number, number>();

  constructor(private readonly limit: number) {}

  /** Counts `n` requests in (a batch's length); false when that would pass the uid's limit (they are then refused). */
  enter(uid: number, n = 1): boolean {
    const count = this.counts.get(uid) ?? 0;
    if (count + n > this.limit) return false;
    this.counts.set(uid, count + n);
    return true;
  }

  leave(uid: number, n = 1): void {
    const count = (this.counts.get(uid) ?? n) - n;
    if (count <= 0) this.counts.delete(uid);
    else this.counts.set(uid, count);
  }
}
