/**
 * A tree seen through overlayfs, for the tree sandbox (tree-sandbox.ts): the tree is the
 * overlay's lower directory, which overlayfs never writes; every change lands in a fresh upper
 * directory (a modified file is copied there first), merged back into the tree by rename once
 * the command is over (overlay-merge.ts). So nothing a sandboxed program does — write into a
 * file in place, truncate it, chmod, chown, setxattr, link it — reaches an inode of the tree:
 * its files are hardlinks to the repository's objects, shared with the booted deployment.
 *
 * The overlay is mounted in a mount namespace of its own (`unshare --mount --propagation
 * private`) by a small program run with the worker's node (OVERLAY_LAUNCHER), which then runs
 * bwrap on the merged view and passes its exit status on: the host never sees the mount, and
 * it is gone with the last process of the namespace, however the worker ends (the launcher
 * dies with the worker: setpriv --pdeathsig; bwrap with the launcher: --die-with-parent).
 * bubblewrap 0.8 (Debian 12) has no overlay options of its own.
 *
 * Upper and work directories are made beside the tree (overlayfs wants them on one
 * filesystem, and the tree's parent is the transaction's scratch dir, which recovery removes).
 * Mount options: no index, no metacopy (a chmod copies the data up too, so the merge only
 * renames), no redirect_dir (renaming a directory of the tree is refused with EXDEV, and mv
 * falls back to copying), volatile (no syncs: the tree is committed by ostree, which syncs).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { dyingWithParent } from '../../util/die-with-parent.js';
import { copyDirectoryMetadata } from './overlay-merge.js';

/** The overlay mount failed (the kernel lacks overlayfs, or the scratch filesystem cannot hold an upper directory). */
class OverlayMountError extends Error {}

/** The line the launcher prints when the mount fails, before the reason. */
const MOUNT_FAILED = 'apt-ostree-overlay: mount failed:';
/** The launcher's exit status when the mount failed. */
const MOUNT_FAILED_STATUS = 125;

/**
 * The launcher, run as `node -e LAUNCHER -- OPTIONS TARGET NFDS BWRAP-ARGV...` in the new mount
 * namespace, in the tree's parent directory (the mount options name the directories relative
 * to it). It passes on stdout, stderr and the NFDS descriptors from 3 on (bwrap's data).
 */
const OVERLAY_LAUNCHER = `'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { constants } = require('node:os');
const [options, target, nfds, ...argv] = process.argv.slice(1);
const m = spawnSync('mount', ['-t', 'overlay', '-o', options, 'overlay', target], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (m.status !== 0) {
  process.stderr.write(${JSON.stringify(MOUNT_FAILED)} + ' ' + ((m.stderr || '').trim() || (m.error ? m.error.message : 'exit ' + m.status)) + '\\n');
  process.exit(${MOUNT_FAILED_STATUS});
}
const fds = Array.from({ length: Number(nfds) }, (_, i) => 3 + i);
const child = spawn('bwrap', argv, { stdio: ['ignore', 1, 2, ...fds] });
child.on('error', (e) => { process.stderr.write('bwrap: ' + e.message + '\\n'); process.exit(126); });
child.on('exit', (code, signal) => process.exit(code !== null ? code : 128 + (constants.signals[signal] || 0)));
`;

/** The directories of one overlay view of a tree. */
interface TreeOverlay {
  tree: string;
  /** Holds upper/, work/ and root/ (the mount point); beside the tree. */
  dir: string;
  upper: string;
  /** Where the merged view is mounted (in the launcher's namespace only). */
  root: string;
}

/** Names the overlay options can hold (they are comma- and colon-separated). */
const PLAIN_NAME = /^[A-Za-z0-9._-]+$/;

/** Fresh upper, work and mount point directories for an overlay view of `tree`; the upper root has the tree root's mode, owner and attributes. */
export function makeTreeOverlay(tree: string): TreeOverlay {
  if (!PLAIN_NAME.test(basename(tree))) throw new OverlayMountError(`A tree to overlay needs a plain name, not ${basename(tree)}`);
  const dir = mkdtempSync(join(dirname(tree), `${basename(tree)}.overlay-`));
  const overlay = { tree, dir, upper: join(dir, 'upper'), root: join(dir, 'root') };
  for (const d of [overlay.upper, join(dir, 'work'), overlay.root]) mkdirSync(d, { mode: 0o700 });
  // The merged view's root directory is the upper one: it must look like the tree's.
  copyDirectoryMetadata(tree, overlay.upper);
  return overlay;
}

/** Removes the overlay's directories (the mount died with its namespace). */
export function removeTreeOverlay(overlay: TreeOverlay): void {
  rmSync(overlay.dir, { recursive: true, force: true });
}

/** The command (file, argv, cwd) running bwrap with `bwrapArgv` on the overlay's merged view, `dataFds` descriptors from 3 passed on. */
export function overlayLaunch(overlay: TreeOverlay, bwrapArgv: string[], dataFds: number): { file: string; argv: string[]; cwd: string } {
  const dir = basename(overlay.dir);
  const options = [
    `lowerdir=${basename(overlay.tree)}`,
    `upperdir=${dir}/upper`,
    `workdir=${dir}/work`,
    'index=off',
    'metacopy=off',
    'redirect_dir=off',
    'volatile',
  ].join(',');
  const launcher = [process.execPath, '-e', OVERLAY_LAUNCHER, '--', options, overlay.root, String(dataFds), ...bwrapArgv];
  const [file, argv] = dyingWithParent('unshare', ['--mount', '--propagation', 'private', '--', ...launcher]);
  return { file, argv, cwd: dirname(overlay.tree) };
}

/** The launcher's report of a failed mount among `lines`, as an error; null when the mount worked. */
export function overlayMountFailure(code: number, lines: string[]): OverlayMountError | null {
  if (code !== MOUNT_FAILED_STATUS) return null;
  const line = lines.find((l) => l.startsWith(MOUNT_FAILED));
  return line === undefined ? null : new OverlayMountError(`Mounting the overlay for the sandbox failed: ${line.slice(MOUNT_FAILED.length).trim()}`);
}
