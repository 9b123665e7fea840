/**
 * `Upgrade {check}` once the new tip's commit object is local (rpm-ostree's `upgrade --check`
 * / `--preview`): fetch only the new commit's dpkg database (a `subdirs` pull; the commit stays
 * partial until a real upgrade completes it), diff it against the base packages of the booted
 * (else default) deployment, and keep the result in the state dir as the cached update.
 */
import { diffPackages } from '../../backends/dpkg/package-diff.js';
import { DPKG_STATUS, installedPackages, type InstalledPackage } from '../../backends/dpkg/status-file.js';
import { readCommitFile } from '../../backends/ostree/commit-file.js';
import type { CommitNode } from '../../backends/ostree/write/history.js';
import type { DeploymentRef, SysrootSession } from '../../backends/ostree/write/session.js';
import { clearCachedUpdate, publicCachedUpdate, writeCachedUpdate } from '../../services/cached-update-file.js';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { commitLabel } from './format.js';
import { followedBranch, type FollowedBranch } from './deployment-lookup.js';
import { pullWithProgress } from './pull-progress.js';

/** The deployment an update is compared with: the booted one of the OS, else its default. */
export function comparedDeployment(session: SysrootSession, osname: string, fallback: DeploymentRef): DeploymentRef {
  const booted = session.booted();
  return booted !== null && booted.osname === osname ? booted : fallback;
}

async function commitPackages(repoPath: string, checksum: string): Promise<InstalledPackage[]> {
  try {
    return installedPackages((await readCommitFile(repoPath, checksum, DPKG_STATUS)).toString());
  } catch {
    return []; // a tree without a dpkg database
  }
}

/** No update: the cached one (if any) is dropped. */
export function noUpdate(ctx: OperationContext): OperationResult {
  clearCachedUpdate(ctx.config.stateDir, ctx.osname);
  return { changed: false, deployment: null, message: 'No upgrade available.', cachedUpdate: null };
}

/** Fetches the dpkg database of `target`, records and returns the cached update. */
export async function recordUpdate(
  ctx: OperationContext,
  session: SysrootSession,
  branch: FollowedBranch,
  target: CommitNode,
  against: DeploymentRef,
  preview?: { kind: 'deploy' | 'rebase'; asked: string; remote: string | null; origin: string },
): Promise<OperationResult> {
  const remote = preview === undefined ? branch.remote : preview.remote;
  if (remote !== null) {
    await pullWithProgress(
      ctx,
      session.repoPath,
      { remote, refs: [target.checksum], subdirs: [DPKG_STATUS.replace(/\/status$/, '')] },
      'Receiving the package database',
    );
  }
  const againstBase = followedBranch(session, against, 'check').baseChecksum;
  const [before, after] = await Promise.all([commitPackages(session.repoPath, againstBase), commitPackages(session.repoPath, target.checksum)]);
  const record = {
    osname: ctx.osname,
    origin: preview?.origin ?? branch.refspec,
    checksum: target.checksum,
    version: target.version,
    timestamp: target.timestamp,
    checkedAt: new Date().toISOString(),
    packageDiff: diffPackages(before, after),
    against: against.id,
    packages: after,
    ...(preview === undefined ? {} : { asked: preview.asked }),
  };
  writeCachedUpdate(ctx.config.stateDir, record, preview?.kind ?? 'update');
  const n = record.packageDiff.length;
  const what = preview === undefined ? 'Update available:' : `Preview of the ${preview.kind} to`;
  return {
    changed: false,
    deployment: null,
    message: `${what} ${commitLabel(target)}; ${n} package change${n === 1 ? '' : 's'}.`,
    cachedUpdate: publicCachedUpdate(record),
  };
}
