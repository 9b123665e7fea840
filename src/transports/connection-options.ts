import type { PeerCredentials } from '../dispatcher/call-context.js';
import type { ConnectionLimits, UidInFlight } from './connection-limits.js';
import type { RequestTurns } from './request-turns.js';
import type { StallWatchdog } from './stall-watchdog.js';
import type { UnsentBudget } from './unsent-budget.js';

/** What the socket server hands a protocol's connection (JSON-RPC or Varlink) besides its socket. */
export interface ConnectionOptions {
  maxMessageBytes: number;
  peer: PeerCredentials | null;
  limits: ConnectionLimits;
  uidInFlight: UidInFlight;
  unsent: UnsentBudget;
  /** Where non-root JSON-RPC requests wait for their turn. */
  turns: RequestTurns;
  /** This connection's watchdog: the connection tells it whether part of a message waits. */
  stall: StallWatchdog;
}
