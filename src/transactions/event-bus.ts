import mittImport, { type Emitter, type EventType } from 'mitt';
import type { OperationEvent } from '../worker/operation-context.js';

/** One event of one transaction, as every transport receives it. */
export interface TransactionEventMessage {
  transaction: string;
  event: OperationEvent;
}

type Events = {
  /** Progress of a transaction (Queued, Started, ..., Finished). */
  transactionEvent: TransactionEventMessage;
};

/**
 * The daemon's in-process event bus. The engine publishes every transaction event here once;
 * each transport (the JSON-RPC caller, Transaction.Watch, Varlink and D-Bus) subscribes.
 */
export type EventBus = Emitter<Events>;

type MittFactory = <E extends Record<EventType, unknown>>() => Emitter<E>;
/**
 * mitt's typings declare an ES default export, which TypeScript (NodeNext) reads as a CommonJS
 * module object; at run time the import is the factory itself, or has it as `default`.
 */
const mitt = ((mittImport as unknown as { default?: MittFactory }).default ?? mittImport) as unknown as MittFactory;

export function createEventBus(): EventBus {
  return mitt<Events>();
}
