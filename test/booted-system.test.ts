/**
 * The booted case for real: the daemon runs inside a bubblewrap sandbox whose / is a
 * deployment (support/booted-sandbox.ts). New deployments are staged, the shutdown step
 * (`ostree admin finalize-staged`, run by the test where a reboot would) makes them the
 * default, and FinalizeDeployment releases a locked staged deployment and runs the reboot
 * command (a harmless one here: only the reboot itself is not real).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/api/types/deployment.js';
import { JsonRpcClient, type RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { bootedSandbox, type BootedSandbox } from './support/booted-sandbox.js';
import { cliOn } from './support/capture-io.js';
import { REPO_ROOT } from './support/repo-root.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { ostreeAdminStatus, parseAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';

const haveBwrap = existsSync('/usr/bin/bwrap');

describe('a booted system (the daemon inside a sandbox booted into v2)', { skip: !haveBwrap && 'no bwrap' }, () => {
  const dir = tempSysrootDir('apt-ostreed-booted-');
  let remote: RemoteSysroot;
  let sandbox: BootedSandbox;
  let daemon: DaemonHandle;
  let client: JsonRpcClient;
  let rebootMarker: string;
  const deployments = async (): Promise<Deployment[]> => (await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;
  const cli = cliOn(() => daemon.socket);
  /** How many boot entries the current boot version has. */
  const blsCount = (): number => readdirSync(join(remote.sysroot, 'boot/loader/entries')).length;

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    const v2 = ostreeAdminStatus(remote.sysroot)[0];
    sandbox = bootedSandbox({ sysroot: remote.sysroot, osname: remote.osname, deployment: `${v2.checksum}.${v2.serial}`, runDir: join(dir, 'run') });
    daemon = await startDaemon({
      sysroot: '/',
      sandbox,
      // The sandbox's /run is a host folder: the "reboot" leaves a marker there.
      config: '[Daemon]\nRebootCommand=/usr/bin/touch /run/rebooted\n',
    });
    rebootMarker = join(sandbox.runDir, 'rebooted');
    client = await JsonRpcClient.connect(daemon.socket);
  });
  after(async () => {
    client?.close();
    await daemon?.stop();
    await remote?.stop();
  });

  it('status: the deployment that is / is booted, the other one is the rollback', async () => {
    const ds = await deployments();
    assert.deepEqual(
      ds.map((d) => [d.checksum, d.booted, d.staged]),
      [
        [remote.commits.v2, true, false],
        [remote.commits.v1, false, false],
      ],
    );
    const human = await cli('status');
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /^● /m);
  });

  it('an upgrade stages; the shutdown step makes it the default; the booted one stays, the old rollback goes', async () => {
    const csum = addServerCommit(remote, { version: '12.3' });
    const entriesBefore = blsCount();
    const r = await cli('upgrade', '--json');
    assert.equal(r.code, 0, r.err + r.out);
    const last = JSON.parse(r.out.trim().split('\n').at(-1) ?? '{}') as { transaction: { result?: { staged?: boolean; deployment?: string } } };
    const result = last.transaction;
    assert.equal(result.result?.staged, true, r.out);

    const staged = await deployments();
    assert.deepEqual(
      staged.map((d) => [d.checksum, d.booted, d.staged]),
      [
        [csum, false, true],
        [remote.commits.v2, true, false],
        [remote.commits.v1, false, false],
      ],
    );
    assert.equal(result.result?.deployment, staged[0].id);
    assert.equal(blsCount(), entriesBefore, 'staging writes no boot entry');
    const inside = parseAdminStatus(await sandbox.adminStatus());
    assert.deepEqual(
      inside.map((e) => [e.checksum, e.staged, e.booted]),
      [
        [csum, true, false],
        [remote.commits.v2, false, true],
        [remote.commits.v1, false, false],
      ],
    );
    const human = await cli('status');
    assert.match(human.out, /Staged: yes/);

    await sandbox.shutdown();
    const finalized = await deployments();
    assert.deepEqual(
      finalized.map((d) => [d.checksum, d.booted, d.staged]),
      [
        [csum, false, false],
        [remote.commits.v2, true, false],
      ],
      'pending, booted; the old rollback v1 is gone (libostree keeps the booted one as the rollback)',
    );
    assert.equal(existsSync(rebootMarker), false, 'no reboot was asked for');
    const roles = parseAdminStatus(await sandbox.adminStatus());
    assert.deepEqual(
      roles.map((e) => [e.pending, e.booted]),
      [
        [true, false],
        [false, true],
      ],
    );
    assert.equal(blsCount(), 2, 'one boot entry each for the new default and the booted one');
  });

  it('lockFinalization: the shutdown step skips the staged deployment until FinalizeDeployment releases it and reboots', async () => {
    const csum = addServerCommit(remote, { version: '12.4' });
    const r = await cli('upgrade', '--lock-finalization');
    assert.equal(r.code, 0, r.err + r.out);
    assert.ok(existsSync(join(sandbox.runDir, 'ostree/staged-deployment-locked')));
    await sandbox.shutdown();
    const stillStaged = await deployments();
    assert.equal(stillStaged[0].checksum, csum);
    assert.equal(stillStaged[0].staged, true, 'a locked staged deployment is not finalized');

    // The checksum must be the staged one's.
    await assert.rejects(
      client.call('OS.FinalizeDeployment', { checksum: remote.commits.v1 }),
      (e: RemoteError) => e.errorName === 'NoSuchDeployment' && e.message.includes(csum),
    );
    assert.ok(existsSync(join(sandbox.runDir, 'ostree/staged-deployment-locked')), 'a refused call changes nothing');
    assert.equal(existsSync(rebootMarker), false);

    const fin = await cli('finalize-deployment', csum);
    assert.equal(fin.code, 0, fin.err + fin.out);
    assert.equal(existsSync(join(sandbox.runDir, 'ostree/staged-deployment-locked')), false);
    for (let i = 0; i < 100 && !existsSync(rebootMarker); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(rebootMarker), 'the reboot command ran');
    // rpm-ostree's rules: an unlocked staged deployment needs allowUnlocked; no checksum needs allowMissingChecksum.
    await assert.rejects(
      client.call('OS.FinalizeDeployment', { checksum: csum }),
      (e: RemoteError) => e.errorName === 'Failed' && /already unlocked/.test(e.message),
    );
    await assert.rejects(client.call('OS.FinalizeDeployment', { allowUnlocked: true }), (e: RemoteError) => /allowMissingChecksum/.test(e.message));
    await client.call('OS.FinalizeDeployment', { allowMissingChecksum: true, allowUnlocked: true });

    await sandbox.shutdown();
    const ds = await deployments();
    assert.deepEqual(
      ds.map((d) => [d.checksum, d.staged, d.booted]),
      [
        [csum, false, false],
        [remote.commits.v2, false, true],
      ],
    );
  });

  it('FinalizeDeployment with nothing staged is NoSuchDeployment', async () => {
    await assert.rejects(
      client.call('OS.FinalizeDeployment', { checksum: remote.commits.v2 }),
      (e: RemoteError) => e.errorName === 'NoSuchDeployment' && /No staged deployment/.test(e.message),
    );
  });

  it('kernel arguments stage too; Cleanup pending-deploy removes the staged deployment', async () => {
    const before = await deployments();
    const r = await client.call<{ staged?: boolean; kernelArgs: string[] }>('OS.KernelArgs', { append: ['booted=1'] });
    assert.equal(r.staged, true);
    const staged = await deployments();
    assert.equal(staged.length, before.length + 1);
    assert.equal(staged[0].staged, true);
    assert.ok(staged[0].kernelArgs.includes('booted=1'));
    await client.call('OS.Cleanup', { elements: ['pending-deploy'] });
    const after = await deployments();
    assert.deepEqual(
      after.map((d) => d.id),
      before.map((d) => d.id),
    );
    assert.equal(existsSync(join(sandbox.runDir, 'ostree/staged-deployment')), false);
  });

  it('rollback with a staged deployment drops it and makes the rollback the default', async () => {
    await client.call('OS.KernelArgs', { append: ['again=1'] });
    assert.equal((await deployments())[0].staged, true);
    // Booted v2 with pending 12.4: the pending one is not a rollback target; v2 goes back on top.
    const r = await client.call<{ deployment: string }>('OS.Rollback', {});
    const ds = await deployments();
    assert.equal(
      ds.some((d) => d.staged),
      false,
    );
    assert.equal(ds[0].id, r.deployment);
  });

  it('the automatic update policy stage stages the update on a booted system', async () => {
    const csum = addServerCommit(remote, { version: '12.6' });
    const r = await client.call<{ enabled: boolean; staged: boolean; deployment: string }>('OS.AutomaticUpdateTrigger', { mode: 'stage' });
    assert.equal(r.enabled, true);
    assert.equal(r.staged, true);
    const [d] = await deployments();
    assert.equal(d.staged, true);
    assert.equal(d.checksum, csum);
    assert.equal(d.id, r.deployment);
  });

  it('usroverlay: root unlocks /usr of the booted deployment (ostree admin unlock, run by the CLI); status shows Unlocked', async () => {
    const cliInside = sandbox.checkoutPath(join(REPO_ROOT, 'bin/apt-ostree'));
    // ostree mounts the overlay in a mount namespace of its own, which reaches the caller's
    // through shared propagation on a real system (test/vm checks /usr is writable there); this
    // sandbox's mounts do not propagate, so only the unlocked state is checked here.
    const r = await sandbox.run(['node', cliInside, 'usroverlay']);
    assert.match(r.stdout, /Development mode enabled/);
    const booted = (await deployments()).find((d) => d.booted);
    assert.equal(booted?.unlocked, 'development');
    assert.match((await cli('status')).out, /Unlocked: development/);
    // Not root: refused before anything runs.
    const user = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(REPO_ROOT, 'bin/apt-ostree'), 'usroverlay'], {
      encoding: 'utf8',
    });
    assert.equal(user.status, 1);
    assert.match(user.stderr, /must be run as root/);
  });
});
