/**
 * Bringing what a sandboxed command changed on an overlay view of a tree (tree-overlay.ts) back
 * into the tree itself, without ever writing an inode of the tree in place: the tree's files are
 * hardlinks to the repository's objects, shared with every deployment of the base commit.
 *
 * overlayfs keeps each change in its upper directory: a new or modified file, link or directory
 * as a whole new entry (a modified base file is a copy made by overlayfs before the write —
 * "copy-up"); a removed entry as a whiteout (a character device 0:0); a directory that replaced
 * one of the tree as "opaque" (xattr trusted.overlay.opaque = y). So, for each upper entry:
 * - a whiteout: the tree's entry is removed (a hardlink's name goes, its inode is untouched);
 * - a directory over a directory of the tree, not opaque: merged recursively, then the upper
 *   directory's mode, owner and extended attributes are given to the tree's (the checkout's
 *   directories are its own, never the repository's);
 * - anything else (a file, link, opaque or new directory): renamed over the tree's entry,
 *   which only replaces a directory entry (a directory of the tree in the way is removed first).
 * overlayfs's own attributes (trusted.overlay.*) are stripped from whatever is merged: ostree
 * commits extended attributes. Nothing is followed: every look is an lstat, and renames and
 * removals act on the entry, never on where a link points — a script may have planted links.
 * Nothing runs in the tree or the upper directory any more when this runs (the sandbox and its
 * mount namespace are gone).
 */
import { chmodSync, lchownSync, lstatSync, readdirSync, renameSync, rmSync, unlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { lstatOrNull } from './in-tree.js';
import { getXattr, listXattrs, readXattrs, removeXattr, setXattr } from './xattrs.js';

const OVERLAY_XATTR = /^trusted\.overlay\./;

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function isOpaque(dir: string): boolean {
  return getXattr(dir, 'trusted.overlay.opaque')?.toString('latin1') === 'y';
}

/** Removes overlayfs's attributes from `path` (the entry itself). */
function stripOverlayXattrs(path: string): void {
  for (const name of listXattrs(path)) if (OVERLAY_XATTR.test(name)) removeXattr(path, name);
}

/** An entry moved whole into the tree: overlayfs's attributes off it and, in a directory, off everything below (whiteouts there mean nothing and go). */
function cleanMoved(path: string, st: Stats): void {
  stripOverlayXattrs(path);
  if (!st.isDirectory()) return;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    const cst = lstatSync(child);
    if (isWhiteout(cst)) unlinkSync(child);
    else cleanMoved(child, cst);
  }
}

/**
 * Gives `to` (a real directory of the tree) the mode, owner and extended attributes of `from`
 * (its upper directory), overlayfs's own attributes left out.
 */
export function copyDirectoryMetadata(from: string, to: string): void {
  const st = lstatSync(from);
  const now = lstatSync(to);
  if (now.uid !== st.uid || now.gid !== st.gid) lchownSync(to, st.uid, st.gid);
  // After the owner: chown may clear set-id bits.
  if ((lstatSync(to).mode & 0o7777) !== (st.mode & 0o7777)) chmodSync(to, st.mode & 0o7777);
  const want = readXattrs(from);
  for (const name of want.keys()) if (OVERLAY_XATTR.test(name)) want.delete(name);
  const have = readXattrs(to);
  for (const name of have.keys()) if (!want.has(name)) removeXattr(to, name);
  for (const [name, value] of want) {
    const old = have.get(name);
    if (old === undefined || !old.equals(value)) setXattr(to, name, value);
  }
}

function mergeDirectory(upper: string, tree: string): void {
  for (const name of readdirSync(upper)) {
    const u = join(upper, name);
    const t = join(tree, name);
    const su = lstatSync(u);
    const st = lstatOrNull(t);
    if (isWhiteout(su)) {
      if (st !== null) rmSync(t, { recursive: true, force: true });
      continue;
    }
    if (su.isDirectory() && st?.isDirectory() === true && !isOpaque(u)) {
      mergeDirectory(u, t);
      copyDirectoryMetadata(u, t);
      continue;
    }
    // rename() replaces a file or link by anything but a directory, and a directory by nothing.
    if (st !== null && (st.isDirectory() || su.isDirectory())) rmSync(t, { recursive: true, force: true });
    renameSync(u, t);
    cleanMoved(t, su);
  }
}

/** Merges overlayfs's upper directory `upper` into `tree` (the overlay's lower directory), the root's own metadata included. */
export function mergeOverlayUpper(upper: string, tree: string): void {
  mergeDirectory(upper, tree);
  copyDirectoryMetadata(upper, tree);
}
