/**
 * What survives a crash of the daemon or the machine: the record of the running transaction
 * on disk (active-record.ts), kept by one writer per transaction (`RunningRecord`), and the
 * recovery at the next start that restores the refs, removes leftovers and journals the
 * interrupted transaction as failed.
 */
import { errorFullName } from '../api/errors.js';
import type { Logger } from '../util/logger.js';
import { ActiveRecordFile, type ActiveRecord } from './active-record.js';
import type { HistoryJournal } from './history-journal.js';
import type { TransactionObject } from './transaction.js';

export interface CrashRecoveryDeps {
  stateDir: string;
  journal: HistoryJournal;
  log: Logger;
  /** Ids of the deployments now, in order. */
  deploymentIds: () => string[];
  /** Restores refs (when given) and removes a transaction's leftovers; false if that failed. */
  recover: (transactionId: string | null, refsBefore: Record<string, string> | null) => Promise<boolean>;
}

/** The on-disk record of one running transaction; every write of it goes through here. */
export class RunningRecord {
  private refsBefore: Record<string, string> | null = null;
  private pastPointOfNoReturn = false;

  constructor(
    private readonly file: ActiveRecordFile,
    private readonly transaction: () => TransactionObject,
    /** Deployment ids before the transaction: equal ids afterwards mean the list was not written. */
    readonly deploymentsBefore: string[],
  ) {
    this.write();
  }

  /** The refs as the worker found them under the sysroot lock: restored if it fails before its point of no return. */
  locked(refs: Record<string, string>): void {
    this.refsBefore = refs;
    this.write();
  }

  /** Recorded before the worker may write the deployment list, so a crash right after is recovered right. */
  pointOfNoReturn(): void {
    this.pastPointOfNoReturn = true;
    this.write();
  }

  /** The refs to restore after a failure: none when the new list was written. */
  refsToRestore(listWritten: boolean): Record<string, string> | null {
    return listWritten ? null : this.refsBefore;
  }

  get crossedPointOfNoReturn(): boolean {
    return this.pastPointOfNoReturn;
  }

  /** Ended and recovered: nothing left to do at the next start. */
  clear(): void {
    this.file.clear();
  }

  /** Ended and journaled, but its recovery failed: the next start retries the recovery only. */
  keepForRetry(refsToRestore: Record<string, string> | null): void {
    this.refsBefore = refsToRestore;
    this.write(true);
  }

  private write(journaled?: boolean): void {
    const record: ActiveRecord = {
      transaction: this.transaction(),
      refsBefore: this.refsBefore,
      pastPointOfNoReturn: this.pastPointOfNoReturn,
      deploymentsBefore: this.deploymentsBefore,
      ...(journaled === true ? { journaled } : {}),
    };
    this.file.write(record);
  }
}

export class CrashRecovery {
  private readonly file: ActiveRecordFile;

  constructor(private readonly deps: CrashRecoveryDeps) {
    this.file = new ActiveRecordFile(deps.stateDir);
  }

  /** Records a transaction that starts now (on disk before any client hears of the start). */
  begin(transaction: () => TransactionObject): RunningRecord {
    return new RunningRecord(this.file, transaction, this.deploymentIds());
  }

  /** The record left by `transactionId`, if it is the one on disk (the engine itself failed). */
  leftBy(transactionId: string): ActiveRecord | null {
    const record = this.file.read();
    return record !== null && record.transaction.id === transactionId ? record : null;
  }

  clear(): void {
    this.file.clear();
  }

  /**
   * Whether a transaction that ended abnormally wrote its new deployment list: it may only have
   * after its point of no return, and then only if the list differs from the one before (the
   * worker can die between being allowed to write and writing).
   */
  listWritten(pastPointOfNoReturn: boolean, deploymentsBefore: string[]): boolean {
    if (!pastPointOfNoReturn) return false;
    const now = this.deploymentIds();
    return now.length !== deploymentsBefore.length || now.some((id, i) => id !== deploymentsBefore[i]);
  }

  /** At start: a transaction the previous run did not finish is recovered and journaled as failed. */
  async atStart(): Promise<void> {
    try {
      await this.recoverLeftRecord();
    } catch (err) {
      // Keep the record: the next start tries again. Transactions still run meanwhile.
      this.deps.log.error('recovering the interrupted transaction failed', err);
    }
  }

  private async recoverLeftRecord(): Promise<void> {
    const record = this.file.read();
    if (record === null) return;
    const tx = record.transaction;
    const journaled = this.deps.journal.find(tx.id);
    if (journaled?.state === 'succeeded') {
      // It ended and was journaled; the daemon stopped before removing its record. Nothing to
      // undo (a download-only pull moved a ref on purpose): only leftovers to remove.
      this.deps.log.warn(`transaction ${tx.id} (${tx.title}) had ended; removing what it left`);
      if (await this.deps.recover(tx.id, null)) this.file.clear();
      return;
    }
    this.deps.log.warn(`recovering transaction ${tx.id} (${tx.title}) interrupted by a daemon crash`);
    const written = this.listWritten(record.pastPointOfNoReturn, record.deploymentsBefore ?? []);
    const recovered = await this.deps.recover(tx.id, written ? null : record.refsBefore);
    if (record.journaled === true || journaled !== undefined) {
      // Journaled when it ended; only the recovery was left to do.
      if (recovered) this.file.clear();
      return;
    }
    const message = !recovered
      ? 'Interrupted: the daemon stopped during the transaction; restoring the previous state failed and is retried at the next start'
      : written
        ? 'Interrupted: the daemon stopped after the new deployment list was written; the new deployments are in place'
        : 'Interrupted: the daemon stopped during the transaction; nothing was changed';
    this.deps.journal.append({
      ...tx,
      state: 'failed',
      finishedAt: new Date().toISOString(),
      error: { name: errorFullName('Failed'), message },
    });
    if (recovered) this.file.clear();
    else this.file.write({ ...record, journaled: true });
  }

  private deploymentIds(): string[] {
    try {
      return this.deps.deploymentIds();
    } catch {
      return [];
    }
  }
}
