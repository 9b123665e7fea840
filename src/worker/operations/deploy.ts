/**
 * OS.Deploy {revision}: deploy one commit of the branch the default deployment follows,
 * named by checksum or by its `version` metadata, as `rpm-ostree deploy` does: the branch's
 * history is walked from the remote's tip (commit objects are fetched in growing batches),
 * and the commit must be in it. Like rpm-ostree, an older commit is accepted unless
 * `allowDowngrade` is explicitly false (rpm-ostree's `deploy` defaults to allowing
 * downgrades; `--disallow-downgrade` turns that off). The new deployment's origin records
 * `override-commit`, so a later upgrade moves it back to the branch tip.
 */
import { PullFlags } from '../../backends/ostree/write/ffi.js';
import { findInHistory, loadCommitNode, type CommitNode } from '../../backends/ostree/write/history.js';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { OperationError } from '../operation-context.js';
import { commitLabel } from '../steps/format.js';
import { deployCommit, stopBefore, type StopOptions } from '../steps/deploy-commit.js';
import { downgradeError, pullWithProgress } from '../steps/pull-progress.js';
import { followedBranch, requireDefault } from '../steps/deployment-lookup.js';
import { withSysroot } from '../steps/sysroot-session.js';
import { parseRevision } from '../steps/revision.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';
import { comparedDeployment, recordUpdate } from '../steps/update-check.js';
import { adjustLayering, type LayeringAdjustments } from '../steps/layering-adjustments.js';

/** Deploys the commit `params.revision` of the default deployment's branch. */
export async function deploy(ctx: OperationContext, params: ParamsOf<'OS.Deploy'> & StopOptions & LayeringAdjustments): Promise<OperationResult> {
  const revision = parseRevision(params.revision);
  const allowDowngrade = params.allowDowngrade ?? true;
  return withSysroot(ctx, async (session) => {
    const base = requireDefault(session, ctx.osname);
    const branch = followedBranch(session, base, 'deploy a revision of');
    const current = loadCommitNode(session.repo, branch.baseChecksum);
    // cacheOnly: resolve and deploy from the local repository alone.
    const remote = params.cacheOnly === true ? null : branch.remote;

    // The newest commit of the branch: the remote's tip when there is a remote.
    if (remote !== null) {
      ctx.emit({ type: 'Message', text: `Fetching the tip of ${branch.refspec}` });
      await pullWithProgress(ctx, session.repoPath, { remote, refs: [branch.ref], flags: PullFlags.COMMIT_ONLY }, 'Receiving commit metadata');
    }
    const tip = session.resolveRev(branch.refspec);
    if (tip === null) throw new OperationError('Failed', `${branch.refspec} does not exist in the repository`);

    const wanted = revision.value;
    /** skipBranchCheck: the commit itself, wherever it is (rpm-ostree's skip-branch-check). */
    const commitByChecksum = async (): Promise<CommitNode | null> => {
      const local = loadCommitNode(session.repo, wanted);
      if (local !== null || remote === null) return local;
      await pullWithProgress(ctx, session.repoPath, { remote, refs: [wanted], flags: PullFlags.COMMIT_ONLY }, 'Receiving commit metadata');
      return loadCommitNode(session.repo, wanted);
    };
    ctx.emit({
      type: 'Message',
      text:
        revision.kind === 'version'
          ? `Resolving version '${wanted}' in the history of ${branch.refspec}`
          : params.skipBranchCheck === true
            ? `Looking up commit '${wanted}' (any branch)`
            : `Validating checksum '${wanted}' in the history of ${branch.refspec}`,
    });
    const target =
      params.skipBranchCheck === true && revision.kind === 'checksum'
        ? await commitByChecksum()
        : await findInHistory({
            repo: session.repo,
            start: tip,
            match: (c) => (revision.kind === 'version' ? c.version === wanted : c.checksum === wanted),
            fetch:
              remote === null
                ? null
                : (checksum, depth) =>
                    pullWithProgress(ctx, session.repoPath, { remote, refs: [checksum], flags: PullFlags.COMMIT_ONLY, depth }, 'Receiving commit metadata'),
          });
    if (target === null) {
      throw new OperationError(
        'Failed',
        revision.kind === 'version'
          ? `No commit with version ${wanted} in the history of ${branch.refspec}`
          : params.skipBranchCheck === true
            ? `Commit ${wanted} is not in the repository${remote === null ? '' : ` nor on ${remote}`}`
            : `Commit ${wanted} is not in the history of ${branch.refspec} (skipBranchCheck deploys a commit of another branch)`,
      );
    }
    if (target.checksum === branch.baseChecksum) {
      return { changed: false, deployment: null, message: `No change: ${commitLabel(target)} is already the default deployment.` };
    }
    if (!allowDowngrade && current !== null && target.timestamp < current.timestamp) {
      throw downgradeError(current, target);
    }

    // A preview (rpm-ostree's DownloadDeployRpmDiff): the dpkg database and the diff only.
    if (params.check === true) {
      return recordUpdate(ctx, session, branch, target, comparedDeployment(session, ctx.osname, base), {
        kind: 'deploy',
        asked: params.revision,
        remote,
        origin: branch.refspec,
      });
    }
    const dry = stopBefore(target, 'deploy', { dryRun: params.dryRun });
    if (dry !== null) return dry;
    let full: CommitNode = target;
    if (target.partial) {
      if (remote === null) {
        const why = params.cacheOnly === true ? '; it cannot be deployed without fetching (cacheOnly)' : '';
        throw new OperationError('Failed', `Commit ${commitLabel(target)} is only partly in the repository${why}`);
      }
      // By checksum: fetches the content without moving any ref.
      await pullWithProgress(ctx, session.repoPath, { remote, refs: [target.checksum] });
      full = loadCommitNode(session.repo, target.checksum) ?? target;
      if (full.partial) throw new OperationError('Failed', `Commit ${target.checksum} is still incomplete after the pull`);
    }
    const downloaded = stopBefore(full, 'deploy', { downloadOnly: params.downloadOnly });
    if (downloaded !== null) return downloaded;
    return deployCommit(ctx, session, {
      layering: { refspec: branch.refspec, ...adjustLayering(branch, params) },
      lockFinalization: params.lockFinalization,
      target: full,
      base,
      baseOriginText: branch.originText,
      overrideCommit: full.checksum,
      verb: 'Deployed',
    });
  });
}

export default defineOperation({
  method: 'OS.Deploy',
  title: (p) => `deploy ${p.check === true ? '--preview ' : ''}${p.revision}`,
  run: deploy,
});
