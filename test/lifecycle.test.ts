/**
 * The daemon's lifecycle under socket activation, with a harness that holds the listening
 * socket as systemd does (test/support/socket_holder.py): idle exit after IdleExitTimeout, a
 * connection made while it is gone waits in the backlog and is answered by the next start (no
 * request lost); RegisterClient/UnregisterClient; configuration reload through
 * Sysroot.ReloadConfig and SIGHUP, an invalid file refused with file, line and reason while
 * the previous configuration stays.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcClient, type RemoteError } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { addServerCommit, buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { eventClient } from './support/event-client.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { DAEMON_BIN, REPO_ROOT } from './support/repo-root.js';
import { exited, startDaemon, type DaemonHandle } from './support/daemon-process.js';

describe('socket activation lifecycle', () => {
  const dir = tempSysrootDir();
  const work = mkdtempSync(join(tmpdir(), 'apt-ostreed-lifecycle-'));
  const socket = join(work, 'apt-ostreed.sock');
  const config = join(work, 'apt-ostreed.conf');
  let holder: ChildProcess;
  let out = '';
  // Only complete lines: a chunk may end in the middle of one ("exited" before its " 0").
  const lines = (): string[] =>
    out
      .split('\n')
      .slice(0, -1)
      .filter((l) => l !== '');
  const starts = (): number => lines().filter((l) => l.startsWith('started')).length;
  const exits = (): string[] => lines().filter((l) => l.startsWith('exited'));
  const daemonPid = (): number =>
    Number(
      lines()
        .filter((l) => l.startsWith('started'))
        .at(-1)
        ?.split(' ')[2],
    );

  before(async () => {
    const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    writeFileSync(config, '[Daemon]\nIdleExitTimeout=1\n');
    holder = spawn(
      '/usr/bin/python3',
      [
        join(REPO_ROOT, 'test/support/socket_holder.py'),
        socket,
        process.execPath,
        DAEMON_BIN,
        ...['--sysroot', sysroot, '--state-dir', join(work, 'state'), '--cache-dir', join(work, 'cache'), '--config', config, '--no-dbus'],
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    holder.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    await until(() => lines().includes('listening'), 10_000, 'the socket holder');
  });
  after(async () => {
    holder.stdin?.end();
    await until(() => holder.exitCode !== null, 10_000, 'the holder to stop').catch(() => holder.kill('SIGKILL'));
    rmSync(work, { recursive: true, force: true });
  });

  it('exits when idle, and the next connection, waiting in the backlog, is answered by a new start', async () => {
    const first = await JsonRpcClient.connect(socket);
    const { deployments } = await first.call<{ deployments: unknown[] }>('Sysroot.GetDeployments');
    assert.equal(deployments.length, 3);
    assert.equal(starts(), 1);
    // An open connection keeps it alive past the timeout.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(exits(), []);
    first.close();
    await until(() => exits().length === 1, 10_000, 'the idle exit');
    assert.deepEqual(exits(), ['exited 0']);

    // Connected while no daemon runs: the request waits in the listening socket's backlog.
    const second = await JsonRpcClient.connect(socket);
    const again = await second.call<{ deployments: unknown[] }>('Sysroot.GetDeployments');
    assert.equal(again.deployments.length, 3);
    assert.equal(starts(), 2);
    second.close();
    await until(() => exits().length === 2, 10_000, 'the second idle exit');
  });

  it('RegisterClient and UnregisterClient answer; ReloadConfig and SIGHUP apply a new file; an invalid one is refused and the old one stays', async () => {
    const c = await JsonRpcClient.connect(socket);
    try {
      assert.deepEqual(await c.call('Sysroot.RegisterClient', { id: 'test-client' }), {});
      assert.deepEqual(await c.call('Sysroot.UnregisterClient', {}), {});
      const policy = async () => (await c.call<{ automaticUpdatePolicy: string }>('Sysroot.GetProperties')).automaticUpdatePolicy;
      assert.equal(await policy(), 'none');
      writeFileSync(config, '[Daemon]\nIdleExitTimeout=1\nAutomaticUpdatePolicy=check\n');
      assert.deepEqual(await c.call('Sysroot.ReloadConfig', {}), {});
      assert.equal(await policy(), 'check');
      writeFileSync(config, '[Daemon]\nIdleExitTimeout=1\n\nAutomaticUpdatePolicy=always\n');
      await assert.rejects(c.call('Sysroot.ReloadConfig', {}), (e: RemoteError) => {
        assert.equal(e.errorName, 'InvalidConfig');
        assert.match(e.message, new RegExp(`^${config.replace(/[.]/g, '\\.')}:4: AutomaticUpdatePolicy must be none, check or stage`));
        return true;
      });
      assert.equal(await policy(), 'check', 'the previous configuration stays');
      writeFileSync(config, '[Daemon]\nIdleExitTimeout=1\nAutomaticUpdatePolicy=stage\n');
      process.kill(daemonPid(), 'SIGHUP');
      for (let i = 0; i < 100 && (await policy()) !== 'stage'; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await policy(), 'stage', 'SIGHUP reloaded the file');
    } finally {
      c.close();
    }
  });
});

describe('systemd notifications', () => {
  it('READY=1 once serving, STATUS= as transactions run, STOPPING=1 on SIGTERM (a NOTIFY_SOCKET receiver)', async () => {
    const dir = tempSysrootDir();
    const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    const notifySocket = join(dir, 'notify.sock');
    const receiver = spawn('/usr/bin/python3', [join(REPO_ROOT, 'test/support/notify_receiver.py'), notifySocket], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    receiver.stdout?.setEncoding('utf8').on('data', (d: string) => (got += d));
    let daemon: DaemonHandle | undefined;
    try {
      await until(() => got.includes('ready-to-receive'), 10_000, 'the receiver');
      daemon = await startDaemon({ sysroot, env: { NOTIFY_SOCKET: notifySocket } });
      await until(() => got.includes('READY=1'), 10_000, 'READY=1');
      assert.match(got, /^READY=1 \| STATUS=idle$/m);
      const c = await JsonRpcClient.connect(daemon.socket);
      await c.call('OS.Rollback', {});
      c.close();
      await until(() => /^STATUS=idle$/m.test(got), 10_000, 'STATUS=idle after the transaction');
      assert.match(got, /^STATUS=running transaction [0-9a-f-]{36} \(rollback\)$/m);
      await daemon.stop();
      await until(() => got.includes('STOPPING=1'), 10_000, 'STOPPING=1');
    } finally {
      await daemon?.stop();
      receiver.kill();
    }
  });
});

describe('SIGTERM during a transaction', () => {
  it('the running transaction is cancelled (its caller gets Cancelled), the daemon exits 0, the sysroot is as before', async () => {
    const dir = tempSysrootDir();
    const remote = await buildRemoteSysroot(join(dir, 'remote'), { delayMs: 300 });
    const state = join(dir, 'state');
    let daemon: DaemonHandle | undefined;
    try {
      daemon = await startDaemon({ sysroot: remote.sysroot, stateDir: state });
      const before = (await (await JsonRpcClient.connect(daemon.socket)).call<{ deployments: { id: string }[] }>('Sysroot.GetDeployments')).deployments;
      addServerCommit(remote, { version: '12.3' });
      const { client, events } = await eventClient(daemon.socket);
      const upgrade = client.call('OS.Upgrade', {});
      const refused = assert.rejects(upgrade, (e: RemoteError) => e.errorName === 'Cancelled');
      await until(() => events.some((e) => e.method === 'Transaction.Started'), 10_000, 'the transaction to start');
      daemon.process.kill('SIGTERM');
      await refused;
      assert.equal(await exited(daemon.process), 0);
      client.close();
      await daemon.stop();
      daemon = await startDaemon({ sysroot: remote.sysroot, stateDir: state });
      const c = await JsonRpcClient.connect(daemon.socket);
      assert.deepEqual(
        (await c.call<{ deployments: { id: string }[] }>('Sysroot.GetDeployments')).deployments.map((d) => d.id),
        before.map((d) => d.id),
      );
      const history = await c.call<{ transactions: { state: string; title: string }[] }>('Transaction.History', { limit: 1 });
      assert.equal(history.transactions[0].state, 'cancelled');
      c.close();
      execFileSync('ostree', ['fsck', `--repo=${remote.repo}`], { stdio: 'pipe' });
    } finally {
      await daemon?.stop();
      await remote.stop();
    }
  });
});
