/**
 * The worker's OSTree operations (upgrade, deploy, rollback, recover) called in-process
 * against a real sysroot following a real HTTP remote (src/demo/remote-fixture.ts), with
 * `ostree admin status` and `ostree fsck` as independent oracles.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OstreeSysrootReader } from '../src/backends/ostree/sysroot-reader.js';
import { optionsText } from '../src/backends/ostree/write/variant.js';
import { addServerCommit, buildRemoteSysroot, FIXTURE_VERSION_FILE, startStaticServer, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { buildTree, commitTree, createSysroot, deploy as adminDeploy } from '../src/demo/sysroot-builder.js';
import { OperationError, type OperationEvent } from '../src/worker/operation-context.js';
import { deploy } from '../src/worker/operations/deploy.js';
import { recover, readRefs } from '../src/worker/recover.js';
import { parseRevision } from '../src/worker/steps/revision.js';
import { rollback } from '../src/worker/operations/rollback.js';
import { upgrade } from '../src/worker/operations/upgrade.js';
import { LOCK_WAIT_MESSAGE } from '../src/worker/steps/sysroot-session.js';
import { ostreeAdminStatus, tempSysrootDir, type AdminStatusEntry } from './support/ostree-admin-status.js';
import { eventTypes, recordingContext } from './support/operation-context.js';
import { bootedSandbox, type BootedSandbox } from './support/booted-sandbox.js';

const CHILD = fileURLToPath(new URL('./support/operation-child.js', import.meta.url));

function fsckClean(sysroot: string): void {
  const out = execFileSync('ostree', ['fsck', `--repo=${join(sysroot, 'ostree', 'repo')}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.match(out, /no errors found/);
}

function refOf(repo: string, refspec: string): string {
  return execFileSync('ostree', ['rev-parse', `--repo=${repo}`, refspec], { encoding: 'utf8' }).trim();
}

function downloadEvents(events: OperationEvent[]): OperationEvent[] {
  return events.filter((e) => e.type === 'DownloadProgress');
}

/** Asserts the pull's event sequence: TaskBegin, ≥1 DownloadProgress, the final one complete, ProgressEnd. */
function assertCompletePull(events: OperationEvent[]): void {
  const types = eventTypes(events);
  const begin = types.indexOf('TaskBegin');
  const end = types.indexOf('ProgressEnd');
  assert.ok(begin >= 0 && events[begin].text === 'Receiving objects', types.join(' '));
  const progress = downloadEvents(events);
  assert.ok(progress.length >= 1, 'at least one DownloadProgress');
  const last = progress[progress.length - 1];
  assert.equal(last.objectsFetched, last.objectsRequested, 'the final DownloadProgress is complete');
  assert.ok(types.lastIndexOf('DownloadProgress') < end, 'ProgressEnd follows the last DownloadProgress');
}

/** Reads JSON lines of a child until one satisfies `pred`. */
function waitForLine(child: ChildProcess, pred: (o: { type: string }) => boolean, what: string): Promise<{ type: string }> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
    rl.on('line', (l) => {
      const o = JSON.parse(l) as { type: string; message?: string };
      if (o.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`child failed: ${o.message}`));
      } else if (pred(o)) {
        clearTimeout(timer);
        rl.close();
        resolve(o);
      }
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${what}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('upgrade, deploy and rollback against an HTTP remote', () => {
  const dir = tempSysrootDir('apt-ostreed-ops-');
  let remote: RemoteSysroot;

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
  });
  after(async () => remote?.stop());
  afterEach(() => fsckClean(remote.sysroot));

  it('builds the fixture: default v2 (12.2), rollback v1 (12.1), both following origin:debian/bookworm/x86_64', () => {
    const status = ostreeAdminStatus(remote.sysroot);
    assert.deepEqual(
      status.map((s) => [s.checksum, s.version, s.origin]),
      [
        [remote.commits.v2, '12.2', remote.refspec],
        [remote.commits.v1, '12.1', remote.refspec],
      ],
    );
    assert.equal(refOf(remote.repo, remote.refspec), remote.commits.v2);
    assert.ok(
      remote.server.requests.some((p) => p.endsWith('.commit')),
      'the sysroot pulled over HTTP',
    );
  });

  it('upgrade without an update: "No upgrade available.", nothing changes, one complete DownloadProgress', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    const ctx = recordingContext(remote.sysroot);
    const result = await upgrade(ctx, {});
    assert.deepEqual(result, { changed: false, deployment: null, message: 'No upgrade available.' });
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before);
    assertCompletePull(ctx.events);
    assert.equal(ctx.pointsOfNoReturn, 0);
  });

  it('upgrade to a new server commit: new default with its files, previous default becomes the rollback', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    const csum = addServerCommit(remote, { version: '12.3', files: { 'usr/share/upgrade-marker': 'v3\n' } });
    let statusAtPoint: AdminStatusEntry[] | null = null;
    const ctx = recordingContext(remote.sysroot, {
      onPointOfNoReturn: () => {
        statusAtPoint = ostreeAdminStatus(remote.sysroot);
      },
    });
    const result = await upgrade(ctx, {});
    const after = ostreeAdminStatus(remote.sysroot);
    assert.equal(result.changed, true);
    assert.equal(result.deployment, `debian-${csum}.${after[0].serial}`);
    assert.equal(result.message, `Upgraded to 12.3 (${csum.slice(0, 10)})`);
    assert.deepEqual(
      after.map((s) => [s.checksum, s.version]),
      [
        [csum, '12.3'],
        [before[0].checksum, '12.2'],
      ],
      'new default, then the previous default (the old rollback v1 is dropped, as rpm-ostree does)',
    );
    assert.equal(after[0].origin, remote.refspec);
    const root = join(remote.sysroot, 'ostree/deploy/debian/deploy', `${csum}.${after[0].serial}`);
    assert.equal(readFileSync(join(root, 'usr/share/upgrade-marker'), 'utf8'), 'v3\n');
    assert.equal(readFileSync(join(root, FIXTURE_VERSION_FILE), 'utf8'), '12.3\n');
    assert.equal(readFileSync(join(root, 'etc/hostname'), 'utf8'), 'debian\n', '/etc was merged');

    assertCompletePull(ctx.events);
    const last = downloadEvents(ctx.events).at(-1) as OperationEvent;
    assert.ok((last.objectsFetched ?? 0) > 0 && (last.bytesTransferred ?? 0) > 0, JSON.stringify(last));
    assert.equal(ctx.pointsOfNoReturn, 1);
    assert.deepEqual(statusAtPoint, before, 'the boot list had not changed at the point of no return');
    const types = eventTypes(ctx.events);
    assert.ok(types.lastIndexOf('DownloadProgress') < ctx.pointOfNoReturnAt, 'the pull is before the point of no return');
    const texts = ctx.events.filter((e) => e.type === 'TaskBegin').map((e) => e.text);
    assert.deepEqual(texts, ['Receiving objects', `Writing deployment 12.3 (${csum.slice(0, 10)})`, 'Writing the boot configuration', 'Cleaning up']);
    assert.equal(types.filter((t) => t === 'TaskBegin').length, types.filter((t) => t === 'TaskEnd').length);

    // Kernel arguments and origin carried over (through the read model).
    const reader = new OstreeSysrootReader(remote.sysroot);
    try {
      const snap = reader.read();
      for (const k of remote.kernelArgs) assert.ok(snap.deployments[0].kernelArgs.includes(k), snap.deployments[0].kernelArgs.join(' '));
      assert.equal(snap.deployments[0].origin, remote.refspec);
    } finally {
      reader.close();
    }
  });

  let v124 = '';
  it('check: reports an available update, fetching only its commit object and dpkg database', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    v124 = addServerCommit(remote, { version: '12.4' });
    const ctx = recordingContext(remote.sysroot);
    const result = await upgrade(ctx, { check: true });
    assert.equal(result.message, `Update available: 12.4 (${v124.slice(0, 10)}); 1 package change.`);
    assert.equal(result.changed, false);
    assert.equal(result.deployment, null);
    assert.equal(result.cachedUpdate?.checksum, v124);
    assert.deepEqual(
      result.cachedUpdate?.packageDiff.map((e) => `${e.change} ${e.name} ${e.next?.version ?? ''}`),
      ['upgraded base-files 12.4+12.4'],
    );
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before);
    assert.equal(ctx.pointsOfNoReturn, 0);
    assert.ok(downloadEvents(ctx.events).length >= 1);
    assert.throws(() => execFileSync('ostree', ['ls', `--repo=${remote.repo}`, v124, `/${FIXTURE_VERSION_FILE}`], { stdio: 'ignore' }));
  });

  it('downloadOnly: pulls the update, deploys nothing', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    const csum = v124;
    const ctx = recordingContext(remote.sysroot);
    const result = await upgrade(ctx, { downloadOnly: true });
    assert.equal(result.changed, false);
    assert.equal(result.deployment, null);
    assert.match(result.message, /^Downloaded 12\.4 \([0-9a-f]{10}\) of origin:debian\/bookworm\/x86_64; not deployed/);
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before);
    assert.equal(refOf(remote.repo, remote.refspec), csum, 'the ref moved to the downloaded commit');
    assertCompletePull(ctx.events);
    assert.equal(ctx.pointsOfNoReturn, 0);
    // The content is there: listing a file of the commit works offline.
    execFileSync('ostree', ['ls', `--repo=${remote.repo}`, csum, `/${FIXTURE_VERSION_FILE}`], { stdio: 'ignore' });
  });

  it('refuses an older server commit without allowDowngrade, naming both versions; allows it with', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    const refBefore = refOf(remote.repo, remote.refspec);
    const old = addServerCommit(remote, { version: '11.9', timestamp: remote.timestamps.v1 - 86_400 });
    const ctx = recordingContext(remote.sysroot);
    await assert.rejects(upgrade(ctx, {}), (e: unknown) => {
      assert.ok(e instanceof OperationError);
      assert.equal(e.errorName, 'Failed');
      assert.match(e.message, /downgrade from 12\.3 \([0-9a-f]{10}\).* to the older 11\.9 \([0-9a-f]{10}\).*allowDowngrade/);
      return true;
    });
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before);
    assert.equal(refOf(remote.repo, remote.refspec), refBefore, 'the ref did not move');
    assert.equal(ctx.pointsOfNoReturn, 0);
    // The refused pull still reports a final DownloadProgress and ProgressEnd, but no TaskEnd.
    const recv = ctx.events.findIndex((e) => e.type === 'TaskBegin' && e.text === 'Receiving objects');
    const end = ctx.events.findIndex((e, i) => i > recv && e.type === 'ProgressEnd');
    assert.ok(recv >= 0 && end > recv, eventTypes(ctx.events).join(' '));
    assert.equal(ctx.events[end - 1].type, 'DownloadProgress');
    assert.ok(!ctx.events.some((e) => e.type === 'TaskEnd' && e.text === 'Receiving objects'));

    const allowed = await upgrade(recordingContext(remote.sysroot), { allowDowngrade: true });
    assert.equal(allowed.changed, true);
    assert.equal(ostreeAdminStatus(remote.sysroot)[0].checksum, old);
  });

  it('deploys an older commit by checksum and another by version; records override-commit', async () => {
    const ctx = recordingContext(remote.sysroot);
    const byChecksum = await deploy(ctx, { revision: remote.commits.v1 });
    let status = ostreeAdminStatus(remote.sysroot);
    assert.equal(status[0].checksum, remote.commits.v1);
    assert.equal(byChecksum.deployment, `debian-${remote.commits.v1}.${status[0].serial}`);
    assert.equal(byChecksum.message, `Deployed 12.1 (${remote.commits.v1.slice(0, 10)})`);
    assert.equal(ctx.pointsOfNoReturn, 1);
    assert.ok(downloadEvents(ctx.events).length >= 1);
    const originPath = join(remote.sysroot, 'ostree/deploy/debian/deploy', `${remote.commits.v1}.${status[0].serial}.origin`);
    const origin = readFileSync(originPath, 'utf8');
    assert.match(origin, /^refspec=origin:debian\/bookworm\/x86_64$/m);
    assert.match(origin, new RegExp(`^override-commit=${remote.commits.v1}$`, 'm'));

    const byVersion = await deploy(recordingContext(remote.sysroot), { revision: '12.2' });
    status = ostreeAdminStatus(remote.sysroot);
    assert.equal(status[0].checksum, remote.commits.v2);
    assert.equal(status[1].checksum, remote.commits.v1, 'the previous default is the rollback');
    assert.equal(byVersion.deployment, `debian-${remote.commits.v2}.${status[0].serial}`);
  });

  it('deploy: refuses an older commit when allowDowngrade is false; unknown versions and foreign checksums fail clearly', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    await assert.rejects(deploy(recordingContext(remote.sysroot), { revision: '12.1', allowDowngrade: false }), (e: unknown) => {
      assert.ok(e instanceof OperationError && e.errorName === 'Failed');
      assert.match(e.message, /downgrade from 12\.2 .* to the older 12\.1 .*allowDowngrade/);
      return true;
    });
    await assert.rejects(deploy(recordingContext(remote.sysroot), { revision: '9.9' }), {
      name: 'OperationError',
      message: 'No commit with version 9.9 in the history of origin:debian/bookworm/x86_64',
    });
    const foreign = 'ab'.repeat(32);
    await assert.rejects(deploy(recordingContext(remote.sysroot), { revision: foreign }), {
      message: `Commit ${foreign} is not in the history of origin:debian/bookworm/x86_64 (skipBranchCheck deploys a commit of another branch)`,
    });
    const same = await deploy(recordingContext(remote.sysroot), { revision: `revision=${remote.commits.v2}` });
    assert.equal(same.changed, false);
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before);
  });

  it('deploy skipBranchCheck: a commit on no branch of the origin is deployed by checksum (rpm-ostree skip-branch-check)', async () => {
    // A commit of the same tree that no branch has: refused without skipBranchCheck, deployed with it.
    const orphan = execFileSync(
      'ostree',
      [`--repo=${remote.repo}`, 'commit', '--orphan', `--tree=ref=${remote.commits.v2}`, '--subject=orphan', '--timestamp=2024-01-01T00:00:00Z'],
      {
        encoding: 'utf8',
      },
    ).trim();
    await assert.rejects(deploy(recordingContext(remote.sysroot), { revision: orphan }), /is not in the history of/);
    const result = await deploy(recordingContext(remote.sysroot), { revision: orphan, skipBranchCheck: true });
    assert.equal(result.changed, true);
    assert.equal(ostreeAdminStatus(remote.sysroot)[0].checksum, orphan);
    // Back to the branch for the next tests.
    const back = await deploy(recordingContext(remote.sysroot), { revision: remote.commits.v2 });
    assert.equal(back.changed, true);
  });

  it('upgrade after a deploy goes back to the branch tip and drops override-commit', async () => {
    const tip = refOf(remote.repo, remote.refspec);
    const result = await upgrade(recordingContext(remote.sysroot), { allowDowngrade: true });
    assert.equal(result.changed, true);
    const status = ostreeAdminStatus(remote.sysroot);
    assert.equal(status[0].checksum, tip);
    const origin = readFileSync(join(remote.sysroot, 'ostree/deploy/debian/deploy', `${tip}.${status[0].serial}.origin`), 'utf8');
    assert.doesNotMatch(origin, /override-commit/);
  });

  it('rolls back: the rollback becomes the default, the default the rollback', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    const ctx = recordingContext(remote.sysroot);
    const result = await rollback(ctx);
    const after = ostreeAdminStatus(remote.sysroot);
    assert.equal(result.changed, true);
    assert.equal(result.deployment, `debian-${before[1].checksum}.${before[1].serial}`);
    assert.deepEqual(
      after.map((s) => [s.checksum, s.serial]),
      [before[1], before[0]].map((s) => [s.checksum, s.serial]),
    );
    assert.equal(ctx.pointsOfNoReturn, 1);
    assert.ok(eventTypes(ctx.events).indexOf('TaskBegin') >= ctx.pointOfNoReturnAt, 'the boot list is written after the point');
  });
});

describe('a failure between deploy_tree and the boot list', () => {
  const dir = tempSysrootDir('apt-ostreed-ops-fail-');
  let remote: RemoteSysroot;

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
  });
  after(async () => remote?.stop());

  it('leaves no deployment directory behind and the boot list unchanged', async () => {
    const deployDir = join(remote.sysroot, 'ostree/deploy/debian/deploy');
    const dirsBefore = readdirSync(deployDir).sort();
    const before = ostreeAdminStatus(remote.sysroot);
    addServerCommit(remote, { version: '12.9' });
    const ctx = recordingContext(remote.sysroot, {
      onPointOfNoReturn: () => {
        assert.equal(readdirSync(deployDir).length, dirsBefore.length + 2, 'deploy_tree wrote the deployment and its origin');
        throw new Error('refused by the engine');
      },
    });
    await assert.rejects(upgrade(ctx, {}), (e: unknown) => {
      assert.ok(e instanceof OperationError && e.errorName === 'Failed' && e.message === 'refused by the engine');
      return true;
    });
    assert.deepEqual(readdirSync(deployDir).sort(), dirsBefore);
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before);
    fsckClean(remote.sysroot);
  });
});

describe('operations on a sysroot with one deployment', () => {
  const dir = tempSysrootDir('apt-ostreed-ops-single-');
  let sysroot: string;
  let repo: string;

  before(() => {
    ({ sysroot, repo } = createSysroot(join(dir, 'sysroot'), 'debian'));
    const tree = join(dir, 'tree');
    buildTree(tree, { kernelVersion: '6.1.0-13-amd64', osRelease: { ID: 'debian', VERSION_ID: '12' } });
    commitTree(repo, 'debian/bookworm/x86_64', tree, { version: '12.1' });
    adminDeploy(sysroot, 'debian', 'debian/bookworm/x86_64');
  });
  afterEach(() => fsckClean(sysroot));

  it('rollback: NothingToRollback, nothing changes', async () => {
    const before = ostreeAdminStatus(sysroot);
    const ctx = recordingContext(sysroot);
    await assert.rejects(rollback(ctx), (e: unknown) => {
      assert.ok(e instanceof OperationError);
      assert.equal(e.errorName, 'NothingToRollback');
      assert.equal(e.message, 'No rollback deployment found');
      return true;
    });
    assert.equal(ctx.pointsOfNoReturn, 0);
    assert.deepEqual(ostreeAdminStatus(sysroot), before);
  });

  it('upgrade of a local branch: no download, "No upgrade available."', async () => {
    const ctx = recordingContext(sysroot);
    const result = await upgrade(ctx, {});
    assert.equal(result.message, 'No upgrade available.');
    assert.equal(downloadEvents(ctx.events).length, 0);
  });

  it('a layered origin follows its baserefspec: no upgrade when the base is the branch tip', async () => {
    const originFile = join(dir, 'layered.origin');
    writeFileSync(originFile, '[origin]\nbaserefspec=debian/bookworm/x86_64\n\n[packages]\nrequested=hello;\n');
    adminDeploy(sysroot, 'debian', 'debian/bookworm/x86_64', { originFile, retain: true });
    const before = ostreeAdminStatus(sysroot);
    const result = await upgrade(recordingContext(sysroot), {});
    assert.equal(result.changed, false);
    assert.equal(result.message, 'No upgrade available.');
    assert.deepEqual(ostreeAdminStatus(sysroot), before);
  });

  it('fails with InvalidSysroot on a directory that is not a sysroot', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    await assert.rejects(upgrade(recordingContext(empty), {}), (e: unknown) => {
      assert.ok(e instanceof OperationError && e.errorName === 'InvalidSysroot', String(e));
      return true;
    });
  });
});

describe('the sysroot lock and recovery', () => {
  const dir = tempSysrootDir('apt-ostreed-ops-lock-');
  let remote: RemoteSysroot;
  const children: ChildProcess[] = [];

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
  });
  after(async () => {
    await Promise.all(children.map(killed));
    await remote?.stop();
  });
  afterEach(() => fsckClean(remote.sysroot));

  const child = (args: string[]): ChildProcess => {
    const c = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(c);
    return c;
  };

  it('waits for a sysroot lock held by another process, saying so once, then runs', async () => {
    const holder = child(['hold-lock', remote.sysroot]);
    await waitForLine(holder, (o) => o.type === 'locked', 'the lock');
    const ctx = recordingContext(remote.sysroot);
    let settled = false;
    const running = upgrade(ctx, {}).finally(() => {
      settled = true;
    });
    const t0 = Date.now();
    while (!ctx.events.some((e) => e.type === 'Message') && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ctx.events[0], { type: 'Message', text: LOCK_WAIT_MESSAGE });
    await new Promise((r) => setTimeout(r, 350)); // several lock attempts
    assert.equal(settled, false, 'the operation waits while the lock is held');
    assert.equal(ctx.events.length, 1, 'the waiting message is sent once');
    holder.stdin?.end(); // the holder unlocks and exits
    const result = await running;
    assert.equal(result.message, 'No upgrade available.');
    assert.equal(ctx.events.filter((e) => e.text === LOCK_WAIT_MESSAGE).length, 1);
  });

  it('recover() after a worker killed at the point of no return: refs restored, the stray deployment removed', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    const refsBefore = readRefs(remote.repo);
    assert.equal(refsBefore[remote.refspec], remote.commits.v2);
    const csum = addServerCommit(remote, { version: '12.5' });
    const worker = child(['run-op', remote.sysroot, 'upgrade', '{}', 'tx42']);
    await waitForLine(worker, (o) => o.type === 'pointOfNoReturn', 'the point of no return');
    await killed(worker);
    // What the killed worker left: the ref moved, a deployment directory outside the boot list.
    assert.equal(readRefs(remote.repo)[remote.refspec], csum);
    const stray = join(remote.sysroot, 'ostree/deploy/debian/deploy', `${csum}.0`);
    assert.ok(existsSync(stray), 'deploy_tree wrote the new deployment before the kill');
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before, 'the boot list is unchanged');
    // Temporary files of this transaction and of another one.
    const tmp = join(remote.repo, 'tmp');
    mkdirSync(join(tmp, 'apt-ostree-tx42-checkout/usr'), { recursive: true });
    writeFileSync(join(tmp, 'apt-ostree-tx42-checkout/usr/file'), 'x');
    mkdirSync(join(tmp, 'apt-ostree-tx7-checkout'), { recursive: true });
    // A ref the transaction created.
    execFileSync('ostree', ['refs', `--repo=${remote.repo}`, `--create=aptostree/base/9`, remote.commits.v2]);

    const result = await recover(remote.sysroot, refsBefore, 'tx42');
    assert.deepEqual(result.restoredRefs, ['aptostree/base/9', remote.refspec]);
    assert.deepEqual(readRefs(remote.repo), refsBefore);
    assert.ok(result.removed.includes(join(tmp, 'apt-ostree-tx42-checkout')), result.removed.join(' '));
    assert.ok(result.removed.includes(stray), result.removed.join(' '));
    assert.ok(!existsSync(stray));
    assert.ok(!existsSync(join(tmp, 'apt-ostree-tx42-checkout')));
    assert.ok(existsSync(join(tmp, 'apt-ostree-tx7-checkout')), "another transaction's files stay");
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before);

    const all = await recover(remote.sysroot, null, null);
    assert.deepEqual(all, { restoredRefs: [], removed: [join(tmp, 'apt-ostree-tx7-checkout')] });

    // The update is still there to be had.
    const result2 = await upgrade(recordingContext(remote.sysroot), {});
    assert.equal(result2.changed, true);
    assert.equal(ostreeAdminStatus(remote.sysroot)[0].checksum, csum);
  });

  it('a pull that makes no progress for DownloadTimeout seconds is cancelled', async () => {
    // libostree notices the cancellation when the hung request returns (2022.7 has no
    // per-request timeout to set), here after 2 s; the error names the DownloadTimeout.
    const slow = await startStaticServer(remote.serverRepo, { delayMs: 2000 });
    const setUrl = (url: string) => execFileSync('ostree', ['config', `--repo=${remote.repo}`, 'set', 'remote "origin".url', url]);
    setUrl(slow.url);
    try {
      const before = ostreeAdminStatus(remote.sysroot);
      addServerCommit(remote, { version: '12.6' });
      const ctx = recordingContext(remote.sysroot, { downloadTimeout: 1 });
      const t0 = performance.now();
      await assert.rejects(upgrade(ctx, {}), {
        name: 'OperationError',
        message: /no data received for 1 s \(DownloadTimeout\); download cancelled$/,
      });
      const ms = performance.now() - t0;
      assert.ok(ms >= 900 && ms < 3500, `gave up after ${ms.toFixed(0)} ms`);
      assert.deepEqual(eventTypes(ctx.events).slice(-2), ['DownloadProgress', 'ProgressEnd']);
      assert.deepEqual(ostreeAdminStatus(remote.sysroot), before);
    } finally {
      setUrl(remote.server.url);
      await slow.stop();
    }
  });

  it('readRefs: heads and remote refs by plain file reads, in well under a millisecond', () => {
    const refs = readRefs(remote.repo);
    assert.equal(refs[remote.refspec], refOf(remote.repo, remote.refspec));
    assert.ok(
      Object.keys(refs).some((k) => /^ostree\/\d+\/\d+\/\d+$/.test(k)),
      'deployment refs are heads',
    );
    assert.deepEqual(readRefs(join(dir, 'no-such-repo')), {});
  });
});

describe('on a booted system (bubblewrap boots the rollback deployment v1; v2 is pending)', { skip: !existsSync('/usr/bin/bwrap') && 'no bwrap' }, () => {
  const dir = tempSysrootDir('apt-ostreed-ops-booted-');
  let remote: RemoteSysroot;
  let sandbox: BootedSandbox;

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    sandbox = bootedSandbox({ sysroot: remote.sysroot, osname: remote.osname, deployment: `${remote.commits.v1}.0`, runDir: join(dir, 'run') });
    // A local change in the booted /etc: the merge deployment is the booted one.
    writeFileSync(join(remote.sysroot, 'ostree/deploy/debian/deploy', `${remote.commits.v1}.0`, 'etc/hostname'), 'booted-host\n');
  });
  after(async () => remote?.stop());
  afterEach(() => fsckClean(remote.sysroot));

  /** Runs an operation in the operation child inside the sandbox whose / is the deployment v1. */
  const inBootedV1 = async (method: string): Promise<{ type: string; result?: { deployment: string; staged?: boolean } }[]> => {
    const { stdout } = await sandbox.run([process.execPath, sandbox.checkoutPath(CHILD), 'run-op', '/', method, '{}', 'booted', 'proceed']);
    return stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; result?: { deployment: string; staged?: boolean } });
  };

  it('upgrade stages; at shutdown it replaces the pending one, keeps the booted one, and /etc is merged from the booted one', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    assert.deepEqual(
      before.map((s) => s.checksum),
      [remote.commits.v2, remote.commits.v1],
    );
    const csum = addServerCommit(remote, { version: '12.3' });
    const out = await inBootedV1('upgrade');
    const result = out.find((o) => o.type === 'result')?.result;
    assert.equal(result?.staged, true);
    assert.deepEqual(ostreeAdminStatus(remote.sysroot), before, 'staging leaves the boot list alone');
    await sandbox.shutdown();
    const after = ostreeAdminStatus(remote.sysroot);
    assert.deepEqual(
      after.map((s) => s.checksum),
      [csum, remote.commits.v1],
      'new default, then the booted deployment; the old pending v2 is gone (rpm-ostree)',
    );
    assert.equal(result?.deployment, `debian-${csum}.${after[0].serial}`);
    const newRoot = join(remote.sysroot, 'ostree/deploy/debian/deploy', `${csum}.${after[0].serial}`);
    assert.equal(readFileSync(join(newRoot, 'etc/hostname'), 'utf8'), 'booted-host\n');
  });

  it('rollback with a pending deployment and nothing after the booted one puts the booted one back on top', async () => {
    const before = ostreeAdminStatus(remote.sysroot);
    const out = await inBootedV1('rollback');
    assert.equal(out.find((o) => o.type === 'result')?.result?.deployment, `debian-${remote.commits.v1}.0`);
    assert.deepEqual(
      ostreeAdminStatus(remote.sysroot).map((s) => s.checksum),
      [before[1].checksum, before[0].checksum],
    );
  });
});

describe('the static server of the fixture', () => {
  const dir = tempSysrootDir('apt-ostreed-ops-http-');

  it('serves files with GET and HEAD, 404s everything else, never leaves its root', async () => {
    mkdirSync(join(dir, 'root/sub'), { recursive: true });
    writeFileSync(join(dir, 'root/sub/file'), 'hello\n');
    writeFileSync(join(dir, 'secret'), 'no\n');
    const server = await startStaticServer(join(dir, 'root'), { delayMs: 30 });
    try {
      const get = await fetch(`${server.url}/sub/file`);
      assert.equal(get.status, 200);
      assert.equal(await get.text(), 'hello\n');
      const head = await fetch(`${server.url}/sub/file`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '6');
      for (const path of ['/sub', '/sub/', '/missing', '/../secret', '/sub/%2e%2e/%2e%2e/secret', '/%00']) {
        const r = await fetch(`${server.url}${path}`);
        assert.equal(r.status, 404, path);
        await r.arrayBuffer();
      }
      assert.equal((await fetch(`${server.url}/sub/file`, { method: 'POST' })).status, 405);
      assert.ok(server.requests.includes('/sub/file'));
      const t0 = performance.now();
      await (await fetch(`${server.url}/sub/file`)).text();
      assert.ok(performance.now() - t0 >= 25, 'delayMs delays each answer');
    } finally {
      await server.stop();
    }
  });
});

describe('small pieces', () => {
  it('parseRevision reads revisions like rpm-ostree', () => {
    const c = 'a'.repeat(64);
    assert.deepEqual(parseRevision(c), { kind: 'checksum', value: c });
    assert.deepEqual(parseRevision('12.2'), { kind: 'version', value: '12.2' });
    assert.deepEqual(parseRevision(`Revision=${c}`), { kind: 'checksum', value: c });
    assert.deepEqual(parseRevision(`version=${c}`), { kind: 'version', value: c });
    assert.deepEqual(parseRevision('a=b'), { kind: 'version', value: 'a=b' });
    assert.throws(() => parseRevision('revision=12.2'), OperationError);
    assert.throws(() => parseRevision(''), OperationError);
  });

  it('pull options become GVariant text with explicit types and escaped strings', () => {
    assert.equal(
      optionsText({
        refs: { type: 'as', value: ["it's", 'a\\b'] },
        flags: { type: 'i', value: 2 },
        'n-network-retries': { type: 'u', value: 5 },
        x: { type: 'b', value: true },
        none: { type: 'as', value: [] },
      }),
      "{'refs': <['it\\'s', 'a\\\\b']>, 'flags': <int32 2>, 'n-network-retries': <uint32 5>, 'x': <true>, 'none': <@as []>}",
    );
  });
});
