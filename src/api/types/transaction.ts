import { t } from '../schema-builder.js';

/** Lifecycle states of a transaction. */
export const TransactionState = t.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled'], {
  doc: 'Where the transaction is in its lifecycle.',
});

/** An error as carried inside Transaction objects and events. */
const ApiErrorInfo = t.object(
  {
    name: t.string({ doc: 'Full error name, org.projectatomic.aptostree1.Error.<Name>.' }),
    message: t.string({ doc: 'Human-readable message.' }),
  },
  { doc: 'A named error.' },
);
export const ApiErrorInfoRef = t.ref('Error', ApiErrorInfo);

/** A transaction: one change of the system requested by a client. */
export const Transaction = t.object(
  {
    id: t.string({ doc: 'Transaction id.' }),
    method: t.string({ doc: 'The method that created it, e.g. OS.Upgrade.' }),
    params: t.freeObject({ doc: 'The validated params of the request.' }),
    state: t.ref('TransactionState', TransactionState),
    title: t.string({ doc: 'One-line description for humans.' }),
    uid: t.nullable(t.integer(), { doc: "Caller uid (from the socket's peer credentials)." }),
    pid: t.nullable(t.integer(), { doc: 'Caller pid.' }),
    createdAt: t.string({ doc: 'ISO 8601 time the request arrived.' }),
    startedAt: t.nullable(t.string(), { doc: 'ISO 8601 time the work started.' }),
    finishedAt: t.nullable(t.string(), { doc: 'ISO 8601 time it ended.' }),
    result: t.nullable(t.freeObject(), { doc: "The method's result when it succeeded." }),
    error: t.nullable(ApiErrorInfoRef, { doc: 'The error when it failed or was cancelled.' }),
    detailsHidden: t.optional(
      t.boolean({
        doc: 'True when the caller is neither its initiator nor root: params, title, uid, pid, result and error are then withheld.',
      }),
    ),
  },
  { doc: 'A transaction.' },
);
export const TransactionRef = t.ref('Transaction', Transaction);
