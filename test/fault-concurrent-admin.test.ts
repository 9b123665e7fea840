/**
 * Fault injection: `ostree admin` run by hand while the daemon runs a transaction. Both
 * sides take libostree's sysroot lock (the daemon for a transaction's whole life, the CLI for
 * every command but status), so neither interleaves with the other: the CLI prints
 * "Waiting for sysroot lock..." and runs once the daemon is done, and a daemon transaction that
 * finds the lock taken says so in a Message and waits. Afterwards the sysroot is consistent:
 * one list of deployments seen alike by `ostree admin status` and the daemon, a boot entry and
 * a directory for each and no other, and a repository that passes fsck.
 *
 * ostree 2022.7 has no `ostree admin set-default`; undeploy, cleanup, deploy and
 * upgrade are the hand commands that change the sysroot.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { addServerCommit, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { LOCK_WAIT_MESSAGE } from '../src/worker/steps/sysroot-session.js';
import { exited } from './support/daemon-process.js';
import { eventClient } from './support/event-client.js';
import { ostreeAdminStatus } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { manyFiles, remoteDaemonSuite } from './support/remote-url-server.js';
import { assertFsckClean } from './support/sysroot-state.js';

/** Files of each update: with a slowed-down server its pull lasts seconds. */
const UPDATE_FILES = 1500;
/** What the CLI prints (on stdout) when it has to wait for the lock. */
const CLI_WAITS = 'Waiting for sysroot lock...';

/** An `ostree admin` command run by hand, in the background. */
interface HandCommand {
  stdout(): string;
  stderr(): string;
  running(): boolean;
  /** Its exit code once it ended. */
  exit: Promise<number | string>;
  /** SIGKILL (by its PID) if still running, then waits for it: a failed test leaves no lock holder. */
  stop(): Promise<void>;
}

/** Every command run by hand in the current test; stopped after each test. */
const started: HandCommand[] = [];

function runByHand(sysroot: string, args: string[]): HandCommand {
  const child = spawn('ostree', ['admin', ...args, `--sysroot=${sysroot}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = exited(child);
  const running = () => child.exitCode === null && child.signalCode === null;
  const command: HandCommand = {
    stdout: () => out,
    stderr: () => err,
    running,
    exit,
    async stop() {
      if (running()) child.kill('SIGKILL');
      await exit;
    },
  };
  started.push(command);
  return command;
}

/** The sysroot is one consistent whole: CLI and daemon agree, one boot entry and one directory per deployment, fsck clean. */
function assertConsistent(remote: RemoteSysroot, daemonIds: string[]): void {
  const cli = ostreeAdminStatus(remote.sysroot).map((d) => `${d.osname}-${d.checksum}.${d.serial}`);
  assert.deepEqual(daemonIds, cli, 'the daemon and `ostree admin status` list the same deployments');
  const entries = readdirSync(join(remote.sysroot, 'boot/loader/entries')).filter((e) => e.endsWith('.conf'));
  assert.equal(entries.length, cli.length, `one boot entry per deployment: ${entries.join(' ')}`);
  const dirs = readdirSync(join(remote.sysroot, 'ostree/deploy', remote.osname, 'deploy')).filter((e) => /\.\d+$/.test(e));
  assert.deepEqual(dirs.map((d) => `${remote.osname}-${d}`).sort(), [...cli].sort(), 'a directory for each deployment and no other');
  assertFsckClean(remote.sysroot);
}

describe('fault: `ostree admin` by hand during a daemon transaction', () => {
  const { suite, url } = remoteDaemonSuite();
  const ids = async (): Promise<string[]> => (await suite.deployments()).map((d) => d.id);

  /** Publishes an update of many files and serves it slowly: a pull of it lasts seconds. */
  const slowUpdate = async (version: string): Promise<{ update: string; pulling: () => boolean }> => {
    const update = addServerCommit(suite.fixture, { version, files: manyFiles(UPDATE_FILES, `update-${version}`) });
    const server = await url().start(30);
    return { update, pulling: () => server.requests.filter((r) => r.endsWith('.filez')).length > 50 };
  };

  afterEach(async () => {
    for (const c of started.splice(0)) await c.stop();
  });

  it("undeploy and cleanup wait for the daemon's upgrade, then act on the list it wrote", async () => {
    const before = await suite.deployments();
    const { update, pulling } = await slowUpdate('12.3');
    const { client } = await eventClient(suite.daemon.socket);
    try {
      const upgrade = client.call<{ changed: boolean }>('OS.Upgrade', {});
      await until(pulling, 30_000, 'the daemon to be pulling');
      // Index 1 is v1 now; in the list the upgrade writes ([update, previous default]) it is the previous default.
      const undeploy = runByHand(suite.fixture.sysroot, ['undeploy', '1']);
      const cleanup = runByHand(suite.fixture.sysroot, ['cleanup']);
      await until(() => undeploy.stdout().includes(CLI_WAITS) && cleanup.stdout().includes(CLI_WAITS), 10_000, 'both commands to wait');
      assert.ok(undeploy.running() && cleanup.running(), 'they wait while the daemon holds the lock');
      assert.equal((await upgrade).changed, true);
      assert.equal(await undeploy.exit, 0, undeploy.stderr());
      assert.equal(await cleanup.exit, 0, cleanup.stderr());
    } finally {
      client.close();
    }
    const after = await suite.deployments();
    // Run before the upgrade, undeploy 1 would have removed v1 and left [update, previous default].
    assert.deepEqual(
      after.map((d) => d.checksum),
      [update],
      "undeploy 1 removed the previous default from the upgrade's list",
    );
    assert.notEqual(before[0].checksum, update);
    assertConsistent(
      suite.fixture,
      after.map((d) => d.id),
    );
  });

  it('a daemon upgrade waits while `ostree admin upgrade` by hand holds the lock, then finds nothing to do', async () => {
    const { update, pulling } = await slowUpdate('12.4');
    const hand = runByHand(suite.fixture.sysroot, ['upgrade', `--os=${suite.fixture.osname}`]);
    await until(pulling, 30_000, 'the hand upgrade to be pulling');
    const { client, events } = await eventClient(suite.daemon.socket);
    try {
      const upgrade = client.call<{ changed: boolean; message: string }>('OS.Upgrade', {});
      await until(
        () => events.some((e) => e.method === 'Transaction.Message' && e.params.text === LOCK_WAIT_MESSAGE),
        30_000,
        'the daemon to say it waits for the lock',
      );
      assert.ok(hand.running(), 'the hand upgrade holds the lock meanwhile');
      const result = await upgrade;
      assert.equal(await hand.exit, 0, hand.stderr());
      assert.deepEqual([result.changed, result.message], [false, 'No upgrade available.'], 'the daemon saw what the hand upgrade deployed');
    } finally {
      client.close();
    }
    const after = await suite.deployments();
    assert.equal(after[0].checksum, update);
    assertConsistent(
      suite.fixture,
      after.map((d) => d.id),
    );
  });

  it('deploy by hand during a daemon upgrade runs after it, on the branch as the upgrade left it', async () => {
    const previous = (await ids())[0];
    const { update, pulling } = await slowUpdate('12.5');
    const { client } = await eventClient(suite.daemon.socket);
    try {
      const upgrade = client.call<{ changed: boolean }>('OS.Upgrade', {});
      await until(pulling, 30_000, 'the daemon to be pulling');
      const deploy = runByHand(suite.fixture.sysroot, ['deploy', `--os=${suite.fixture.osname}`, '--retain', suite.fixture.refspec]);
      await until(() => deploy.stdout().includes(CLI_WAITS), 10_000, 'the hand deploy to wait');
      assert.equal((await upgrade).changed, true);
      assert.equal(await deploy.exit, 0, deploy.stderr());
    } finally {
      client.close();
    }
    const after = await suite.deployments();
    // The hand deploy came second: a new deployment of the same (pulled) commit on top of the daemon's.
    assert.deepEqual(
      after.slice(0, 2).map((d) => d.checksum),
      [update, update],
    );
    assert.notEqual(after[0].serial, after[1].serial);
    assert.deepEqual(
      after.slice(2).map((d) => d.id),
      [previous],
      'the previous default, kept by the upgrade and by --retain',
    );
    assertConsistent(
      suite.fixture,
      after.map((d) => d.id),
    );
  });
});
