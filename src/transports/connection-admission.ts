import type { ConnectionLimits } from './connection-limits.js';

/**
 * Which connections are let in: at most `maxConnections` in all; non-root ones only while more
 * than `reservedRootConnections` slots are free, and at most `maxConnectionsPerUid` per uid
 * (512 idle connections of one user locked everyone out).
 */
export class ConnectionAdmission {
  private total = 0;
  private readonly byUid = new Map<number, number>();

  constructor(private readonly limits: ConnectionLimits) {}

  get count(): number {
    return this.total;
  }

  /** Counts a connection of `uid` in (-1: unknown peer), or says why it is refused. */
  admit(uid: number): { admitted: true } | { admitted: false; reason: string } {
    const { maxConnections, reservedRootConnections, maxConnectionsPerUid } = this.limits;
    if (this.total >= maxConnections) return { admitted: false, reason: `Too many connections (${maxConnections})` };
    if (uid !== 0) {
      if (this.total >= maxConnections - reservedRootConnections) {
        return { admitted: false, reason: `Too many connections (${maxConnections}, of which ${reservedRootConnections} are kept for root)` };
      }
      if ((this.byUid.get(uid) ?? 0) >= maxConnectionsPerUid) {
        return { admitted: false, reason: `Too many connections for uid ${uid} (${maxConnectionsPerUid})` };
      }
    }
    this.total++;
    this.byUid.set(uid, (this.byUid.get(uid) ?? 0) + 1);
    return { admitted: true };
  }

  leave(uid: number): void {
    this.total--;
    const n = (this.byUid.get(uid) ?? 1) - 1;
    if (n <= 0) this.byUid.delete(uid);
    else this.byUid.set(uid, n);
  }
}
