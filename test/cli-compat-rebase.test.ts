/**
 * rpm-ostree's `rebase -b BRANCH` (keep the remote) and `rebase -m REMOTE` (keep the branch),
 * and `--skip-purge`, through the CLI against the real daemon and a real HTTP remote.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { branchOf } from '../src/cli/commands/rebase-target.js';
import { buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { BOOKWORM_OS_RELEASE, buildTree, commitTree } from '../src/demo/sysroot-builder.js';
import { cliOn } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';

describe('CLI: rebase -b / -m / --skip-purge', () => {
  /** The remote fixture plus a second branch on its server, debian/trixie/x86_64. */
  const suite = daemonSuite(
    async (dir) => {
      const remote = await buildRemoteSysroot(join(dir, 'remote'));
      const tree = join(dir, 'trixie-tree');
      mkdirSync(tree);
      buildTree(tree, { kernelVersion: '6.12.0-1-amd64', osRelease: { ...BOOKWORM_OS_RELEASE, VERSION_ID: '13' } });
      const trixie = commitTree(remote.serverRepo, 'debian/trixie/x86_64', tree, { version: '13.0' });
      execFileSync('ostree', ['summary', '-u', `--repo=${remote.serverRepo}`]);
      return { ...remote, trixie };
    },
    (remote) => remote.stop(),
  );
  const cli = cliOn(() => suite.daemon.socket);

  it('-m REMOTE keeps the current branch: an unknown remote fails naming REMOTE:current-branch', async () => {
    const before = await suite.deployments();
    const [current] = before;
    assert.equal(current.origin, 'origin:debian/bookworm/x86_64');
    const r = await cli('rebase', '-m', 'nowhere');
    assert.equal(r.code, 1);
    assert.match(r.err, /nowhere/);
    const [title] = (await suite.client.call<{ transactions: { title: string }[] }>('Transaction.History', {})).transactions.map((t) => t.title);
    assert.match(title, /nowhere:debian\/bookworm\/x86_64/);
    assert.deepEqual(await suite.deployments(), before, 'nothing changed');
  });

  it('-b BRANCH keeps the remote (with --skip-purge accepted); -b with -m sets both; the operand is then the REVISION', async () => {
    const r = await cli('rebase', '--skip-purge', '-b', 'debian/trixie/x86_64');
    assert.equal(r.code, 0, r.err);
    const [after] = await suite.deployments();
    assert.equal(after.origin, 'origin:debian/trixie/x86_64');
    assert.equal(after.checksum, suite.fixture.trixie);
    // Both, and the operand as the REVISION (a commit pinned by the origin).
    const both = await cli('rebase', '--remote=origin', '--branch=debian/trixie/x86_64', suite.fixture.trixie);
    assert.equal(both.code, 0, both.err);
    const [pinned] = await suite.deployments();
    assert.equal(pinned.checksum, suite.fixture.trixie);
    assert.equal(pinned.origin, 'origin:debian/trixie/x86_64');
    const kept = await cli('rebase', '-m', 'origin');
    assert.equal(kept.code, 0, kept.err);
    assert.equal((await suite.deployments())[0].origin, 'origin:debian/trixie/x86_64', 'the branch is kept');
    for (const usage of [['-b', 'x', 'rev', 'extra'], ['-m', ''], []]) {
      assert.equal((await cli('rebase', ...usage)).code, 2, usage.join(' '));
    }
    assert.equal(branchOf('origin:debian/x'), 'debian/x');
    assert.equal(branchOf('debian/x'), 'debian/x');
  });
});
