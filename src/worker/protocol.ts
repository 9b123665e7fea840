import type { OperationEvent, OperationResult } from './operation-context.js';

/** The operations a worker process can run. */
export type WorkerMethod = 'OS.Upgrade' | 'OS.Deploy' | 'OS.Rollback' | 'OS.KernelArgs' | 'OS.Cleanup' | 'OS.Rebase' | 'OS.UpdateDeployment' | 'OS.FinalizeDeployment' | 'OS.PkgChange' | 'OS.RefreshMd' | 'OS.SetInitramfsState' | 'recover';

/** Daemon → worker: what to run. Sent once, right after the worker starts. */
export interface RunMessage {
  type: 'run';
  transactionId: string;
  method: WorkerMethod;
  params: Record<string, unknown>;
  sysroot: string;
  osname: string;
  config: WorkerConfig;
}

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

/** The daemon configuration and paths an operation needs. */
export interface WorkerConfig {
  downloadTimeout: number;
  maxConcurrentDownloads: number;
  /** APT: install Recommends unless true. */
  disableRecommends: boolean;
  /** Seconds after which the APT lists are refreshed before layering. */
  refreshMdMaxAge: number;
  /** The daemon's cache dir: APT lists and downloaded .debs. */
  cacheDir: string;
  /** The daemon's state dir: the cached update. */
  stateDir: string;
}
