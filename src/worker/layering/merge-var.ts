/**
 * What packages put in the install's /var joins the pristine /var (usr/share/factory/var), as
 * `cp -a var/. factory/var` would — but moved, never followed: maintainer scripts had the tree,
 * and any directory of either side may be a link to a host directory by now. Each entry of the
 * source is renamed into place; a destination entry in the way is removed (a link is removed
 * itself, not what it points to); only two real directories are merged further down.
 */
import { chmodSync, chownSync, lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { lstatOrNull } from '../../backends/fs/in-tree.js';

/**
 * Moves the content of `from` into `to`, both real directories (the caller checked them; every
 * directory below is checked here before it is entered).
 */
export function mergeDirectoryInto(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    const s = lstatSync(src);
    const d = lstatOrNull(dst);
    if (d !== null && s.isDirectory() && d.isDirectory()) {
      mergeDirectoryInto(src, dst);
      chownSync(dst, s.uid, s.gid);
      chmodSync(dst, s.mode & 0o7777);
      continue;
    }
    if (d !== null) rmSync(dst, { recursive: true, force: true });
    renameSync(src, dst);
  }
}
