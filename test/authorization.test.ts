/**
 * Authorization with the real components: a private system bus (dbus-daemon), a real polkitd,
 * the generated policy installed, a real non-root user calling over the socket.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METHODS } from '../src/api/method-table.js';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { REPO_ROOT } from './support/repo-root.js';
import { varlinkClients } from './support/varlink-clients.js';
import {
  createTestUser,
  installFile,
  monitorCheckAuthorization,
  startPolkitd,
  startSystemBus,
  type Polkitd,
  type TestBus,
  BUS_POLICY_TARGET,
  nameHasOwner,
} from './support/system-bus.js';

const USER = 'aptostree-test';
const GROUP = 'aptostree-test';
const POLICY_TARGET = '/usr/share/polkit-1/actions/org.projectatomic.aptostree.policy';
const RULES_TARGET = '/etc/polkit-1/rules.d/49-apt-ostree-test.rules';
const RPC_AS_USER = join(REPO_ROOT, 'dist', 'test', 'support', 'rpc-as-user.js');

/** Valid params for every method that needs authorization. */
const GUARDED: Record<string, Record<string, unknown>> = {
  'OS.Deploy': { revision: '12.1' },
  'OS.Upgrade': {},
  'OS.Rollback': {},
  'OS.Rebase': { refspec: 'origin:debian/trixie/x86_64' },
  'OS.PkgChange': { add: ['hello'] },
  'OS.Override': { remove: ['bash'] },
  'OS.KernelArgs': { append: ['quiet'] },
  'OS.SetInitramfsState': { regenerate: true },
  'OS.InitramfsEtc': { track: ['/etc/hostname'] },
  'OS.Cleanup': { elements: ['base'] },
  'OS.ClearRollbackTarget': {},
  'OS.UpdateDeployment': { modifiers: { installPackages: ['hello'] }, options: {} },
  'OS.RefreshMd': {},
  'OS.AutomaticUpdateTrigger': {},
  'Sysroot.ReloadConfig': {},
  'Sysroot.Reload': {},
};
/**
 * Requests a precheck refuses on this (not booted) sysroot, with the error it gives: answered
 * before authorization, so the user is not asked for a password to be told no.
 */
const PRECHECKED: [string, Record<string, unknown>, string][] = [
  ['OS.FinalizeDeployment', { checksum: 'a'.repeat(64) }, 'NoSuchDeployment'],
  ['OS.Deploy', { revision: '12.1', osname: 'fedora' }, 'NoSuchOS'],
  ['OS.PkgChange', {}, 'Failed'],
  ['OS.Override', {}, 'Failed'],
  ['OS.Rebase', { refspec: 'origin:debian/trixie/x86_64', revision: '13.1' }, 'Failed'],
  ['OS.UpdateDeployment', { modifiers: { setRevision: '12.1', installPackages: ['hello'] }, options: {} }, 'NotImplemented'],
  ['OS.SetInitramfsState', { regenerate: false, args: ['-v'] }, 'Failed'],
  ['OS.InitramfsEtc', { track: ['etc/hostname'] }, 'Failed'],
  // Not booted: there is no running system to change.
  ['OS.ApplyLive', {}, 'Failed'],
];
const OPEN: Record<string, Record<string, unknown>> = {
  'Sysroot.GetDeployments': {},
  'Sysroot.GetProperties': {},
  'Sysroot.GetOS': {},
  'OS.GetProperties': {},
  'OS.GetDeploymentBootConfig': {},
  'OS.ListRepos': {},
  'Transaction.List': {},
  'Transaction.History': {},
  'Sysroot.RegisterClient': { id: 'test' },
  'Sysroot.UnregisterClient': {},
};

describe('authorization through polkit', () => {
  const dir = tempSysrootDir();
  const busDir = mkdtempSync(join(tmpdir(), 'apt-ostreed-bus-'));
  let bus: TestBus;
  let polkitd: Polkitd | null = null;
  let daemon: DaemonHandle;
  let sysroot: string;
  const cleanups: (() => void)[] = [];
  let rootTransaction: string;

  before(async () => {
    // The bus policy, so that the daemon's D-Bus shim owns its name on this bus (installed
    // before the bus starts: a bus reloads its policy asynchronously).
    cleanups.push(installFile(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.conf'), BUS_POLICY_TARGET));
    bus = await startSystemBus(busDir);
    cleanups.push(installFile(join(REPO_ROOT, 'polkit', 'org.projectatomic.aptostree.policy'), POLICY_TARGET));
    cleanups.push(createTestUser(USER, GROUP));
    polkitd = await startPolkitd(bus.address);
    sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    daemon = await startDaemon({ sysroot, env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
    const root = await JsonRpcClient.connect(daemon.socket);
    ({ transaction: rootTransaction } = await root.call<{ transaction: string }>('OS.Rollback', {}));
    root.close();
  });
  after(async () => {
    await daemon?.stop();
    await polkitd?.stop();
    await bus?.stop();
    for (const cleanup of cleanups.reverse()) cleanup();
    rmSync(busDir, { recursive: true, force: true });
  });

  /** One call as the test user; the response's result or error. */
  function asUser(
    method: string,
    params: Record<string, unknown>,
  ): { result?: Record<string, unknown>; error?: { code: number; message: string; data: { name: string } } } {
    const r = spawnSync('runuser', ['-u', USER, '--', process.execPath, RPC_AS_USER, daemon.socket, method, JSON.stringify(params)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as ReturnType<typeof asUser>;
  }
  /** Exactly `calls` CheckAuthorization calls reached polkit: wait for them, then a little longer for any extra. */
  async function assertChecks(monitor: { count(): number }, calls: number): Promise<void> {
    await until(() => monitor.count() >= calls, 5000, 'the monitor to see every check');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(monitor.count(), calls, 'exactly one CheckAuthorization per request');
  }
  const errorName = (e?: { data: { name: string } }) => e?.data.name.replace('org.projectatomic.aptostree1.Error.', '');

  it('covers every method that names a polkit action', () => {
    for (const m of METHODS) {
      const prechecked = PRECHECKED.some(([name]) => name === m.name);
      if (m.action !== null && m.name !== 'Transaction.Cancel') assert.ok(m.name in GUARDED || prechecked, m.name);
      if (m.action === null && m.kind !== 'read') assert.ok(m.name in OPEN, m.name);
    }
  });

  it('refuses a user every guarded method (one CheckAuthorization each) and serves reads and open controls', async () => {
    const before = ostreeAdminStatus(sysroot);
    const monitor = await monitorCheckAuthorization(bus.address);
    try {
      let calls = 0;
      for (const [method, params] of Object.entries(GUARDED)) {
        const reply = asUser(method, params);
        calls++;
        assert.equal(errorName(reply.error), 'NotAuthorized', `${method}: ${JSON.stringify(reply)}`);
        assert.match(reply.error?.message ?? '', /org\.projectatomic\.aptostree\./);
      }
      const cancel = asUser('Transaction.Cancel', { id: rootTransaction });
      calls++;
      assert.equal(errorName(cancel.error), 'NotAuthorized', "cancelling root's transaction needs the cancel action");
      assert.match(cancel.error?.message ?? '', /aptostree\.cancel/);
      await assertChecks(monitor, calls);
      for (const [method, params] of Object.entries(OPEN)) {
        const reply = asUser(method, params);
        assert.notEqual(errorName(reply.error), 'NotAuthorized', method);
        if (!method.includes('Client')) assert.ok(reply.result !== undefined, `${method}: ${JSON.stringify(reply)}`);
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(monitor.count(), calls, 'reads and open controls ask polkit nothing');
      assert.deepEqual(ostreeAdminStatus(sysroot), before, 'the sysroot is unchanged');
      const history = asUser('Transaction.History', {}).result as { transactions: { id: string }[] };
      assert.deepEqual(
        history.transactions.map((t) => t.id),
        [rootTransaction],
        'nothing was started for the user',
      );
    } finally {
      await monitor.stop();
    }
  });

  it("answers a user's request that fails a precheck with that error, before asking polkit anything", async () => {
    const before = ostreeAdminStatus(sysroot);
    const monitor = await monitorCheckAuthorization(bus.address);
    try {
      for (const [method, params, expected] of PRECHECKED) {
        const reply = asUser(method, params);
        assert.equal(errorName(reply.error), expected, `${method}: ${JSON.stringify(reply)}`);
      }
      // The control: a request that passes its prechecks is still refused by polkit.
      assert.equal(errorName(asUser('OS.Rollback', {}).error), 'NotAuthorized');
      await assertChecks(monitor, 1);
    } finally {
      await monitor.stop();
    }
    assert.deepEqual(ostreeAdminStatus(sysroot), before, 'nothing changed');
  });

  it('over Varlink too: varlinkctl run by the user is refused a transaction method, served a read', async () => {
    const before = ostreeAdminStatus(sysroot);
    const vl = varlinkClients().varlinkctl;
    const asUserVarlink = (method: string, params: Record<string, unknown>) =>
      spawnSync('runuser', ['-u', USER, '--', ...vl, 'call', daemon.socket, `org.projectatomic.aptostree1.${method}`, JSON.stringify(params)], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, SYSTEMD_PAGER: 'cat' },
      });
    const refused = asUserVarlink('OS.Rollback', {});
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /org\.projectatomic\.aptostree1\.OS\.NotAuthorized/);
    const read = asUserVarlink('Sysroot.GetOS', {});
    assert.equal(read.status, 0, read.stderr);
    assert.equal((JSON.parse(read.stdout) as { name: string }).name, 'debian');
    assert.deepEqual(ostreeAdminStatus(sysroot), before, 'nothing changed');
  });

  it('over D-Bus too: the user is refused a transaction method, reads properties', async () => {
    await until(() => nameHasOwner(bus.address, 'org.projectatomic.aptostree1'), 10_000, 'the shim on the bus');
    const before = ostreeAdminStatus(sysroot);
    const asUserOnBus = (...args: string[]) => spawnSync('runuser', ['-u', USER, '--', ...args], { encoding: 'utf8', timeout: 30_000 });
    const os = '/org/projectatomic/aptostree1/debian';
    const refused = asUserOnBus(
      'gdbus',
      'call',
      '--address',
      bus.address,
      '-d',
      'org.projectatomic.aptostree1',
      '-o',
      os,
      '-m',
      'org.projectatomic.aptostree1.OS.Rollback',
      '{}',
    );
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /org\.projectatomic\.aptostree1\.Error\.NotAuthorized/);
    const read = asUserOnBus(
      'busctl',
      `--address=${bus.address}`,
      'get-property',
      'org.projectatomic.aptostree1',
      os,
      'org.projectatomic.aptostree1.OS',
      'Name',
    );
    assert.equal(read.status, 0, read.stderr);
    assert.equal(read.stdout.trim(), 's "debian"');
    assert.deepEqual(ostreeAdminStatus(sysroot), before, 'nothing changed');
  });

  it("after a rules file grants the user's group, the same calls are authorized, once each", async () => {
    const removeRules = installFile(
      {
        text: `polkit.addRule(function(action, subject) {
  if (action.id.indexOf("org.projectatomic.aptostree.") == 0 && action.id != "org.projectatomic.aptostree.cancel" &&
      subject.isInGroup("${GROUP}")) {
    return polkit.Result.YES;
  }
});
`,
      },
      RULES_TARGET,
    );
    cleanups.push(removeRules);
    // polkitd reloads rules when the directory changes; wait until it has (before counting).
    await until(() => errorName(asUser('OS.Cleanup', { elements: ['metadata'] }).error) !== 'NotAuthorized', 15_000, 'rules loaded');
    const monitor = await monitorCheckAuthorization(bus.address);
    try {
      let calls = 0;
      for (const [method, params] of Object.entries(GUARDED)) {
        const reply = asUser(method, params);
        calls++;
        assert.notEqual(errorName(reply.error), 'NotAuthorized', `${method}: ${JSON.stringify(reply)}`);
      }
      // The user's own transaction: cancelling it needs no polkit call at all.
      const own = asUser('OS.Rollback', { detach: true }).result as { transaction: string };
      calls++;
      const cancelOwn = asUser('Transaction.Cancel', { id: own.transaction });
      assert.notEqual(errorName(cancelOwn.error), 'NotAuthorized');
      const cancelRoot = asUser('Transaction.Cancel', { id: rootTransaction });
      calls++;
      assert.equal(errorName(cancelRoot.error), 'NotAuthorized', 'the rule does not grant cancel');
      await assertChecks(monitor, calls);
      const history = asUser('Transaction.History', { limit: 1 }).result as { transactions: { uid: number }[] };
      const uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());
      assert.equal(history.transactions[0].uid, uid, "the caller's uid travels into the history");
    } finally {
      await monitor.stop();
      removeRules();
    }
  });

  it('with polkitd gone: root is still served, a user gets AuthorizationUnavailable', async () => {
    await polkitd?.stop();
    polkitd = null;
    const root = await JsonRpcClient.connect(daemon.socket);
    const result = await root.call<{ changed: boolean }>('OS.Rollback', {});
    root.close();
    assert.equal(result.changed, true);
    const reply = asUser('OS.Rollback', {});
    assert.equal(errorName(reply.error), 'AuthorizationUnavailable', JSON.stringify(reply));
  });
});
