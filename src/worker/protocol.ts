import type { OperationMethod } from './define-operation.js';
import type { OperationEvent, OperationResult, WorkerConfig } from './operation-context.js';

export type { WorkerConfig };

/** What the recovery after a failed or interrupted transaction gets. */
export interface RecoverParams {
  /** The refs to restore (the transaction did not reach its point of no return), or null. */
  refsBefore: Record<string, string> | null;
  /** Whose leftovers (`<repo>/tmp/apt-ostree-<id>-*`) to remove; null: every transaction's. */
  transactionId: string | null;
}

/** What a worker runs: an operation (params validated by the daemon against its schema) or a recovery. */
export type WorkerJob = { method: OperationMethod; params: Record<string, unknown> } | { method: 'recover'; params: RecoverParams };

/** Daemon → worker: what to run. Sent once, right after the worker starts. */
export type RunMessage = WorkerJob & {
  type: 'run';
  transactionId: string;
  sysroot: string;
  osname: string;
  config: WorkerConfig;
};

/** Daemon → worker: the transaction was not cancelled; cross the point of no return. */
export interface ProceedMessage {
  type: 'proceed';
}

export type ToWorker = RunMessage | ProceedMessage;

/** Worker → daemon. */
export type FromWorker =
  | { type: 'event'; event: OperationEvent }
  /** The sysroot lock is held: the refs as they are now, before the operation changes any. */
  | { type: 'locked'; refs: Record<string, string> }
  /** About to write the new deployment list; waits for `proceed`. */
  | { type: 'pointOfNoReturn' }
  | { type: 'done'; result: OperationResult | Record<string, unknown> }
  | { type: 'failed'; errorName: string; message: string };
