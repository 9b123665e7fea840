/**
 * Attack: an unprivileged local user reads what root's transactions are doing.
 * Transaction.List/Get/Watch/History and Sysroot.GetProperties gave every user the
 * params (packages, refspecs, kernel arguments), uid, pid, every progress message and error of
 * anyone's transaction. Now only the initiator and root see the detail; others see id, method,
 * state and times. And Sysroot.Reload, open to everyone before, needs `reload-daemon`.
 *
 * Real parts: the daemon, a private system bus with a real polkitd and the generated policy,
 * a real non-root user calling over the socket (runuser).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { eventClient, typesOf } from './support/event-client.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { childPids, until } from './support/processes.js';
import { REPO_ROOT } from './support/repo-root.js';
import {
  BUS_POLICY_TARGET,
  createTestUser,
  installFile,
  nameHasOwner,
  startPolkitd,
  startSystemBus,
  type Polkitd,
  type TestBus,
} from './support/system-bus.js';

const USER = 'aoatk-disc';
const POLICY_TARGET = '/usr/share/polkit-1/actions/org.projectatomic.aptostree.policy';
const RPC_AS_USER = join(REPO_ROOT, 'dist', 'test', 'support', 'rpc-as-user.js');
/** What root's transaction carries that nobody else may learn. */
const SECRET = 'aptostree.secret=hunter2';

interface Reply {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data: { name: string } };
}
type TransactionJson = Record<string, unknown> & { id: string };

/** Sends `signal` to each of `pids` that still exists. */
function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Ended meanwhile.
    }
  }
}

describe("attack: an unprivileged user reads root's transactions", () => {
  const dir = tempSysrootDir();
  const busDir = mkdtempSync(join(tmpdir(), 'apt-ostreed-bus-'));
  let bus: TestBus;
  let polkitd: Polkitd | null = null;
  let daemon: DaemonHandle;
  const cleanups: (() => void)[] = [];

  before(async () => {
    // The bus policy first, so that the daemon's D-Bus shim owns its name on this bus.
    cleanups.push(installFile(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.conf'), BUS_POLICY_TARGET));
    bus = await startSystemBus(busDir);
    cleanups.push(installFile(join(REPO_ROOT, 'polkit', 'org.projectatomic.aptostree.policy'), POLICY_TARGET));
    cleanups.push(createTestUser(USER, USER));
    polkitd = await startPolkitd(bus.address);
    const { sysroot } = buildStandardSysroot(join(dir, 'sysroot'));
    daemon = await startDaemon({ sysroot, env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
    await until(() => nameHasOwner(bus.address, 'org.projectatomic.aptostree1'), 10_000, 'the shim on the bus');
  });
  after(async () => {
    signalAll(childPids(daemon?.process.pid ?? 0), 'SIGCONT');
    await daemon?.stop();
    await polkitd?.stop();
    await bus?.stop();
    for (const cleanup of cleanups.reverse()) cleanup();
    rmSync(busDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const argv = (method: string, params: Record<string, unknown>, ...extra: string[]) => [
    '-u',
    USER,
    '--',
    process.execPath,
    RPC_AS_USER,
    daemon.socket,
    method,
    JSON.stringify(params),
    ...extra,
  ];
  function asUser(method: string, params: Record<string, unknown>): Reply {
    const r = spawnSync('runuser', argv(method, params), { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Reply;
  }
  const errorName = (e?: { data: { name: string } }) => e?.data.name.replace('org.projectatomic.aptostree1.Error.', '');

  /** What another user may see: id, method, state and times, nothing of the request or its progress. */
  function assertRedacted(tx: TransactionJson | null | undefined, what: string): void {
    assert.ok(tx, `${what}: the transaction is listed`);
    const text = JSON.stringify(tx);
    assert.doesNotMatch(text, /hunter2/, `${what}: no detail of the request: ${text}`);
    assert.deepEqual(tx.params, {}, `${what}: params hidden`);
    assert.equal(tx.uid, null, `${what}: uid hidden`);
    assert.equal(tx.pid, null, `${what}: pid hidden`);
    assert.equal(tx.result, null, `${what}: result hidden`);
    assert.equal(tx.error, null, `${what}: error hidden`);
    assert.equal(tx.detailsHidden, true, `${what}: says that details are hidden`);
    assert.equal(tx.method, 'OS.KernelArgs', `${what}: the method is public`);
    assert.equal(typeof tx.createdAt, 'string', `${what}: times are public`);
  }

  it("sees only id, method, state and times of root's running and finished transaction, and no progress", async () => {
    const { client: root, events } = await eventClient(daemon.socket);
    const call = root.call<{ transaction: string }>('OS.KernelArgs', { append: [SECRET] });
    await until(() => typesOf(events).includes('TaskBegin'), 30_000, "root's transaction to be under way");
    const id = String(events[0].params.transaction);
    // Hold the transaction where it is: its worker stopped, so it stays running while the user looks.
    const workers = childPids(daemon.process.pid ?? 0);
    signalAll(workers, 'SIGSTOP');
    let watchOut = '';
    try {
      const listed = (asUser('Transaction.List', {}).result as { transactions: TransactionJson[] }).transactions;
      assertRedacted(
        listed.find((t) => t.id === id),
        'List',
      );
      assert.equal(listed.find((t) => t.id === id)?.state, 'running');
      assertRedacted((asUser('Transaction.Get', { id }).result as { transaction: TransactionJson }).transaction, 'Get (running)');
      const props = asUser('Sysroot.GetProperties', {}).result as { activeTransaction: TransactionJson };
      assertRedacted(props.activeTransaction, 'Sysroot.GetProperties activeTransaction');
      // The D-Bus property every bus client may read.
      const property = spawnSync(
        'runuser',
        [
          '-u',
          USER,
          '--',
          'busctl',
          `--address=${bus.address}`,
          'get-property',
          'org.projectatomic.aptostree1',
          '/org/projectatomic/aptostree1/Sysroot',
          'org.projectatomic.aptostree1.Sysroot',
          'ActiveTransaction',
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      assert.equal(property.status, 0, property.stderr);
      // rpm-ostree's shape: the method, the caller's bus name (none: it came over the socket), the OS object; nothing of the request.
      assert.equal(property.stdout.trim(), '(sss) "KernelArgs" "" "/org/projectatomic/aptostree1/debian"', 'D-Bus ActiveTransaction: method and OS only');

      // Watch replays what happened so far, then follows to the end.
      const watch = spawn('runuser', argv('Transaction.Watch', { id }, '--notifications'), { stdio: ['ignore', 'pipe', 'pipe'] });
      watch.stdout.setEncoding('utf8').on('data', (d: string) => (watchOut += d));
      const watchEnded = new Promise((resolve) => watch.on('close', resolve));
      await until(() => watchOut.includes('"Transaction.Started"'), 15_000, "the user's Watch to replay the start");
      signalAll(workers, 'SIGCONT');
      await watchEnded;
    } finally {
      signalAll(workers, 'SIGCONT');
    }
    await call;
    root.close();
    assert.ok(typesOf(events).includes('Message') || typesOf(events).includes('TaskEnd'), 'root saw the progress');

    const lines = watchOut
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { method?: string; params?: Record<string, unknown>; result?: { transaction: TransactionJson } });
    const seen = lines.filter((l) => l.method !== undefined).map((l) => l.method);
    assert.deepEqual(seen, ['Transaction.Started', 'Transaction.Finished'], `the user's Watch saw only state changes: ${watchOut}`);
    assert.deepEqual(lines.find((l) => l.method === 'Transaction.Finished')?.params, { transaction: id, success: true, errorMessage: '' });
    assertRedacted(lines.at(-1)?.result?.transaction, 'Watch result');
    assert.equal(lines.at(-1)?.result?.transaction.state, 'succeeded');

    assertRedacted((asUser('Transaction.Get', { id }).result as { transaction: TransactionJson }).transaction, 'Get (finished)');
    const history = (asUser('Transaction.History', {}).result as { transactions: TransactionJson[] }).transactions;
    assertRedacted(
      history.find((t) => t.id === id),
      'History',
    );
  });

  it("still shows root everything, and a user everything of the user's own transactions", async () => {
    const { client: root } = await eventClient(daemon.socket);
    const history = await root.call<{ transactions: TransactionJson[] }>('Transaction.History', {});
    root.close();
    const tx = history.transactions.find((t) => t.method === 'OS.KernelArgs');
    assert.deepEqual(tx?.params, { append: [SECRET] });
    assert.equal(tx?.uid, 0);
    assert.equal(tx?.detailsHidden, undefined);
    // The user's own request (refused by polkit, so nothing is recorded): nothing to hide from its caller.
    const own = asUser('OS.KernelArgs', { append: [SECRET], detach: true });
    assert.equal(errorName(own.error), 'NotAuthorized');
  });

  it('refuses a user Sysroot.Reload (reload-daemon, as rpm-ostree) and serves root', async () => {
    const reply = asUser('Sysroot.Reload', {});
    assert.equal(errorName(reply.error), 'NotAuthorized', JSON.stringify(reply));
    assert.match(reply.error?.message ?? '', /org\.projectatomic\.aptostree\.reload-daemon/);
    const { client: root } = await eventClient(daemon.socket);
    assert.deepEqual(await root.call('Sysroot.Reload', {}), {});
    root.close();
  });
});
