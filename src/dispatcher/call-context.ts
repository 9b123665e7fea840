import type { PeerCredentials } from '../api/peer-credentials.js';
import type { TransactionEventData } from '../api/types/transaction-event.js';

export type { PeerCredentials };

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
  /** Aborted when the caller's connection is gone. */
  readonly signal: AbortSignal;
}
