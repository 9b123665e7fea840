/**
 * Paths inside a tree that maintainer scripts (or a tree's own initramfs generator) have had
 * their hands on. Any directory of such a tree may have been replaced by a symbolic link — to
 * `/etc`, to a host directory — and the daemon, which works on the tree from outside any
 * sandbox, would follow it. So every path the daemon writes, renames or removes in a tree after
 * scripts ran goes through here: each component below the tree is checked with lstat (never
 * followed) and must be a real directory, and the last one is looked at without following it.
 * The checks hold because nothing runs in the tree any more when they are made: the sandbox
 * is gone (its PID namespace ends with it), and the tree's parent belongs to the daemon.
 */
import { lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** A path of the tree is not what a tree has there: a symbolic link or another kind of file. */
export class PlantedPathError extends Error {
  constructor(
    /** Relative to the tree, e.g. `usr/share/factory/var`. */
    readonly path: string,
    /** What was found there instead. */
    readonly found: string,
  ) {
    super(`${path} in the tree is ${found}`);
  }
}

function describe(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  return 'a special file';
}

/** lstat, or null when nothing is there. */
export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function components(rel: string): string[] {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`Not a path inside the tree: ${rel}`);
  return parts;
}

/**
 * The lstat of `rel` in `tree` (null when absent), every directory on the way there checked to
 * be a real directory: the answer is about the tree, never about where a link points.
 */
export function lstatInTree(tree: string, rel: string): Stats | null {
  const parts = components(rel);
  let path = tree;
  for (const [i, part] of parts.entries()) {
    path = join(path, part);
    const st = lstatOrNull(path);
    if (i === parts.length - 1) return st;
    if (st === null) return null;
    if (!st.isDirectory()) throw new PlantedPathError(parts.slice(0, i + 1).join('/'), describe(st));
  }
  return lstatOrNull(tree);
}

/** `tree/rel`, checked to be a real directory all the way (not a link to one). */
export function directoryInTree(tree: string, rel: string): string {
  const st = lstatInTree(tree, rel);
  if (st === null) throw new PlantedPathError(rel, 'missing');
  if (!st.isDirectory()) throw new PlantedPathError(rel, describe(st));
  return join(tree, rel);
}

/** `tree/rel`, checked to be absent, its parent directories real. */
export function absentInTree(tree: string, rel: string): string {
  const st = lstatInTree(tree, rel);
  if (st !== null) throw new PlantedPathError(rel, describe(st));
  return join(tree, rel);
}

/** `tree/rel` when it is a regular file (its parents real directories), null when absent. */
export function regularFileInTree(tree: string, rel: string): string | null {
  const st = lstatInTree(tree, rel);
  if (st === null) return null;
  if (!st.isFile()) throw new PlantedPathError(rel, describe(st));
  return join(tree, rel);
}
