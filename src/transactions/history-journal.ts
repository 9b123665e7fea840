import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { appendFileDurably } from '../util/durable-file.js';
import type { TransactionObject } from './transaction.js';

/**
 * Finished transactions, one JSON line each, appended (and fsync'd) to
 * `<state-dir>/history.jsonl`. A torn last line (a power cut mid-append) is skipped on read.
 */
export class HistoryJournal {
  readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, 'history.jsonl');
  }

  append(tx: TransactionObject): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    appendFileDurably(this.path, (this.endsTorn() ? '\n' : '') + JSON.stringify(tx) + '\n');
  }

  /** Whether the last line lacks its newline (a crash mid-append): the next record starts a new line. */
  private endsTorn(): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return false;
    }
    try {
      const size = fstatSync(fd).size;
      if (size === 0) return false;
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } finally {
      closeSync(fd);
    }
  }

  /** Newest first. */
  read(limit: number): TransactionObject[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return [];
    }
    const out: TransactionObject[] = [];
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      if (lines[i] === '') continue;
      try {
        out.push(JSON.parse(lines[i]) as TransactionObject);
      } catch {
        // A torn line from a crash mid-append.
      }
    }
    return out;
  }

  find(id: string): TransactionObject | undefined {
    return this.read(Number.MAX_SAFE_INTEGER).find((t) => t.id === id);
  }
}
