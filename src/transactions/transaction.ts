import type { OperationMethod } from '../worker/define-operation.js';
import { randomUUID } from 'node:crypto';
import { errorFullName, type ErrorName } from '../api/errors.js';
import type { TransactionObject } from '../api/method-types.js';
import type { Static } from '../api/schema-builder.js';
import type { TransactionState as TransactionStateType } from '../api/types/transaction.js';
import type { PeerCredentials } from '../api/peer-credentials.js';
import type { OperationEvent } from '../worker/operation-context.js';

type TransactionState = Static<typeof TransactionStateType>;
export type { TransactionObject };

/** Options that change how a request is delivered, not what it does: they never split a join. */
const DELIVERY_OPTIONS = new Set(['detach', 'noQueue', 'allowInteractiveAuthentication', 'initiatingCommandLine']);

/** Events kept for replay to late subscribers (Transaction.Watch, joiners). */
const MAX_REPLAY = 2000;

/** JSON with sorted keys, so equal params give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + canonical(v)).join(',') + '}';
  }
  return JSON.stringify(value);
}

/** The join key of a request: its method and canonical params, minus delivery options. */
export function joinKey(method: string, params: Record<string, unknown>): string {
  const what = Object.fromEntries(Object.entries(params).filter(([k]) => !DELIVERY_OPTIONS.has(k)));
  return method + ' ' + canonical(what);
}

/** One transaction: its request, lifecycle and the events it has produced. */
export class TransactionRecord {
  readonly id = randomUUID();
  readonly createdAt = new Date();
  readonly key: string;
  state: TransactionState = 'queued';
  startedAt: Date | null = null;
  finishedAt: Date | null = null;
  result: Record<string, unknown> | null = null;
  /** How it failed: a short error name of the table (the wire and the journal carry the full one). */
  error: { name: ErrorName; message: string } | null = null;
  /** Set once the worker asked to write the deployment list; Cancel is then refused. */
  pastPointOfNoReturn = false;
  cancelRequested = false;
  readonly events: OperationEvent[] = [];
  readonly done: Promise<TransactionRecord>;
  private resolveDone!: (tx: TransactionRecord) => void;

  constructor(
    readonly method: OperationMethod,
    readonly params: Record<string, unknown>,
    readonly osname: string,
    readonly title: string,
    readonly caller: PeerCredentials | null,
  ) {
    this.key = joinKey(method, params);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get finished(): boolean {
    return this.state === 'succeeded' || this.state === 'failed' || this.state === 'cancelled';
  }

  record(event: OperationEvent): void {
    this.events.push(event);
    if (this.events.length > MAX_REPLAY) this.events.splice(0, this.events.length - MAX_REPLAY);
  }

  /** Ends the transaction; `done` resolves after the caller has published Finished. */
  finish(state: 'succeeded' | 'failed' | 'cancelled'): void {
    this.state = state;
    this.finishedAt = new Date();
  }

  settle(): void {
    this.resolveDone(this);
  }

  toJSON(): TransactionObject {
    return {
      id: this.id,
      method: this.method,
      params: this.params,
      state: this.state,
      title: this.title,
      uid: this.caller?.uid ?? null,
      pid: this.caller?.pid ?? null,
      createdAt: this.createdAt.toISOString(),
      startedAt: this.startedAt?.toISOString() ?? null,
      finishedAt: this.finishedAt?.toISOString() ?? null,
      result: this.result,
      error: this.error === null ? null : { name: errorFullName(this.error.name), message: this.error.message },
    };
  }
}
