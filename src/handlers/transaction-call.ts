import { ApiError } from '../api/errors.js';
import type { CallContext } from '../dispatcher/call-context.js';
import type { TransactionManager } from '../transactions/transaction-manager.js';
import type { TransactionRecord } from '../transactions/transaction.js';
import { publicEvent } from '../transactions/transaction-visibility.js';

/**
 * Streams a transaction's events to the caller (past ones first) until it ends. A caller
 * that disconnects stops receiving; the transaction itself goes on. A caller without the
 * details (neither its initiator nor root, transaction-visibility.ts) gets state changes only.
 */
export async function follow(manager: TransactionManager, tx: TransactionRecord, ctx: CallContext, details = true): Promise<TransactionRecord> {
  const unsubscribe = manager.subscribe(tx, (event) => {
    const shown = details ? event : publicEvent(event);
    if (shown !== null) ctx.transactionEvent(tx.id, shown);
  });
  const onClose = () => unsubscribe();
  ctx.signal.addEventListener('abort', onClose, { once: true });
  try {
    return await tx.done;
  } finally {
    ctx.signal.removeEventListener('abort', onClose);
    unsubscribe();
  }
}

/** The result of an ended transaction, or its error as an ApiError carrying its id. */
export function outcomeOf(tx: TransactionRecord): Record<string, unknown> {
  if (tx.state === 'succeeded') return { transaction: tx.id, ...(tx.result ?? {}) };
  throw new ApiError(tx.error?.name ?? 'Failed', tx.error?.message ?? 'Transaction failed', { transaction: tx.id });
}

/** What TransactionManager.submit() answers: the transaction, and whether it joined an identical one. */
export interface Submission {
  tx: TransactionRecord;
  joined: boolean;
}

/** answerTransaction for a submission: the caller's transport learns whether it joined (ctx.transactionSubmitted) first. */
export async function answerSubmission(
  manager: TransactionManager,
  { tx, joined }: Submission,
  params: { detach?: boolean },
  ctx: CallContext,
): Promise<Record<string, unknown>> {
  ctx.transactionSubmitted?.({ transaction: tx.id, joined });
  return answerTransaction(manager, tx, params, ctx);
}

/**
 * The JSON-RPC shape of a transaction call (docs/design-decisions.md): with `detach` the id at once;
 * otherwise the events as notifications, then the result (or error) when it ends.
 */
async function answerTransaction(
  manager: TransactionManager,
  tx: TransactionRecord,
  params: { detach?: boolean },
  ctx: CallContext,
): Promise<Record<string, unknown>> {
  if (params.detach === true) return { transaction: tx.id };
  return outcomeOf(await follow(manager, tx, ctx));
}
