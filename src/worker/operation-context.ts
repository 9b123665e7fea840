import type { LayerPlan } from '../api/types/layer-plan.js';
import type { CachedUpdate } from '../api/types/cached-update.js';
import type { TransactionEventData } from '../api/types/transaction-event.js';

/** A progress event as an operation emits it (the engine adds the transaction id). */
export type OperationEvent = TransactionEventData;

/**
 * What an operation running in the worker process gets from the engine. Operations are plain
 * async functions; they never talk to clients, locks of the daemon or the journal directly.
 */
export interface OperationContext {
  /** Absolute sysroot path. */
  readonly sysroot: string;
  /** The stateroot to act on (already resolved by the daemon). */
  readonly osname: string;
  /** Transaction id, for naming temporary files (`<repo>/tmp/apt-ostree-<id>-*`). */
  readonly transactionId: string;
  /** Daemon configuration values the operations need. */
  readonly config: WorkerConfig;
  /** Sends a progress event to every subscriber of the transaction. */
  emit(event: OperationEvent): void;
  /**
   * Must be called once the sysroot lock is held and before anything changes: the engine then
   * records the refs to restore if the transaction is cancelled or interrupted (taken earlier,
   * they could undo what another process holding the lock changed meanwhile).
   */
  locked(): void;
  /**
   * Must be awaited right before the bootloader swap (`ostree_sysroot_write_deployments` /
   * `simple_write_deployment`). It resolves when the daemon allows crossing; if the
   * transaction was cancelled first, the worker is killed and it never resolves.
   */
  pointOfNoReturn(): Promise<void>;
}

/** What every deployment-changing operation returns. */
export interface OperationResult {
  changed: boolean;
  /** Id (`<osname>-<checksum>.<serial>`) of the new default deployment, or null. */
  deployment: string | null;
  /** A dry run's plan (OS.PkgChange). */
  plan?: LayerPlan;
  /** True when the new deployment was staged (booted system): it is finalized at shutdown. */
  staged?: boolean;
  /** Upgrade {check}: what was found (null: no update). */
  cachedUpdate?: CachedUpdate | null;
  /** For humans, e.g. "No upgrade available." */
  message: string;
}

/** An operation failure with an error name of the error table (src/api/errors.ts). */
export class OperationError extends Error {
  constructor(
    readonly errorName:
      'NothingToRollback' | 'NoSuchDeployment' | 'InvalidSysroot' | 'NotImplemented' | 'PackageNotFound' | 'DependencyProblem' | 'SignatureInvalid' | 'Failed',
    message: string,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

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
