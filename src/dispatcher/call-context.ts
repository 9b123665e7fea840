import type { TransactionEventData } from '../api/types/transaction-event.js';

/** Who is calling, from the socket's peer credentials (filled from #4 on). */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /**
   * The caller's start time (clock ticks since boot, /proc/PID/stat) read when it connected:
   * with the pid, it names that very process for polkit even if the pid is reused later.
   */
  startTime?: bigint;
  /**
   * The process pinned when the connection was taken (socket peers): `check()` is null while
   * `pid` still names it, else why not. Authorization refuses a caller whose check fails.
   */
  process?: { check(): string | null };
  /**
   * D-Bus callers: the sender's unique name on the system bus. polkit is asked about it
   * (subject `system-bus-name`, as rpm-ostree does) rather than about a pid.
   */
  busName?: string;
}

/** Everything a method call knows about its caller, whatever the transport. */
export interface CallContext {
  readonly transport: 'jsonrpc' | 'varlink' | 'dbus';
  /** Peer credentials, or null when the transport could not tell. */
  readonly peer: PeerCredentials | null;
  /** Sends one event of a transaction this call follows to the caller, in the transport's form. */
  transactionEvent(transaction: string, event: TransactionEventData): void;
  /**
   * Told by a transaction method which transaction it submitted, and whether that joined an
   * identical one already queued or running (the D-Bus shim's Start() answers it).
   */
  transactionSubmitted?(submission: { transaction: string; joined: boolean }): void;
  /** Aborted when the caller's connection is gone. */
  readonly signal: AbortSignal;
}
