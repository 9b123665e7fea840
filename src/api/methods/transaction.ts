import { defineMethod, interactiveAuthOption } from '../method.js';
import { t } from '../schema-builder.js';
import { TransactionId } from '../types/patterns.js';
import { TransactionRef } from '../types/transaction.js';

const id = TransactionId;

export const List = defineMethod({
  name: 'Transaction.List',
  kind: 'read',
  doc: 'The running and queued transactions.',
  params: t.object({}),
  result: t.object({ transactions: t.array(TransactionRef) }),
  action: null,
  errors: [],
});

export const Get = defineMethod({
  name: 'Transaction.Get',
  kind: 'read',
  doc: 'One transaction, running, queued or finished.',
  params: t.object({ id }),
  result: t.object({ transaction: TransactionRef }),
  action: null,
  errors: ['NoSuchTransaction'],
});

export const Watch = defineMethod({
  name: 'Transaction.Watch',
  kind: 'read',
  doc: "Stream a transaction's events (its current state first) and answer when it ends.",
  params: t.object({ id }),
  result: t.object({ transaction: TransactionRef }),
  action: null,
  errors: ['NoSuchTransaction'],
});

export const History = defineMethod({
  name: 'Transaction.History',
  kind: 'read',
  doc: 'Finished transactions, newest first, from the journal in the state dir.',
  params: t.object({ limit: t.optional(t.integer({ minimum: 1, maximum: 10000, doc: 'How many (default 50).' })) }),
  result: t.object({ transactions: t.array(TransactionRef) }),
  action: null,
  errors: [],
});

export const Cancel = defineMethod({
  name: 'Transaction.Cancel',
  kind: 'control',
  doc: 'Cancel a transaction (default: the active one); free for its initiator and root.',
  params: t.object({ id: t.optional(id), ...interactiveAuthOption }),
  result: t.object({ transaction: id }),
  action: 'cancel',
  errors: ['NoSuchTransaction', 'TooLateToCancel', 'NotAuthorized'],
});
