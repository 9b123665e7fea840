import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeFileDurably, writeFileDurably } from '../util/durable-file.js';
import type { TransactionObject } from './transaction.js';

/** What the daemon must know about a running transaction to recover after a crash. */
interface ActiveRecord {
  transaction: TransactionObject;
  /**
   * Every ref of the repo when the worker took the sysroot lock (restored if the transaction is
   * interrupted before its point of no return); null before it holds the lock: nothing to undo.
   */
  refsBefore: Record<string, string> | null;
  /** True once the new deployment list may have been written. */
  pastPointOfNoReturn: boolean;
  /** Deployment ids before the transaction: after a crash, equal ids mean the list was not written. */
  deploymentsBefore: string[];
  /** Already in the history: only the recovery is left to retry (it failed last time). */
  journaled?: boolean;
}

/**
 * `<state-dir>/active-transaction.json`, written atomically and durably (fsync'd: a power cut
 * must not lose it) when a transaction starts and when it passes its point of no return, removed
 * when it ends. Found at start, it means the daemon (or the machine) died during that transaction.
 */
export class ActiveRecordFile {
  readonly path: string;

  constructor(private readonly stateDir: string) {
    this.path = join(stateDir, 'active-transaction.json');
  }

  write(record: ActiveRecord): void {
    mkdirSync(this.stateDir, { recursive: true });
    writeFileDurably(this.path, JSON.stringify(record));
  }

  read(): ActiveRecord | null {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as ActiveRecord;
    } catch {
      return null;
    }
  }

  clear(): void {
    removeFileDurably(this.path);
  }
}
