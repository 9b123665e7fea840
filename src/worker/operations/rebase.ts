/**
 * OS.Rebase: the default deployment follows another branch (of the same or another remote)
 * from now on: pull it, deploy its tip (or a given commit) with the origin switched.
 */
import { PullFlags } from '../../backends/ostree/write/ffi.js';
import { parseRefspec } from '../../backends/ostree/write/session.js';
import { OperationError, type OperationContext, type OperationResult } from '../operation-context.js';
import { deployCommit, stopBefore, type StopOptions } from '../steps/deploy-commit.js';
import { followedBranch, requireCommit, requireDefault } from '../steps/deployment-lookup.js';
import { pullWithProgress } from '../steps/pull-progress.js';
import { withSysroot } from '../steps/sysroot-session.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';
import { comparedDeployment, recordUpdate } from '../steps/update-check.js';
import { adjustLayering, type LayeringAdjustments } from '../steps/layering-adjustments.js';
import { ApiError } from '../../api/errors.js';
import { refuseIfLayeringLocked } from '../prechecks.js';

export async function rebase(ctx: OperationContext, params: ParamsOf<'OS.Rebase'> & StopOptions & LayeringAdjustments): Promise<OperationResult> {
  return withSysroot(ctx, async (session) => {
    const base = requireDefault(session, ctx.osname);
    const current = followedBranch(session, base, 'rebase');
    // rpm-ostree's `rebase REFSPEC --install PKG`: the layered set grows.
    const kept = adjustLayering(current, params);
    const requested = [...new Set([...kept.requested, ...(params.packages ?? [])])];
    const asked = parseRefspec(params.refspec);
    // `rebase REF` keeps the current remote, as rpm-ostree does.
    const remote = asked.remote ?? current.remote;
    const refspec = remote === null ? asked.ref : `${remote}:${asked.ref}`;
    if (refspec === current.refspec && params.revision === undefined && requested.length === current.requested.length) {
      return { changed: false, deployment: null, message: `Already on ${refspec}` };
    }
    if (remote !== null && params.cacheOnly !== true) {
      ctx.emit({ type: 'Message', text: `Fetching ${refspec}` });
      // An unknown remote or branch fails here, before any ref or deployment changes.
      await pullWithProgress(
        ctx,
        session.repoPath,
        {
          remote,
          refs: [asked.ref],
          ...(params.revision !== undefined ? { overrideCommitIds: [params.revision] } : {}),
          // A dry run or a preview needs the commit object only.
          ...(params.dryRun === true || params.check === true ? { flags: PullFlags.COMMIT_ONLY } : {}),
        },
        params.dryRun === true || params.check === true ? 'Receiving commit metadata' : 'Receiving objects',
      );
    }
    const tip = session.resolveRev(refspec);
    if (tip === null) {
      throw new OperationError('Failed', `${refspec} does not exist in the ${params.cacheOnly === true ? 'local ' : ''}repository`);
    }
    const target = requireCommit(session, params.revision ?? tip, params.dryRun !== true && params.check !== true);
    // A preview (rpm-ostree's DownloadRebaseRpmDiff): the dpkg database and the diff only.
    if (params.check === true) {
      return recordUpdate(ctx, session, current, target, comparedDeployment(session, ctx.osname, base), {
        kind: 'rebase',
        asked: params.refspec,
        remote: params.cacheOnly === true ? null : remote,
        origin: refspec,
      });
    }
    const stop = stopBefore(target, `rebase to ${refspec}:`, params);
    if (stop !== null) return stop;
    return deployCommit(ctx, session, {
      lockFinalization: params.lockFinalization,
      target,
      base,
      baseOriginText: current.originText,
      layering: { refspec, requested, local: kept.local, overrides: kept.overrides, initramfs: kept.initramfs },
      overrideCommit: params.revision ?? null,
      verb: `Rebased to ${refspec}:`,
    });
  });
}

/** A revision given to rebase must be a commit checksum: a version needs the new branch's history. */
export function refuseRebaseToVersion(revision: string | undefined): void {
  if (revision !== undefined && !/^[0-9a-f]{64}$/.test(revision)) {
    throw new ApiError('Failed', 'Rebase to a version is not supported; give a commit checksum');
  }
}

export default defineOperation({
  method: 'OS.Rebase',
  title: (p) => `rebase ${p.check === true ? '--preview ' : ''}${p.refspec}`,
  precheck: (ctx, p) => {
    refuseIfLayeringLocked(ctx, p.packages);
    refuseRebaseToVersion(p.revision);
  },
  run: rebase,
});
