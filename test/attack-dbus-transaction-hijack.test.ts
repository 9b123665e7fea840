/**
 * Attack (D-Bus): another user starts, cancels or reads root's
 * D-Bus transaction. Root calls a transaction method and gets the path of a transaction
 * object; the object authorized with the initiator's context, the bus policy lets anyone call
 * it, and the paths were sequential: an unprivileged user's `Start()` ran it, its `Cancel()`
 * ended it, and `InitiatingClientDescription` told it root's pid. Required: Start() and
 * Cancel() only from the initiating uid or root (Cancel() also for a caller polkit grants
 * `cancel`, asked about that caller); anyone else gets AccessDenied; random paths; the
 * description in full only for the initiating uid and root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dbus from 'dbus-next';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { BUS_NAME, grantRule, runAs, startPolkitFixture, type PolkitFixture } from './support/polkit-fixture.js';

const INTRUDER = 'aoatk-az1';
const ADMIN = 'aoatk-az2';
const OS_PATH = '/org/projectatomic/aptostree1/debian';
const TRANSACTION = `${BUS_NAME}.Transaction`;
const ACCESS_DENIED = /org\.freedesktop\.DBus\.Error\.AccessDenied/;

describe('attack: another user drives a D-Bus transaction', () => {
  const dir = tempSysrootDir('aoatk-az-hijack-');
  let f: PolkitFixture;
  let root: dbus.MessageBus;

  /** `gdbus call` as `user` on the test bus. */
  const gdbusAs = (user: string, path: string, method: string, ...args: string[]) =>
    runAs(user, ['gdbus', 'call', '--address', f.bus.address, '-d', BUS_NAME, '-o', path, '-m', method, ...args]);
  /** Root's transaction object for a new Rollback (not started), with its Finished signal. */
  const rootRollback = async (): Promise<{ path: string; tx: dbus.ClientInterface; finished: Promise<[boolean, string]> }> => {
    const os = (await root.getProxyObject(BUS_NAME, OS_PATH)).getInterface(`${BUS_NAME}.OS`);
    const path = (await os.Rollback({})) as string;
    const tx = (await root.getProxyObject(BUS_NAME, path)).getInterface(TRANSACTION);
    const finished = new Promise<[boolean, string]>((resolve) => tx.on('Finished', (ok: boolean, message: string) => resolve([ok, message])));
    return { path, tx, finished };
  };
  const transactionCount = async (): Promise<number> => {
    const c = await JsonRpcClient.connect(f.daemon.socket);
    try {
      return (await c.call<{ transactions: unknown[] }>('Transaction.History', {})).transactions.length;
    } finally {
      c.close();
    }
  };

  before(async () => {
    f = await startPolkitFixture({ users: [INTRUDER, ADMIN], tag: 'aoatk-az-hijack', dir });
    f.addRules('admin', grantRule(ADMIN, ['cancel', 'rollback']));
    await until(() => !/NotAuthorized/.test(gdbusAs(ADMIN, OS_PATH, `${BUS_NAME}.OS.Rollback`, '{}').stderr), 20_000, 'the rules to be loaded');
    root = dbus.sessionBus({ busAddress: f.bus.address });
  });
  after(async () => {
    root?.disconnect();
    await f?.stop();
  });

  it('transaction objects have random paths', async () => {
    const a = await rootRollback();
    const b = await rootRollback();
    for (const { path } of [a, b]) assert.match(path, /^\/org\/projectatomic\/aptostree1\/transaction\/[0-9a-f]{32}$/);
    assert.notEqual(a.path, b.path);
  });

  it("another user's Start() is refused with AccessDenied; root's own Start() then runs it", async () => {
    const before = ostreeAdminStatus(f.sysroot);
    const count = await transactionCount();
    const { path, tx, finished } = await rootRollback();
    const start = gdbusAs(INTRUDER, path, `${TRANSACTION}.Start`);
    assert.notEqual(start.status, 0, `the intruder's Start() answered ${start.stdout}`);
    assert.match(start.stderr, ACCESS_DENIED);
    assert.equal(await transactionCount(), count, 'nothing was queued');
    assert.deepEqual(ostreeAdminStatus(f.sysroot), before, 'nothing changed');
    assert.equal(await tx.Start(), true, "root's Start() queues it");
    assert.deepEqual(await finished, [true, '']);
  });

  it("another user's Cancel() is refused with AccessDenied, before and after Start(); root's transaction completes", async () => {
    const { path, tx, finished } = await rootRollback();
    const early = gdbusAs(INTRUDER, path, `${TRANSACTION}.Cancel`);
    assert.notEqual(early.status, 0, "the intruder's Cancel() before Start() succeeded");
    assert.match(early.stderr, ACCESS_DENIED);
    assert.equal(await tx.Start(), true, "root's Start() still queues it");
    assert.deepEqual(await finished, [true, '']);
    const late = gdbusAs(INTRUDER, path, `${TRANSACTION}.Cancel`);
    assert.match(late.stderr, ACCESS_DENIED, 'refused for who calls, not for being too late');
  });

  it("a user polkit grants `cancel` may cancel root's transaction", async () => {
    const { path, tx, finished } = await rootRollback();
    const cancel = gdbusAs(ADMIN, path, `${TRANSACTION}.Cancel`);
    assert.equal(cancel.status, 0, cancel.stderr);
    assert.deepEqual(await finished, [false, 'Cancelled before it started']);
    assert.equal(await tx.Start(), false);
    assert.match(gdbusAs(INTRUDER, path, `${TRANSACTION}.Cancel`).stderr, ACCESS_DENIED, 'still refused to others once it ended');
  });

  it('a transaction a user requested: started from another connection of that uid, and by root; not by another user', async () => {
    const requested = gdbusAs(ADMIN, OS_PATH, `${BUS_NAME}.OS.Rollback`, '{}');
    assert.equal(requested.status, 0, requested.stderr);
    const path = /'([^']+)'/.exec(requested.stdout)?.[1] ?? '';
    assert.match(gdbusAs(INTRUDER, path, `${TRANSACTION}.Start`).stderr, ACCESS_DENIED);
    const own = gdbusAs(ADMIN, path, `${TRANSACTION}.Start`);
    assert.equal(own.stdout.trim(), '(true,)', own.stderr);
    const tx = (await root.getProxyObject(BUS_NAME, path)).getInterface(TRANSACTION);
    assert.equal(await tx.Start(), false, 'root may call it (it was started already)');
  });

  it("InitiatingClientDescription: the initiator's uid and pid for root, nothing of them for another user", async () => {
    const { path } = await rootRollback();
    const props = (await root.getProxyObject(BUS_NAME, path)).getInterface('org.freedesktop.DBus.Properties');
    const forRoot = ((await props.Get(TRANSACTION, 'InitiatingClientDescription')) as dbus.Variant<string>).value;
    assert.match(forRoot, new RegExp(`^uid 0 pid ${process.pid} \\(:1\\.\\d+\\)$`));
    const get = gdbusAs(INTRUDER, path, 'org.freedesktop.DBus.Properties.Get', TRANSACTION, 'InitiatingClientDescription');
    const getAll = gdbusAs(INTRUDER, path, 'org.freedesktop.DBus.Properties.GetAll', TRANSACTION);
    assert.equal(get.status, 0, get.stderr);
    assert.equal(getAll.status, 0, getAll.stderr);
    for (const out of [get.stdout, getAll.stdout]) {
      assert.match(out, /a client of another user/);
      assert.doesNotMatch(out, /uid|pid|:1\./);
    }
    assert.match(getAll.stdout, /'Title': <'rollback'>/);
  });
});
