/**
 * Attack (nothing reaches the host): a maintainer script writes into files of the
 * base tree in place. dpkg runs in a hardlinked checkout of the base commit, whose files are the
 * repository's objects themselves — shared with every deployment of that commit, the booted one
 * included. The postinst of a package built here (shared-inode-writes.c) appends to one base
 * file, changes the owner and mode (set-id bits) of another, truncates a third, overwrites a fourth, sets an
 * extended attribute on a fifth, and makes a second name for a sixth and writes through it. The
 * layering may succeed, the layered deployment seeing the script's changes as its own files;
 * the repository (ostree fsck), the base commit and the base deployment must not change at all.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { addHostileDeb, compileStatic } from './support/hostile-deb.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';

/** The base files the script goes at (shared-inode-writes.c names the same). */
const TARGETS = [
  'usr/lib/os-release',
  'usr/lib/apt-ostree-fixture/version',
  'usr/bin/true',
  'usr/lib/modules/6.1.0-13-amd64/initramfs.img',
  'usr/bin/sleep',
  'usr/lib64/ld-linux-x86-64.so.2',
];

/** Content hash, mode, owner and link count of a file of a deployment. */
function fileState(root: string, rel: string): string {
  const st = lstatSync(join(root, rel));
  const sha = createHash('sha256')
    .update(readFileSync(join(root, rel)))
    .digest('hex');
  return `${rel} ${sha} mode=${st.mode.toString(8)} owner=${st.uid}:${st.gid} size=${st.size}`;
}

/** What the repository's commit has for each target: `ostree ls -X` (mode, owner, xattrs) and the content's hash. */
function commitState(repo: string, commit: string): string[] {
  return TARGETS.map((rel) => {
    const ls = execFileSync('ostree', ['ls', `--repo=${repo}`, '-X', commit, `/${rel}`], { encoding: 'utf8' }).trim();
    const content = execFileSync('ostree', ['cat', `--repo=${repo}`, commit, `/${rel}`], { maxBuffer: 64 * 1024 * 1024 });
    return `${ls} ${createHash('sha256').update(content).digest('hex')}`;
  });
}

describe('attack: a maintainer script writes into base files shared with the repository', () => {
  const suite = daemonSuite(layeringFixture, stopLayeringFixture);
  const cli = cliOn(() => suite.daemon.socket);

  it('the repository, the base commit and the base deployment stay as they were', async () => {
    const { sysroot, repo } = suite.fixture;
    const base = (await suite.deployments())[0];
    const baseRoot = deploymentRoot(sysroot, base.id);
    const baseFiles = TARGETS.map((rel) => fileState(baseRoot, rel));
    const baseCommit = commitState(repo, base.checksum);

    addHostileDeb(suite.fixture.aptDir, {
      name: 'inode-writer',
      version: '1.0',
      files: {
        '/usr/lib/aoatk/writes': { content: compileStatic('shared-inode-writes'), mode: 0o755 },
        '/usr/share/aoatk/README': { content: 'results of the in-place writes\n', mode: 0o644 },
      },
      postinst: '#!/bin/sh\n/usr/lib/aoatk/writes /usr/share/aoatk/results\nexit 0\n',
    });
    assert.equal((await cli('refresh-md', '--force')).code, 0);
    const r = await cli('install', 'inode-writer');

    // Every finding at once, so a failure shows the whole picture.
    const problems: string[] = [];
    const fsck = spawnSync('ostree', ['fsck', `--repo=${repo}`], { encoding: 'utf8' });
    if (fsck.status !== 0 || !/no errors found/.test(fsck.stdout)) problems.push(`ostree fsck (exit ${fsck.status}): ${fsck.stderr.trim()}`);
    TARGETS.forEach((rel, i) => {
      const now = fileState(baseRoot, rel);
      if (now !== baseFiles[i]) problems.push(`the base deployment's ${rel} changed: ${baseFiles[i]} → ${now}`);
    });
    commitState(repo, base.checksum).forEach((now, i) => {
      if (now !== baseCommit[i]) problems.push(`the base commit's ${TARGETS[i]} changed: ${baseCommit[i]} → ${now}`);
    });
    assert.deepEqual(problems, []);

    // The script did its work, in the layered tree only.
    assert.equal(r.code, 0, r.err + r.out);
    const layered = (await suite.deployments())[0];
    assert.deepEqual(layered.requestedPackages, ['inode-writer']);
    const root = deploymentRoot(sysroot, layered.id);
    const results = readFileSync(join(root, 'usr/share/aoatk/results'), 'utf8');
    assert.equal(results, ['append', 'chown', 'chmod', 'truncate', 'overwrite', 'setxattr', 'link', 'append-through-link'].map((n) => `${n} done\n`).join(''));
    assert.match(readFileSync(join(root, 'usr/lib/os-release'), 'utf8'), /\nAOATK_APPENDED=1\n$/);
    const version = lstatSync(join(root, 'usr/lib/apt-ostree-fixture/version'));
    assert.equal(version.mode & 0o7777, 0o6777);
    assert.equal(`${version.uid}:${version.gid}`, '1234:1234');
    assert.equal(lstatSync(join(root, 'usr/bin/true')).size, 0);
    assert.equal(readFileSync(join(root, 'usr/lib/modules/6.1.0-13-amd64/initramfs.img')).subarray(0, 5).toString(), 'AOATK');
    assert.ok(readFileSync(join(root, 'usr/share/aoatk/loader-link')).toString('latin1').endsWith('AOATK'));
    assert.match(execFileSync('ostree', ['ls', `--repo=${repo}`, '-X', layered.checksum, '/usr/bin/sleep'], { encoding: 'utf8' }), /user\.aoatk/);
  });
});
