import type { PeerCredentials } from '../api/peer-credentials.js';

export type { PeerCredentials };

/** Everything a method call knows about its caller, whatever the transport. */
export interface CallContext {
  readonly transport: 'jsonrpc' | 'varlink' | 'dbus';
  /** Peer credentials, or null when the transport could not tell. */
  readonly peer: PeerCredentials | null;
  /** Sends a notification (e.g. `Transaction.Message`) to this caller's connection. */
  notify(method: string, params: Record<string, unknown>): void;
  /** Aborted when the caller's connection is gone. */
  readonly signal: AbortSignal;
}
