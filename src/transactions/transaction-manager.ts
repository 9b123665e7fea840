import { ApiError, ERROR_TABLE, type ErrorName } from '../api/errors.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import type { Logger } from '../util/logger.js';
import type { PeerCredentials } from '../api/peer-credentials.js';
import type { OperationEvent } from '../worker/operation-context.js';
import type { OperationMethod } from '../worker/define-operation.js';
import { rebootsAfter } from '../worker/operation-registry.js';
import type { WorkerConfig } from '../worker/protocol.js';
import { CrashRecovery } from './crash-recovery.js';
import type { EventBus, TransactionEventMessage } from './event-bus.js';
import { HistoryJournal } from './history-journal.js';
import { runRebootCommand } from './reboot.js';
import { joinKey, TransactionRecord, type TransactionObject } from './transaction.js';
import { WorkerPool } from './worker-pool.js';
import type { WorkerProcess, WorkerOutcome } from './worker-process.js';

/** Requests waiting behind the running one, at most. */
export const MAX_QUEUE = 16;
/** Finished transactions kept in memory for Get/Watch (older ones come from the journal). */
const RECENT = 64;

export interface ManagerDeps {
  sysroot: string;
  stateDir: string;
  /** APT lists and .deb archives live here (docs/design-decisions.md). */
  cacheDir: string;
  config: () => DaemonConfig;
  bus: EventBus;
  log: Logger;
  /** Ids of the deployments now, in order (from the read model). */
  deploymentIds: () => string[];
}

/**
 * The transaction engine: one writer at a time per sysroot, a bounded FIFO behind it,
 * identical requests joined, every event published on the bus, every end journaled, and a
 * record on disk while one runs so that a crash is recovered at the next start.
 *
 * Over 300 lines: the queue, joining, cancellation and the run of one transaction all read and
 * change the same state (the running transaction, the queue, the recent ones); crash records and
 * start-up recovery are in crash-recovery.ts, the journal and the worker pool in their own files.
 */
export class TransactionManager {
  private running: TransactionRecord | null = null;
  private worker: WorkerProcess | null = null;
  private readonly queue: TransactionRecord[] = [];
  private readonly recent = new Map<string, TransactionRecord>();
  private readonly journal: HistoryJournal;
  private readonly crashes: CrashRecovery;
  private readonly workers: WorkerPool;
  /** Resolves once an interrupted transaction of a previous run has been recovered. */
  private readonly ready: Promise<void>;

  constructor(private readonly deps: ManagerDeps) {
    this.journal = new HistoryJournal(deps.stateDir);
    this.workers = new WorkerPool(deps.log);
    this.crashes = new CrashRecovery({
      stateDir: deps.stateDir,
      journal: this.journal,
      log: deps.log,
      deploymentIds: deps.deploymentIds,
      recover: (id, refs) => this.recover(id, refs),
    });
    this.ready = this.crashes.atStart();
  }

  /** The running transaction, if any. */
  get active(): TransactionRecord | null {
    return this.running !== null && !this.running.finished ? this.running : null;
  }

  /**
   * A transaction request is about to be submitted: when it would run at once, its worker is
   * forked now, while the request is still being resolved (the first one loads libostree).
   */
  prepareWorker(): void {
    if (this.running === null && this.queue.length === 0) this.workers.prepareSpare();
  }

  /** Running first, then the queue in order. */
  list(): TransactionRecord[] {
    // The engine lets go of an ended transaction a little after its Finished event: it is
    // no longer running, queued, joinable or in the way of noQueue from that event on.
    return [...(this.running !== null && !this.running.finished ? [this.running] : []), ...this.queue];
  }

  /** A transaction in memory (running, queued or recently finished). */
  find(id: string): TransactionRecord | undefined {
    if (this.running?.id === id) return this.running;
    return this.queue.find((t) => t.id === id) ?? this.recent.get(id);
  }

  /** A transaction in memory or in the journal. */
  lookup(id: string): TransactionRecord | TransactionObject | undefined {
    return this.find(id) ?? this.journal.find(id);
  }

  /** The journal, newest first, once a transaction interrupted by a crash has been journaled (at start). */
  async history(limit: number): Promise<TransactionObject[]> {
    await this.ready;
    return this.journal.read(limit);
  }

  /**
   * Queues a request, or joins an identical one that is running or queued.
   * `noQueue` fails at once when anything runs or waits.
   */
  submit(
    method: OperationMethod,
    params: Record<string, unknown>,
    osname: string,
    title: string,
    caller: PeerCredentials | null,
  ): { tx: TransactionRecord; joined: boolean } {
    const candidate = new TransactionRecord(method, params, osname, title, caller);
    const same = this.joinable(candidate.key, osname);
    if (same !== undefined) return { tx: same, joined: true };
    this.refuseIfNoQueue(method, params, osname);
    if (this.queue.length >= MAX_QUEUE) {
      throw new ApiError('QueueFull', `${MAX_QUEUE} transactions are already waiting; try again later`);
    }
    this.queue.push(candidate);
    if (this.running !== null || this.queue.length > 1) {
      this.publish(candidate, { type: 'Queued', position: this.queue.length });
    }
    this.runNext().catch((err: unknown) => this.deps.log.error('the transaction engine failed', err));
    return { tx: candidate, joined: false };
  }

  /** `noQueue` and something runs or waits that the request would not join: TransactionInProgress. */
  refuseIfNoQueue(method: OperationMethod, params: Record<string, unknown>, osname: string): void {
    if (params.noQueue !== true || this.list().length === 0) return;
    if (this.joinable(joinKey(method, params), osname) !== undefined) return;
    const busy = this.list()[0];
    throw new ApiError('TransactionInProgress', `Transaction in progress: ${busy.title} (${busy.id})`, {
      transaction: busy.id,
    });
  }

  /** Nothing runs or waits. */
  get idle(): boolean {
    return this.list().length === 0;
  }

  private joinable(key: string, osname: string): TransactionRecord | undefined {
    return this.list().find((t) => t.key === key && t.osname === osname && !t.cancelRequested);
  }

  /**
   * Replays the events a transaction produced so far, then streams the rest to `listener`
   * until it ends. Returns the unsubscribe function.
   */
  subscribe(tx: TransactionRecord, listener: (event: OperationEvent) => void): () => void {
    for (const event of tx.events) listener(event);
    const handler = (m: TransactionEventMessage) => {
      if (m.transaction === tx.id) listener(m.event);
    };
    this.deps.bus.on('transactionEvent', handler);
    return () => this.deps.bus.off('transactionEvent', handler);
  }

  /**
   * Cancels a queued transaction, or a running one before its point of no return (the worker
   * is killed, refs are restored, leftovers removed). Resolves when it has ended.
   */
  async cancel(id: string | undefined): Promise<TransactionRecord> {
    const tx = id === undefined ? (this.running ?? this.queue[0]) : this.find(id);
    if (tx === undefined) {
      throw new ApiError('NoSuchTransaction', id === undefined ? 'No transaction is running' : `No active transaction ${id}`, {
        transaction: id ?? null,
      });
    }
    if (tx.finished) throw new ApiError('NoSuchTransaction', `Transaction ${tx.id} has already ended (${tx.state})`);
    if (tx.pastPointOfNoReturn) {
      throw new ApiError('TooLateToCancel', `Transaction ${tx.id} is writing the new deployment list and will complete`, {
        transaction: tx.id,
      });
    }
    tx.cancelRequested = true;
    const queuedAt = this.queue.indexOf(tx);
    if (queuedAt !== -1) {
      this.queue.splice(queuedAt, 1);
      this.end(tx, 'cancelled', null, { name: 'Cancelled', message: 'Cancelled before it started' });
      this.publishPositions();
    } else if (tx === this.running) {
      this.worker?.kill();
    }
    return tx.done;
  }

  private publish(tx: TransactionRecord, event: OperationEvent): void {
    tx.record(event);
    this.deps.bus.emit('transactionEvent', { transaction: tx.id, event });
  }

  private publishPositions(): void {
    this.queue.forEach((t, i) => {
      if (t !== this.running) this.publish(t, { type: 'Queued', position: i + 1 });
    });
  }

  private async runNext(): Promise<void> {
    await this.ready;
    if (this.running !== null || this.queue.length === 0) return;
    const tx = this.queue.shift() as TransactionRecord;
    this.running = tx;
    this.publishPositions();
    try {
      await this.execute(tx);
    } catch (err) {
      this.deps.log.error(`transaction ${tx.id} crashed the engine`, err);
      // A worker acquired for it and never given its operation would wait forever.
      this.worker?.kill();
      const record = this.crashes.leftBy(tx.id);
      if (record !== null) {
        await this.recover(tx.id, record.pastPointOfNoReturn ? null : record.refsBefore).catch(() => {});
        this.crashes.clear();
      }
      if (!tx.finished) this.end(tx, 'failed', null, { name: 'Failed', message: String(err) });
    } finally {
      this.running = null;
      this.worker = null;
      if (this.queue.length === 0) this.workers.prepareSpare();
      this.runNext().catch((err: unknown) => this.deps.log.error('the transaction engine failed', err));
    }
  }

  private async execute(tx: TransactionRecord): Promise<void> {
    // The worker first: the process starts (and loads libostree) while the daemon records the
    // transaction on disk and reads the deployments, instead of after.
    const worker = this.workers.acquire();
    this.worker = worker;
    tx.state = 'running';
    tx.startedAt = new Date();
    // On disk before any client hears of the start: a crash from then on is recovered and
    // journaled as failed (a client may kill the daemon the moment it reads Started).
    const record = this.crashes.begin(() => tx.toJSON());
    this.publish(tx, { type: 'Started' });
    const config = this.deps.config();
    // Cancel may have arrived while the worker was being set up.
    if (tx.cancelRequested) worker.kill();
    const outcome = await worker.run(
      {
        type: 'run',
        transactionId: tx.id,
        method: tx.method,
        params: tx.params,
        sysroot: this.deps.sysroot,
        osname: tx.osname,
        config: this.workerConfig(config),
      },
      {
        onEvent: (event) => this.publish(tx, event),
        onLocked: (refs) => {
          try {
            record.locked(refs);
          } catch (err) {
            this.deps.log.error('cannot record the refs to restore', err);
          }
        },
        onPointOfNoReturn: () => {
          if (tx.cancelRequested) return false;
          try {
            record.pointOfNoReturn();
          } catch (err) {
            this.deps.log.error('cannot record the point of no return; stopping the transaction', err);
            return false;
          }
          tx.pastPointOfNoReturn = true;
          return true;
        },
      },
    );
    if (outcome.kind === 'done') {
      this.end(tx, 'succeeded', outcome.result, null, () => record.clear());
      if (rebootsAfter(tx.method, tx.params)) this.reboot(tx);
      return;
    }
    // Failed, died or cancelled: unless the new deployment list was written, nothing may stay changed.
    const cancelled = tx.cancelRequested && !tx.pastPointOfNoReturn;
    const restore = record.refsToRestore(this.crashes.listWritten(tx.pastPointOfNoReturn, record.deploymentsBefore));
    const recovered = await this.recover(tx.id, restore);
    const unrecovered = '; restoring the previous state failed (see the daemon log) and is retried at the next start';
    const settleRecord = () => (recovered ? record.clear() : record.keepForRetry(restore));
    if (cancelled) {
      this.end(tx, 'cancelled', null, { name: 'Cancelled', message: recovered ? 'Cancelled; nothing was changed' : 'Cancelled' + unrecovered }, settleRecord);
    } else {
      const f = failure(outcome);
      this.end(tx, 'failed', null, { ...f, message: recovered ? f.message : f.message + unrecovered }, settleRecord);
    }
  }

  /** Restores refs (when given) and removes leftovers, in a worker of its own; false if that failed. */
  private async recover(transactionId: string | null, refsBefore: Record<string, string> | null): Promise<boolean> {
    const config = this.deps.config();
    const outcome = await this.workers.acquire().run(
      {
        type: 'run',
        transactionId: transactionId ?? 'recovery',
        method: 'recover',
        params: { refsBefore, transactionId },
        sysroot: this.deps.sysroot,
        osname: '',
        config: this.workerConfig(config),
      },
      { onEvent: () => {}, onLocked: () => {}, onPointOfNoReturn: () => true },
    );
    if (outcome.kind === 'done') return true;
    this.deps.log.error(`recovery after ${transactionId ?? 'a crash'} failed: ${failure(outcome).message}`);
    return false;
  }

  /**
   * Sets the final state, journals it, settles the record on disk (`settleRecord`: after the
   * journal, so a daemon killed between the two finds the transaction journaled; before
   * Finished, so a client that saw Finished finds no record), publishes Finished, then lets
   * callers see the end. Both files are fsync'd (util/durable-file), so the order holds against
   * a power cut too (a journal that cannot be written is logged; the record is settled anyway,
   * since keeping it would have the next start undo what succeeded).
   */
  private end(
    tx: TransactionRecord,
    state: 'succeeded' | 'failed' | 'cancelled',
    result: Record<string, unknown> | null,
    error: { name: string; message: string } | null,
    settleRecord: () => void = () => {},
  ): void {
    tx.finish(state);
    tx.result = result;
    tx.error = error === null ? null : { name: toErrorName(error.name), message: error.message };
    try {
      this.journal.append(tx.toJSON());
    } catch (err) {
      this.deps.log.error('cannot append to the history journal', err);
    }
    try {
      settleRecord();
    } catch (err) {
      this.deps.log.error('cannot update the record of the running transaction', err);
    }
    this.recent.set(tx.id, tx);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value as string);
    this.publish(tx, { type: 'Finished', success: state === 'succeeded', errorMessage: error?.message ?? '' });
    tx.settle();
  }

  private workerConfig(config: DaemonConfig): WorkerConfig {
    return {
      downloadTimeout: config.downloadTimeout,
      maxConcurrentDownloads: config.maxConcurrentDownloads,
      disableRecommends: config.disableRecommends,
      refreshMdMaxAge: config.refreshMdMaxAge,
      cacheDir: this.deps.cacheDir,
      stateDir: this.deps.stateDir,
    };
  }

  private reboot(tx: TransactionRecord): void {
    const argv = this.deps.config().rebootCommand;
    this.deps.log.info(`transaction ${tx.id} asked for a reboot: ${argv.join(' ')}`);
    runRebootCommand(argv, this.deps.log);
  }

  /** Stops the spare worker (daemon shutdown); a running transaction's worker dies with the daemon. */
  close(): void {
    this.workers.close();
  }
}

function toErrorName(name: string): ErrorName {
  return name in ERROR_TABLE ? (name as ErrorName) : 'Failed';
}

function failure(outcome: WorkerOutcome): { name: string; message: string } {
  if (outcome.kind === 'failed') return { name: outcome.errorName, message: outcome.message };
  if (outcome.kind === 'died') return { name: 'Failed', message: outcome.message };
  return { name: 'Failed', message: 'unexpected success' };
}
