/**
 * Recovery that cannot run at once (the sysroot is not there at restart) is journaled once,
 * kept on disk, and retried at the next start. A transaction a client has seen start is
 * recovered and journaled even if the daemon dies the moment the client reads Started; one
 * already journaled when the daemon died is not undone.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { readRefs } from '../src/backends/ostree/write/ref-snapshot.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { exited, startDaemon } from './support/daemon-process.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';

describe('recovery after a crash', () => {
  const dir = tempSysrootDir();

  it('keeps an interrupted transaction whose recovery failed and retries it at the next start, journaled once', async () => {
    const sysroot = join(dir, 'sysroot');
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { recursive: true });
    const id = '11111111-2222-4333-8444-555555555555';
    const active = join(stateDir, 'active-transaction.json');
    writeFileSync(
      active,
      JSON.stringify({
        transaction: {
          id,
          method: 'OS.Upgrade',
          params: {},
          state: 'running',
          title: 'upgrade',
          uid: 0,
          pid: 1,
          createdAt: new Date().toISOString(),
          startedAt: new Date().toISOString(),
          finishedAt: null,
          result: null,
          error: null,
        },
        refsBefore: null,
        pastPointOfNoReturn: false,
        deploymentsBefore: [],
      }),
    );
    // First start: the sysroot is missing, the recovery worker cannot open it.
    let daemon = await startDaemon({ sysroot, stateDir });
    const journal = join(stateDir, 'history.jsonl');
    await until(() => existsSync(journal) && readFileSync(journal, 'utf8').includes(id), 15_000, 'journaled');
    await daemon.stop();
    const record = JSON.parse(readFileSync(active, 'utf8')) as { journaled?: boolean };
    assert.equal(record.journaled, true, 'kept for a retry');
    assert.match(readFileSync(journal, 'utf8'), /retried at the next start/);

    // Second start: the sysroot is there; the recovery succeeds and the record goes.
    buildStandardSysroot(sysroot);
    daemon = await startDaemon({ sysroot, stateDir });
    try {
      await until(() => !existsSync(active), 15_000, 'the record to be cleared');
      const client = await JsonRpcClient.connect(daemon.socket);
      const { transactions } = await client.call<{ transactions: { id: string }[] }>('Transaction.History', { limit: 10 });
      client.close();
      assert.equal(transactions.filter((t) => t.id === id).length, 1, 'journaled once');
    } finally {
      await daemon.stop();
    }
  });

  it('a daemon killed the moment a client reads Started: the transaction is recovered and journaled as failed', async () => {
    const sysroot = join(dir, 'sysroot-started');
    buildStandardSysroot(sysroot);
    const deploymentsBefore = ostreeAdminStatus(sysroot);
    // Several times: the kill races with what the daemon does right after announcing the start.
    for (let i = 0; i < 3; i++) {
      const stateDir = join(dir, `state-started-${i}`);
      let daemon = await startDaemon({ sysroot, stateDir });
      let tx = '';
      const killed = new Promise<void>((resolve) => {
        void JsonRpcClient.connect(daemon.socket, (method, params) => {
          if (method !== 'Transaction.Started') return;
          daemon.process.kill('SIGKILL');
          tx = String(params.transaction);
          resolve();
        }).then((client) => client.call('OS.KernelArgs', { append: [`started-kill=${i}`] }).catch(() => client.close()));
      });
      await killed;
      await exited(daemon.process);
      await daemon.stop();
      assert.ok(existsSync(join(stateDir, 'active-transaction.json')), 'the running transaction was on disk before anyone heard of it');
      daemon = await startDaemon({ sysroot, stateDir });
      try {
        await until(() => !existsSync(join(stateDir, 'active-transaction.json')), 15_000, 'the record to be cleared');
        const client = await JsonRpcClient.connect(daemon.socket);
        const { transactions } = await client.call<{ transactions: { id: string; state: string; error: { message: string } | null }[] }>(
          'Transaction.History',
          { limit: 10 },
        );
        client.close();
        assert.deepEqual(
          transactions.map((t) => [t.id, t.state]),
          [[tx, 'failed']],
        );
        assert.match(transactions[0].error?.message ?? '', /nothing was changed/);
        assert.deepEqual(ostreeAdminStatus(sysroot), deploymentsBefore, 'the kernel argument change was not applied');
      } finally {
        await daemon.stop();
      }
    }
  });

  it('a record left after the transaction was journaled as succeeded: nothing is undone, journaled once', async () => {
    const fixture = buildStandardSysroot(join(dir, 'sysroot-journaled'));
    const stateDir = join(dir, 'state-journaled');
    mkdirSync(stateDir, { recursive: true });
    const id = '66666666-7777-4888-8999-000000000000';
    const now = new Date().toISOString();
    const tx = { id, method: 'OS.Upgrade', params: {}, title: 'upgrade', uid: 0, pid: 1, createdAt: now, startedAt: now, result: null, error: null };
    // The daemon died between journaling the end and removing the record: the record still holds
    // the refs from before, and restoring them would undo what succeeded.
    const refsNow = readRefs(fixture.repo);
    assert.equal(refsNow[fixture.refspec], fixture.commits.v2);
    writeFileSync(join(stateDir, 'history.jsonl'), JSON.stringify({ ...tx, state: 'succeeded', finishedAt: now }) + '\n');
    const active = join(stateDir, 'active-transaction.json');
    writeFileSync(
      active,
      JSON.stringify({
        transaction: { ...tx, state: 'running', finishedAt: null },
        refsBefore: { ...refsNow, [fixture.refspec]: fixture.commits.v1 },
        pastPointOfNoReturn: false,
        deploymentsBefore: [],
      }),
    );
    const daemon = await startDaemon({ sysroot: fixture.sysroot, stateDir });
    try {
      await until(() => !existsSync(active), 15_000, 'the record to be cleared');
      assert.deepEqual(readRefs(fixture.repo), refsNow, 'no ref was restored');
      const client = await JsonRpcClient.connect(daemon.socket);
      const { transactions } = await client.call<{ transactions: { id: string; state: string }[] }>('Transaction.History', { limit: 10 });
      client.close();
      assert.deepEqual(
        transactions.map((t) => [t.id, t.state]),
        [[id, 'succeeded']],
        'journaled once, as it ended',
      );
    } finally {
      await daemon.stop();
    }
  });
});
