/**
 * Who may see what of a transaction: its initiator and root see everything; any
 * other local user sees only that something runs — id, method, state and times — never the
 * request (packages, refspecs, kernel arguments), the caller, the progress messages or the
 * error text.
 */
import type { PeerCredentials } from '../api/peer-credentials.js';
import type { OperationEvent } from '../worker/operation-context.js';
import type { TransactionObject } from './transaction.js';

/** Events another user may follow: state changes, with nothing of what the work said. */
const PUBLIC_EVENTS = new Set<OperationEvent['type']>(['Queued', 'Started', 'Finished']);

/** True when `viewer` may see the whole of a transaction started by `initiatorUid`. */
export function seesDetails(initiatorUid: number | null, viewer: PeerCredentials | null): boolean {
  if (viewer === null) return false;
  return viewer.uid === 0 || (initiatorUid !== null && viewer.uid === initiatorUid);
}

/** `tx` as `viewer` may see it. */
export function transactionFor(tx: TransactionObject, viewer: PeerCredentials | null): TransactionObject {
  if (seesDetails(tx.uid, viewer)) return tx;
  return {
    id: tx.id,
    method: tx.method,
    params: {},
    state: tx.state,
    title: tx.method,
    uid: null,
    pid: null,
    createdAt: tx.createdAt,
    startedAt: tx.startedAt,
    finishedAt: tx.finishedAt,
    result: null,
    error: null,
    detailsHidden: true,
  };
}

/** `event` as a viewer without the details may see it, or null when it is withheld. */
export function publicEvent(event: OperationEvent): OperationEvent | null {
  if (!PUBLIC_EVENTS.has(event.type)) return null;
  return event.type === 'Finished' ? { ...event, errorMessage: '' } : event;
}
