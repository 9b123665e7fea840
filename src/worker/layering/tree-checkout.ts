/**
 * A writable tree to install packages into, made from a base commit without touching the
 * repository's objects: a hardlinked checkout (`ostree checkout -H`, fast, shares inodes with
 * the repo) in which every directory that will be written in place — /etc, the dpkg
 * database, the pristine /var — is replaced by a real copy first. Nothing sandboxed writes the
 * tree itself: dpkg, its maintainer scripts and the initramfs generator run on an overlay view
 * of it, and their changes come back by rename (backends/fs/tree-overlay.ts, overlay-merge.ts),
 * so a script that writes into a shared file in place writes a copy of it; `ostree fsck`
 * after every layering in the tests is the proof (attack-shared-inode-write.test.ts).
 *
 * Layout during the install: the tree's usr/etc is moved to /etc and a scratch /var is made
 * from usr/share/factory/var, as on a booted system; {@link finishTree} moves them back.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { absentInTree, directoryInTree } from '../../backends/fs/in-tree.js';
import { runCommand as run } from '../../util/run-command.js';
import { checkBootFiles } from './boot-files.js';
import { mergeDirectoryInto } from './merge-var.js';

/** Directories written in place during an install: copied, never hardlinked. */
const COPY_UP = ['usr/etc', 'usr/share/dpkg/database', 'usr/share/factory/var'];

/** Checks out `commit` of `repo` at `dest` (must not exist) ready for dpkg. */
export async function prepareTree(repo: string, commit: string, dest: string): Promise<void> {
  await run('ostree', ['checkout', `--repo=${repo}`, '-H', commit, dest]);
  for (const rel of COPY_UP) {
    const dir = join(dest, rel);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      continue;
    }
    const copy = `${dir}.apt-ostree-copy`;
    await run('cp', ['-a', '--', dir, copy]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(copy, dir);
  }
  // /etc and /var as a running system has them.
  if (existsSync(join(dest, 'etc'))) rmSync(join(dest, 'etc'), { recursive: true, force: true });
  renameSync(join(dest, 'usr/etc'), join(dest, 'etc'));
  rmSync(join(dest, 'var'), { recursive: true, force: true });
  await run('cp', ['-a', '--', join(dest, 'usr/share/factory/var'), join(dest, 'var')]);
  for (const d of ['dev', 'proc', 'tmp', 'run', 'usr/sbin']) mkdirSync(join(dest, d), { recursive: true });
}

/**
 * Back to the layout of a commit: /etc to usr/etc; whatever packages put in /var joins the
 * pristine /var (usr/share/factory/var) and /var is emptied again; the boot files are checked
 * (boot-files.ts). Scripts ran in the tree:
 * every path is checked to be what a tree has there (../../../backends/fs/in-tree.ts), and a
 * link planted in place of one fails with a {@link PlantedPathError}.
 */
export function finishTree(dest: string): void {
  const etc = directoryInTree(dest, 'etc');
  renameSync(etc, absentInTree(dest, 'usr/etc'));
  const factory = directoryInTree(dest, 'usr/share/factory/var');
  const varDir = directoryInTree(dest, 'var');
  mergeDirectoryInto(varDir, factory);
  rmSync(varDir, { recursive: true, force: true });
  mkdirSync(varDir);
  checkBootFiles(dest);
}
