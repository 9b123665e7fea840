/**
 * A snapshot of a repository's refs by plain file-system reads (no libostree: the daemon
 * takes one before every transaction and it must cost well under a millisecond), and the
 * restoration of such a snapshot after a cancelled or crashed transaction.
 *
 * Layout (ostree-repo-refs.c): `refs/heads/<ref>` and `refs/remotes/<remote>/<ref>`, each a
 * file holding a 64-hex checksum and a newline. Keys are `<ref>` and `<remote>:<ref>`, the
 * refspec spelling. Collection refs (`refs/mirrors/`) are not used by apt-ostree.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Refspec (`ref` or `remote:ref`) → commit checksum. */
export interface RefSnapshot {
  [ref: string]: string;
}

const CHECKSUM = /^[0-9a-f]{64}$/;

/**
 * libostree's deployment refs (`ostree/<bootversion>/<subbootversion>/<index>`): cleanup
 * regenerates them from the boot list, so they are never restored by hand.
 */
function isDeploymentRef(ref: string): boolean {
  return /^ostree\/\d+\/\d+\/\d+$/.test(ref);
}

function walk(dir: string, prefix: string, out: RefSnapshot, keyOf: (rel: string) => string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // missing directory: no refs there
  }
  for (const e of entries) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) walk(join(dir, e.name), rel, out, keyOf);
    else if (e.isFile()) {
      let text: string;
      try {
        text = readFileSync(join(dir, e.name), 'utf8').trim();
      } catch {
        continue; // removed while walking
      }
      if (CHECKSUM.test(text)) out[keyOf(rel)] = text;
    }
  }
}

/** Every ref of the repository at `repoPath` (heads and remote refs). */
export function readRefs(repoPath: string): RefSnapshot {
  const out: RefSnapshot = {};
  walk(join(repoPath, 'refs', 'heads'), '', out, (rel) => rel);
  let remotes: string[] = [];
  try {
    remotes = readdirSync(join(repoPath, 'refs', 'remotes'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    // no remote refs
  }
  for (const remote of remotes) {
    walk(join(repoPath, 'refs', 'remotes', remote), '', out, (rel) => `${remote}:${rel}`);
  }
  return out;
}

/** The file of ref `key` and the directory its ref hierarchy starts at. */
function refPath(repoPath: string, key: string): { path: string; top: string } {
  const colon = key.indexOf(':');
  const top = colon < 0 ? join(repoPath, 'refs', 'heads') : join(repoPath, 'refs', 'remotes', key.slice(0, colon));
  return { path: join(top, colon < 0 ? key : key.slice(colon + 1)), top };
}

/** Removes the directories a deleted ref leaves empty, from `dir` up to (excluding) `stop`. */
function pruneEmptyDirs(dir: string, stop: string): void {
  while (dir.startsWith(stop + '/') && dir !== stop) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty (or gone)
    }
    dir = dirname(dir);
  }
}

/**
 * Puts every ref back to `before`: changed refs are rewritten (atomically: temporary file
 * and rename, as libostree writes them), refs that did not exist are deleted, deleted ones
 * recreated. Deployment refs are left to cleanup. Returns the refspecs it changed, sorted.
 * The caller holds the sysroot lock; no libostree object may be writing refs meanwhile.
 */
export function restoreRefs(repoPath: string, before: RefSnapshot): string[] {
  const now = readRefs(repoPath);
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(now), ...Object.keys(before)])) {
    if (isDeploymentRef(key) || now[key] === before[key]) continue;
    const { path, top } = refPath(repoPath, key);
    const want = before[key];
    if (want === undefined) {
      unlinkSync(path);
      pruneEmptyDirs(dirname(path), top);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.apt-ostree-restore-${process.pid}`;
      writeFileSync(tmp, `${want}\n`);
      renameSync(tmp, path);
    }
    changed.push(key);
  }
  return changed.sort();
}
