import type { PeerCredentials } from '../api/peer-credentials.js';
import type { TransactionEventData } from '../api/types/transaction-event.js';

export type { PeerCredentials };

/**
 * Open files a client passed with its request (SCM_RIGHTS, docs/fd-passing.md): regular
 * files opened for reading, numbered in the order they came. Params name them by index
 * (`{"fd": 0}`); the daemon never opens a path a client named.
 */
export interface PassedFds {
  readonly count: number;
  /**
   * The descriptor at `index`: from now on the caller's to close (the ones not taken are
   * closed when the request is answered). InvalidParams if there is none or it was taken.
   */
  take(index: number): number;
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
  /** Told by a transaction method's precheck the transaction's title (the D-Bus shim's `Title`). */
  transactionTitle?(title: string): void;
  /** The descriptors that came with this request, if any. */
  readonly fds?: PassedFds;
  /** Aborted when the caller's connection is gone. */
  readonly signal: AbortSignal;
}
