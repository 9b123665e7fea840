/**
 * Attack (D-Bus): another user starts, cancels or reads root's D-Bus transaction. Found by the
 * hardening review when transactions were objects on the system bus at sequential paths: an
 * unprivileged user's `Start()` ran root's transaction, its `Cancel()` ended it, and
 * `InitiatingClientDescription` told it root's pid. Now, as rpm-ostree, a transaction method
 * answers a peer-to-peer address (a socket with a random name next to the daemon's); only the
 * initiating uid and root may connect to it (the kernel's peer credentials, checked before a
 * byte is read), so nobody else reaches Start(), Cancel() or the description. Another user
 * whom polkit grants `cancel` cancels through the socket's Transaction.Cancel, asked about
 * that user.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import dbus from 'dbus-next';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { REPO_ROOT } from './support/repo-root.js';
import { BUS_NAME, grantRule, runAs, startPolkitFixture, type PolkitFixture } from './support/polkit-fixture.js';
import { spawnSync } from 'node:child_process';

const INTRUDER = 'aoatk-az1';
const ADMIN = 'aoatk-az2';
const OS_PATH = '/org/projectatomic/aptostree1/debian';
const PEER_CLIENT = join(REPO_ROOT, 'test', 'support', 'dbus_peer.py');

interface PeerAnswer {
  connected: boolean;
  ok?: boolean;
  value?: unknown;
  error?: string;
}

/** dbus_peer.py ACTION on `address`, as `user` (root when absent). */
function peer(address: string, action: string, user?: string): PeerAnswer {
  const argv = ['/usr/bin/python3', PEER_CLIENT, address, action];
  const r = user === undefined ? spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 90_000 }) : runAs(user, argv, 90_000);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as PeerAnswer;
}

describe('attack: another user drives a D-Bus transaction', () => {
  const dir = tempSysrootDir('aoatk-az-hijack-');
  let f: PolkitFixture;
  let root: dbus.MessageBus;

  /** `gdbus call` as `user` on the test bus. */
  const gdbusAs = (user: string, path: string, method: string, ...args: string[]) =>
    runAs(user, ['gdbus', 'call', '--address', f.bus.address, '-d', BUS_NAME, '-o', path, '-m', method, ...args]);
  /** The address of root's transaction for a new Rollback (not started; root stays on the bus). */
  const rootRollback = async (): Promise<{ address: string }> => {
    const os = (await root.getProxyObject(BUS_NAME, OS_PATH)).getInterface(`${BUS_NAME}.OS`);
    return { address: (await os.Rollback({})) as string };
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

  it("each transaction has its own address: a socket with a random name next to the daemon's, that the kernel's credentials guard", async () => {
    const a = await rootRollback();
    const b = await rootRollback();
    for (const { address } of [a, b]) {
      const path = /^unix:path=(.*\/apt-ostreed-transaction-[0-9a-f]{32}\.sock)$/.exec(address)?.[1];
      assert.ok(path !== undefined, address);
      assert.ok(statSync(path).isSocket());
    }
    assert.notEqual(a.address, b.address);
  });

  it("another user cannot connect to root's transaction, before or after Start(); root's own Start() runs it", async () => {
    const before = ostreeAdminStatus(f.sysroot);
    const count = await transactionCount();
    const { address } = await rootRollback();
    // ADMIN may cancel with polkit's `cancel` (through the socket's Transaction.Cancel); the peer connection is the initiator's and root's.
    for (const user of [INTRUDER, ADMIN]) {
      for (const action of ['start', 'cancel', 'getall']) {
        const answer = peer(address, action, user);
        assert.equal(answer.connected, false, `${user}'s ${action}: ${JSON.stringify(answer)}`);
      }
    }
    assert.equal(await transactionCount(), count, 'nothing was queued');
    assert.deepEqual(ostreeAdminStatus(f.sysroot), before, 'nothing changed');
    assert.deepEqual(peer(address, 'start-and-wait').value, { started: true, finished: [[true, '']] }, "root's Start() queues it");
    for (const user of [INTRUDER, ADMIN]) assert.equal(peer(address, 'cancel', user).connected, false, `${user} after the end`);
  });

  it("a user's own D-Bus transaction: that uid connects, starts it, a second connection of it joins; a requester that leaves before Start() abandons it", async () => {
    const client = join(REPO_ROOT, 'test', 'support', 'dbus_transaction_client.py');
    const r = runAs(ADMIN, ['/usr/bin/python3', client, f.bus.address, 'Rollback']);
    assert.equal(r.status, 0, r.stderr);
    const own = JSON.parse(r.stdout) as { started: boolean; second: boolean; events: [string, unknown][] };
    assert.equal(own.started, true);
    assert.equal(own.second, false);
    assert.deepEqual(
      own.events.find((e) => e[0] === 'Finished'),
      ['Finished', [true, '']],
    );
    // gdbus leaves the bus right after the call: as in rpm-ostree, the transaction is dropped.
    const requested = runAs(ADMIN, ['gdbus', 'call', '--address', f.bus.address, '-d', BUS_NAME, '-o', OS_PATH, '-m', `${BUS_NAME}.OS.Rollback`, '{}']);
    assert.equal(requested.status, 0, requested.stderr);
    const path = /'unix:path=([^']+)'/.exec(requested.stdout)?.[1] ?? '';
    await until(() => !existsSync(path), 10_000, 'the abandoned transaction to close its socket');
  });

  it("InitiatingClientDescription: the initiator's uid and pid, read by root; another user cannot connect to read it", async () => {
    const { address } = await rootRollback();
    const all = peer(address, 'getall').value as Record<string, string>;
    assert.match(all.InitiatingClientDescription, new RegExp(`^uid 0 pid ${process.pid} \\(:1\\.\\d+\\)$`));
    assert.equal(all.Title, 'rollback');
    assert.equal(peer(address, 'getall', INTRUDER).connected, false);
  });
});
