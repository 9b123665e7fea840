/**
 * Engine behaviour under a slow remote: queueing with positions, joining, noQueue, reads that
 * keep answering, Cancel mid-pull, a killed worker, a killed daemon, and the CLI's live verbs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/api/types/deployment.js';
import { main } from '../src/cli/main.js';
import { JsonRpcClient, RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot, startStaticServer, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { readRefs } from '../src/worker/recover.js';
import { captureIo } from './support/capture-io.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { eventClient, typesOf, type Received } from './support/event-client.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { alive, childPids, until } from './support/processes.js';

const repoOf = (sysroot: string) => join(sysroot, 'ostree', 'repo');

function fsckClean(sysroot: string): void {
  execFileSync('ostree', ['fsck', `--repo=${repoOf(sysroot)}`], { stdio: 'pipe' });
}

/** Many small files: enough objects that a delayed server makes the pull take seconds. */
function bulkyFiles(tag: string, n = 300): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`usr/share/bulk/${tag}/${i}`, `${tag} file ${i}\n`]));
}

describe('transaction engine with a slow remote', () => {
  const dir = tempSysrootDir();
  let remote: RemoteSysroot;
  let slow: Awaited<ReturnType<typeof startStaticServer>>;
  let daemon: DaemonHandle;
  let update = 0;
  const stateDir = join(dir, 'state');
  /** Daemons killed by tests: their temporary sockets are removed at the end. */
  const killed: DaemonHandle[] = [];

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    slow = await startStaticServer(remote.serverRepo, { delayMs: 15 });
    execFileSync('ostree', ['config', `--repo=${repoOf(remote.sysroot)}`, 'set', 'remote "origin".url', slow.url]);
    daemon = await startDaemon({ sysroot: remote.sysroot, stateDir });
  });
  after(async () => {
    await daemon?.stop();
    for (const d of killed) await d.stop();
    await slow?.stop();
    await remote?.stop();
  });

  /** Publishes a new, bulky commit on the remote. */
  const newUpdate = () => addServerCommit(remote, { version: `12.${10 + ++update}`, files: bulkyFiles(`u${update}`) });

  const getDeployments = async (client: JsonRpcClient) => (await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;

  /** Resolves with the first event of `type` seen by `events`. */
  const firstEvent = async (events: Received[], type: string) => {
    await until(() => events.some((e) => e.method === `Transaction.${type}`), 30_000, type);
    return events.find((e) => e.method === `Transaction.${type}`) as Received;
  };

  it('queues three clients in order with positions, joins an identical request, refuses noQueue', async () => {
    newUpdate();
    const a = await eventClient(daemon.socket);
    const b = await eventClient(daemon.socket);
    const c = await eventClient(daemon.socket);
    const joiner = await eventClient(daemon.socket);
    const first = a.client.call<{ transaction: string }>('OS.Upgrade', {});
    await firstEvent(a.events, 'Started');
    const second = b.client.call<{ transaction: string }>('OS.Rollback', {});
    await firstEvent(b.events, 'Queued');
    const third = c.client.call<{ transaction: string }>('OS.Deploy', { revision: remote.commits.v1 });
    await firstEvent(c.events, 'Queued');
    const joined = joiner.client.call<{ transaction: string }>('OS.Upgrade', {});
    await assert.rejects(
      joiner.client.call('OS.Deploy', { revision: remote.commits.v2, noQueue: true }),
      (e: RemoteError) => e.errorName === 'TransactionInProgress',
    );
    const list = await joiner.client.call<{ transactions: { method: string; state: string }[] }>('Transaction.List');
    assert.deepEqual(
      list.transactions.map((t) => [t.method, t.state]),
      [
        ['OS.Upgrade', 'running'],
        ['OS.Rollback', 'queued'],
        ['OS.Deploy', 'queued'],
      ],
    );
    const [r1, r2, r3, rj] = await Promise.all([first, second, third, joined]);
    assert.equal(rj.transaction, r1.transaction, 'an identical request joins the running transaction');
    assert.equal(b.events.find((e) => e.method === 'Transaction.Queued')?.params.position, 1);
    assert.equal(c.events.find((e) => e.method === 'Transaction.Queued')?.params.position, 2);
    const started = (events: Received[]) => events.findIndex((e) => e.method === 'Transaction.Started');
    assert.ok(started(b.events) >= 0 && started(c.events) >= 0);
    const history = await joiner.client.call<{ transactions: { id: string }[] }>('Transaction.History', { limit: 3 });
    assert.deepEqual(
      history.transactions.map((t) => t.id),
      [r3.transaction, r2.transaction, r1.transaction],
      'they ran in the order they were submitted',
    );
    for (const x of [a, b, c, joiner]) x.client.close();
    fsckClean(remote.sysroot);
  });

  it('keeps answering reads within 50 ms while a transaction runs', async () => {
    newUpdate();
    const { client, events } = await eventClient(daemon.socket);
    const upgrade = client.call('OS.Upgrade', {});
    await firstEvent(events, 'DownloadProgress');
    const reader = await JsonRpcClient.connect(daemon.socket);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const props = await reader.call<{ activeTransaction: { method: string } | null }>('Sysroot.GetProperties');
      times.push(performance.now() - t0);
      if (i === 0) assert.equal(props.activeTransaction?.method, 'OS.Upgrade');
    }
    reader.close();
    assert.ok(Math.max(...times) < 50, `slowest read ${Math.max(...times).toFixed(1)} ms`);
    const status = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'status'], status), 0);
    assert.match(status.out(), /^State: busy\nTransaction: upgrade\n/);
    await upgrade;
    client.close();
  });

  it('Cancel mid-pull: the caller gets Cancelled, refs and deployments are unchanged, fsck is clean', async () => {
    newUpdate();
    const { client, events } = await eventClient(daemon.socket);
    const refsBefore = readRefs(repoOf(remote.sysroot));
    const before = await getDeployments(client);
    const upgrade = client.call('OS.Upgrade', {});
    const upgradeRejects = assert.rejects(upgrade, (e: RemoteError) => {
      assert.equal(e.errorName, 'Cancelled');
      assert.equal(e.data.transaction, progress.params.transaction);
      return true;
    });
    const progress = await firstEvent(events, 'DownloadProgress');
    const canceller = await JsonRpcClient.connect(daemon.socket);
    const cancelled = await canceller.call<{ transaction: string }>('Transaction.Cancel', {});
    assert.equal(cancelled.transaction, progress.params.transaction);
    await upgradeRejects;
    assert.deepEqual(readRefs(repoOf(remote.sysroot)), refsBefore);
    assert.deepEqual(await getDeployments(client), before);
    assert.equal(typesOf(events).at(-1), 'Finished');
    const got = await canceller.call<{ transaction: { state: string } }>('Transaction.Get', { id: cancelled.transaction });
    assert.equal(got.transaction.state, 'cancelled');
    await assert.rejects(canceller.call('Transaction.Cancel', {}), (e: RemoteError) => e.errorName === 'NoSuchTransaction');
    canceller.close();
    client.close();
    fsckClean(remote.sysroot);
  });

  it('Cancel after the point of no return answers TooLateToCancel and the transaction completes', async () => {
    const { client, events } = await eventClient(daemon.socket);
    const before = await getDeployments(client);
    const rollback = client.call<{ deployment: string }>('OS.Rollback', {});
    // The boot configuration is written after the point of no return (~50 ms of work).
    await until(() => events.some((e) => e.method === 'Transaction.TaskBegin' && /boot configuration/.test(String(e.params.text))), 30_000, 'write');
    const canceller = await JsonRpcClient.connect(daemon.socket);
    await assert.rejects(canceller.call('Transaction.Cancel', {}), (e: RemoteError) => e.errorName === 'TooLateToCancel');
    canceller.close();
    const result = await rollback;
    assert.equal(result.deployment, before[1].id);
    assert.equal((await getDeployments(client))[0].id, before[1].id);
    client.close();
  });

  it('a client that disconnects does not stop the transaction it started', async () => {
    const csum = newUpdate();
    const { client, events } = await eventClient(daemon.socket);
    client.call('OS.Upgrade', {}).catch(() => {});
    const started = await firstEvent(events, 'Started');
    client.close();
    const watcher = await JsonRpcClient.connect(daemon.socket);
    const { transaction } = await watcher.call<{ transaction: { state: string } }>('Transaction.Watch', {
      id: started.params.transaction,
    });
    assert.equal(transaction.state, 'succeeded');
    assert.equal((await getDeployments(watcher))[0].checksum, csum);
    watcher.close();
  });

  it('bounds the queue (QueueFull) and the requests in flight per uid (LimitExceeded)', async () => {
    newUpdate();
    const { client } = await eventClient(daemon.socket);
    // Detached: it answers at once and keeps pulling from the slow remote for seconds.
    const { transaction } = await client.call<{ transaction: string }>('OS.Upgrade', { detach: true });
    // Sixteen different requests wait behind it; the seventeenth does not fit.
    const queued: string[] = [];
    for (let i = 0; i < 16; i++) {
      queued.push((await client.call<{ transaction: string }>('OS.Deploy', { revision: `0.${i}`, detach: true })).transaction);
    }
    await assert.rejects(client.call('OS.Deploy', { revision: '0.99', detach: true }), (e: RemoteError) => e.errorName === 'QueueFull');
    // 512 watchers are in flight for this uid; the next request is refused, not left waiting.
    const watchers = await Promise.all(Array.from({ length: 8 }, () => JsonRpcClient.connect(daemon.socket)));
    const watching = watchers.flatMap((w) => Array.from({ length: 64 }, () => w.call('Transaction.Watch', { id: transaction }).catch(() => {})));
    await new Promise((r) => setTimeout(r, 300));
    const extra = await JsonRpcClient.connect(daemon.socket);
    await assert.rejects(extra.call('Sysroot.GetDeployments'), (e: RemoteError) => e.errorName === 'LimitExceeded');
    for (const id of [...queued.reverse(), transaction]) await client.call('Transaction.Cancel', { id }).catch(() => {});
    await Promise.all(watching);
    assert.ok((await extra.call<{ deployments: unknown[] }>('Sysroot.GetDeployments')).deployments.length > 0, 'served again');
    for (const w of [...watchers, extra]) w.close();
    client.close();
  });

  it('a worker killed mid-pull fails the transaction and changes nothing', async () => {
    newUpdate();
    const { client, events } = await eventClient(daemon.socket);
    const refsBefore = readRefs(repoOf(remote.sysroot));
    const before = await getDeployments(client);
    const upgradeRejects = assert.rejects(client.call('OS.Upgrade', {}), (e: RemoteError) => {
      assert.equal(e.errorName, 'Failed');
      assert.match(e.message, /SIGKILL/);
      return true;
    });
    await firstEvent(events, 'DownloadProgress');
    // The running worker, and the spare the pool forks meanwhile: kill every child.
    const workers = childPids(daemon.process.pid as number);
    assert.ok(workers.length >= 1, 'the transaction runs in a child process');
    for (const pid of workers) process.kill(pid, 'SIGKILL');
    await upgradeRejects;
    assert.deepEqual(readRefs(repoOf(remote.sysroot)), refsBefore);
    assert.deepEqual(await getDeployments(client), before);
    client.close();
    fsckClean(remote.sysroot);
  });

  for (const point of ['Started', 'DownloadProgress', 'ProgressEnd']) {
    it(`a daemon killed at ${point} leaves a consistent sysroot; the next start records the failure`, async () => {
      const csum = newUpdate();
      const { client, events } = await eventClient(daemon.socket);
      const refsBefore = readRefs(repoOf(remote.sysroot));
      const before = (await getDeployments(client)).map((d) => d.id);
      client.call('OS.Upgrade', {}).catch(() => {});
      const started = await firstEvent(events, 'Started');
      await firstEvent(events, point);
      const daemonPid = daemon.process.pid as number;
      const workers = childPids(daemonPid);
      daemon.process.kill('SIGKILL');
      await until(() => !alive(daemonPid), 5000, 'daemon exit');
      await until(() => workers.every((w) => !alive(w)), 5000, 'worker exit (parent-death signal)');
      client.close();
      killed.push(daemon);
      // Restart on the same state dir: the recovery runs at start, before any new transaction.
      daemon = await startDaemon({ sysroot: remote.sysroot, stateDir });
      const c2 = await JsonRpcClient.connect(daemon.socket);
      // Asked at once: the history waits for the recovery at start (no polling of the journal).
      const history = await c2.call<{ transactions: { id: string; state: string; error: { message: string } }[] }>('Transaction.History', { limit: 1 });
      assert.equal(history.transactions[0].id, started.params.transaction);
      assert.equal(history.transactions[0].state, 'failed');
      assert.match(history.transactions[0].error.message, /Interrupted/);
      const after = await getDeployments(c2);
      if (after[0].checksum === csum) {
        // Killed after the bootloader swap: the whole new set is in place.
        assert.ok(after.length >= 2, 'the new default and a rollback');
      } else {
        // Killed before it: exactly the old set, and every ref as it was.
        assert.deepEqual(
          after.map((d) => d.id),
          before,
        );
        assert.deepEqual(readRefs(repoOf(remote.sysroot)), refsBefore);
      }
      c2.close();
      fsckClean(remote.sysroot);
    });
  }

  it('CLI: upgrade prints one line per event off a terminal; Ctrl-C cancels the transaction it started', async () => {
    newUpdate();
    let interrupt: (() => void) | undefined;
    const io = captureIo();
    const cli = main(['--socket', daemon.socket, 'upgrade'], {
      ...io,
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => (interrupt = undefined);
      },
    });
    await until(() => /Receiving objects/.test(io.out()), 30_000, 'download progress line');
    interrupt?.();
    assert.equal(await cli, 3, 'exit code 3: cancelled');
    assert.match(io.err(), /Cancelling transaction [0-9a-f-]{36}/);
    assert.match(io.err(), /cancelled/);
    assert.match(io.out(), /^Started transaction/m);

    const json = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'rollback', '--json'], json), 0);
    const lines = json
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal((lines.at(-1) as { transaction: { state: string } }).transaction.state, 'succeeded');
    assert.ok(lines.some((l) => l.method === 'Transaction.Finished'));

    const history = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'history', '--limit', '2'], history), 0);
    assert.match(history.out(), /succeeded {2}rollback/);
    assert.match(history.out(), /cancelled {2}upgrade/);

    const list = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'transaction', 'list'], list), 0);
    assert.match(list.out(), /No transaction is running/);

    const none = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'cancel'], none), 1);
    assert.match(none.err(), /NoSuchTransaction/);
  });
});
