/**
 * The file-level difference between two deployment trees on disk, under one top-level
 * directory (usr). Deployments are hard-link checkouts of one repository, so a file both
 * trees share is the same inode: comparing inodes is exact and reads no content. Directories
 * are compared by mode and owner, symbolic links by target.
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export interface TreeDiff {
  /** Paths (relative to the tree root, e.g. `usr/bin/hello`) only `to` has; a directory before what it holds. */
  added: string[];
  /** Paths both have, different (content, mode, owner, kind). */
  changed: string[];
  /** Paths only `from` has; what a directory holds before the directory. */
  removed: string[];
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function same(a: Stats, b: Stats, pa: string, pb: string): boolean {
  if (a.isDirectory() && b.isDirectory()) return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;
  if (a.isSymbolicLink() && b.isSymbolicLink()) return a.uid === b.uid && a.gid === b.gid && readlinkSync(pa) === readlinkSync(pb);
  return a.dev === b.dev && a.ino === b.ino;
}

/** Every path under `rel` of `root`, parents first. */
function walk(root: string, rel: string, out: string[]): void {
  out.push(rel);
  const st = lstatOrNull(join(root, rel));
  if (st === null || !st.isDirectory()) return;
  for (const name of readdirSync(join(root, rel)).sort()) walk(root, `${rel}/${name}`, out);
}

/** `from` → `to` under `top` (a directory name of both roots). */
export function diffTrees(fromRoot: string, toRoot: string, top: string): TreeDiff {
  const diff: TreeDiff = { added: [], changed: [], removed: [] };
  const visit = (rel: string): void => {
    const a = lstatOrNull(join(fromRoot, rel));
    const b = lstatOrNull(join(toRoot, rel));
    if (b === null) {
      if (a !== null) {
        const gone: string[] = [];
        walk(fromRoot, rel, gone);
        diff.removed.push(...gone.reverse());
      }
      return;
    }
    if (a === null) {
      walk(toRoot, rel, diff.added);
      return;
    }
    const bothDirs = a.isDirectory() && b.isDirectory();
    if (!same(a, b, join(fromRoot, rel), join(toRoot, rel))) {
      if (!bothDirs) {
        // A kind change (file ↔ directory ↔ link): the old one goes, the new one comes.
        if (a.isDirectory() || b.isDirectory()) {
          const gone: string[] = [];
          walk(fromRoot, rel, gone);
          diff.removed.push(...gone.reverse());
          walk(toRoot, rel, diff.added);
          return;
        }
      }
      diff.changed.push(rel);
    }
    if (!bothDirs) return;
    const names = new Set([...readdirSync(join(fromRoot, rel)), ...readdirSync(join(toRoot, rel))]);
    for (const name of [...names].sort()) visit(`${rel}/${name}`);
  };
  visit(top);
  return diff;
}
