/**
 * Recovery after a worker was killed (Cancel) or the daemon crashed mid-transaction: refs go
 * back to their snapshot, the transaction's temporary files go, and the equivalent of
 * `ostree admin cleanup` removes what libostree wrote outside the boot list (a deployment
 * directory deploy_tree made before the kill) and prunes the repository.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupSysroot } from '../backends/ostree/write/deployment-writer.js';
import { readRefs, restoreRefs, type RefSnapshot } from '../backends/ostree/write/ref-snapshot.js';
import { SysrootSession } from '../backends/ostree/write/session.js';

export { readRefs, type RefSnapshot };

/** What {@link recover} did (a type alias, not an interface: it travels as a plain record). */
export type RecoverResult = {
  /** Refspecs set back, recreated or deleted, sorted. */
  restoredRefs: string[];
  /** Absolute paths removed: temporary files of the transaction(s), then deployment directories. */
  removed: string[];
};

/** Deployment directories (`ostree/deploy/OS/deploy/CSUM.SERIAL`) present now. */
function deploymentDirs(sysroot: string): string[] {
  const base = join(sysroot, 'ostree', 'deploy');
  const out: string[] = [];
  let stateroots: string[] = [];
  try {
    stateroots = readdirSync(base);
  } catch {
    return out;
  }
  for (const os of stateroots) {
    try {
      for (const e of readdirSync(join(base, os, 'deploy'), { withFileTypes: true })) {
        if (e.isDirectory() && /^[0-9a-f]{64}\.\d+$/.test(e.name)) out.push(join(base, os, 'deploy', e.name));
      }
    } catch {
      // a stateroot without deploy/
    }
  }
  return out;
}

/**
 * Under the sysroot lock: restores every ref to `refsBefore` (when given; libostree's
 * `ostree/B/S/N` deployment refs excepted, cleanup regenerates them), removes
 * `<repo>/tmp/apt-ostree-<transactionId>-*` (every `apt-ostree-*` when `transactionId` is
 * null), then cleans up like `ostree admin cleanup`.
 */
export async function recover(sysroot: string, refsBefore: RefSnapshot | null, transactionId: string | null): Promise<RecoverResult> {
  const session = await SysrootSession.open(sysroot);
  try {
    const repo = session.repoPath;
    const restoredRefs = refsBefore === null ? [] : restoreRefs(repo, refsBefore);

    const removed: string[] = [];
    const prefix = transactionId === null ? 'apt-ostree-' : `apt-ostree-${transactionId}-`;
    let tmpEntries: string[] = [];
    try {
      tmpEntries = readdirSync(join(repo, 'tmp'));
    } catch {
      // no tmp/
    }
    for (const name of tmpEntries.filter((n) => n.startsWith(prefix)).sort()) {
      const path = join(repo, 'tmp', name);
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    }

    const dirsBefore = deploymentDirs(sysroot);
    cleanupSysroot(session);
    const dirsAfter = new Set(deploymentDirs(sysroot));
    removed.push(...dirsBefore.filter((d) => !dirsAfter.has(d)));
    return { restoredRefs, removed };
  } finally {
    session.close();
  }
}
