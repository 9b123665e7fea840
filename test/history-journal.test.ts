import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HistoryJournal } from '../src/transactions/history-journal.js';
import type { TransactionObject } from '../src/transactions/transaction.js';

const tx = (id: string): TransactionObject => ({
  id,
  method: 'OS.Upgrade',
  params: {},
  state: 'succeeded',
  title: 'upgrade',
  uid: 0,
  pid: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  result: null,
  error: null,
});

describe('history journal', () => {
  it('reads newest first, skips a torn line, and appends after it on a line of its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apt-ostreed-journal-'));
    try {
      const journal = new HistoryJournal(dir);
      journal.append(tx('a'));
      appendFileSync(journal.path, '{"id":"torn","meth'); // power loss mid-append
      journal.append(tx('b'));
      assert.deepEqual(
        journal.read(10).map((t) => t.id),
        ['b', 'a'],
      );
      assert.equal(journal.find('a')?.id, 'a');
      assert.deepEqual(
        journal.read(1).map((t) => t.id),
        ['b'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
