/**
 * OS.Upgrade: pull the branch the default deployment follows and deploy its new tip, with
 * rpm-ostree's semantics: "no upgrade available" is a normal result, an older tip is refused
 * unless allowDowngrade (checked by libostree before any content is fetched), downloadOnly
 * stops after the pull.
 */
import { PullFlags } from '../../backends/ostree/write/ffi.js';
import { loadCommitNode, type CommitNode } from '../../backends/ostree/write/history.js';
import { OstreeCallError } from '../../backends/ostree/write/errors.js';
import type { SysrootSession } from '../../backends/ostree/write/session.js';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { comparedDeployment, noUpdate, recordUpdate } from '../steps/update-check.js';
import { OperationError } from '../operation-context.js';
import { commitLabel } from '../steps/format.js';
import { deployCommit } from '../steps/deploy-commit.js';
import { downgradeError, pullWithProgress } from '../steps/pull-progress.js';
import { followedBranch, requireCommit, requireDefault } from '../steps/deployment-lookup.js';
import { withSysroot } from '../steps/sysroot-session.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';
import { adjustLayering, type LayeringAdjustments } from '../steps/layering-adjustments.js';

/** libostree's timestamp-check refusal: `Upgrade target revision 'NEW' ... current revision 'OLD'`. */
const TIMESTAMP_REFUSAL = /Upgrade target revision '([0-9a-f]{64})'.* is chronologically older than current revision '([0-9a-f]{64})'/;

/** Upgrades the context's OS to the newest commit of the branch its default deployment follows. */
export async function upgrade(ctx: OperationContext, params: ParamsOf<'OS.Upgrade'> & LayeringAdjustments = {}): Promise<OperationResult> {
  const allowDowngrade = params.allowDowngrade ?? false;
  return withSysroot(ctx, async (session) => {
    const base = requireDefault(session, ctx.osname);
    const branch = followedBranch(session, base, 'upgrade');
    // A layered deployment upgrades its base; the packages are layered again onto the new one.
    const current = loadCommitNode(session.repo, branch.baseChecksum);
    const refBefore = session.resolveRev(branch.refspec);

    if (params.cacheOnly === true) {
      ctx.emit({ type: 'Message', text: `Using ${branch.refspec} as the local repository has it (cacheOnly)` });
    } else if (branch.remote !== null) {
      ctx.emit({ type: 'Message', text: `Fetching ${branch.refspec}` });
      try {
        await pullWithProgress(
          ctx,
          session.repoPath,
          {
            remote: branch.remote,
            refs: [branch.ref],
            flags: params.check ? PullFlags.COMMIT_ONLY : PullFlags.NONE,
            // Refused before any content is fetched, and the ref is left alone.
            timestampCheckFromRev: allowDowngrade || current === null ? undefined : branch.baseChecksum,
          },
          params.check ? 'Receiving commit metadata' : 'Receiving objects',
        );
      } catch (e) {
        const m = e instanceof OstreeCallError ? TIMESTAMP_REFUSAL.exec(e.detail) : null;
        if (m !== null && current !== null) throw await refusal(ctx, session, branch.remote, current, m[1]);
        throw e;
      }
    } else {
      ctx.emit({ type: 'Message', text: `${branch.refspec} is a local branch: nothing to download` });
    }

    const tip = session.resolveRev(branch.refspec);
    if (tip === null) throw new OperationError('Failed', `${branch.refspec} does not exist in the repository`);
    if (tip === branch.baseChecksum) {
      return params.check ? noUpdate(ctx) : { changed: false, deployment: null, message: 'No upgrade available.' };
    }

    const target = requireCommit(session, tip, params.cacheOnly === true && !params.check);
    if (!allowDowngrade && current !== null && target.timestamp < current.timestamp) {
      // Reached when the older commit was already local (or the branch is local): keep the
      // ref where it was, as libostree's check does.
      if (refBefore !== tip) session.setRef(branch.refspec, refBefore);
      throw downgradeError(current, target);
    }
    if (params.check) return recordUpdate(ctx, session, branch, target, comparedDeployment(session, ctx.osname, base));
    if (params.downloadOnly) {
      return {
        changed: false,
        deployment: null,
        message: `Downloaded ${commitLabel(target)} of ${branch.refspec}; not deployed (downloadOnly).`,
      };
    }
    return deployCommit(ctx, session, {
      layering: { refspec: branch.refspec, ...adjustLayering(branch, params) },
      lockFinalization: params.lockFinalization,
      target,
      base,
      baseOriginText: branch.originText,
      overrideCommit: null,
      verb: 'Upgraded to',
    });
  });
}

/**
 * The downgrade error for libostree's refusal of commit `older`. libostree refuses before
 * storing the commit, so its version is fetched (commit object only, no ref moves) to name it.
 */
async function refusal(ctx: OperationContext, session: SysrootSession, remote: string, current: CommitNode, older: string): Promise<OperationError> {
  let target = loadCommitNode(session.repo, older);
  if (target === null) {
    try {
      await pullWithProgress(ctx, session.repoPath, { remote, refs: [older], flags: PullFlags.COMMIT_ONLY }, 'Receiving commit metadata');
      target = loadCommitNode(session.repo, older);
    } catch {
      // Named by checksum only, below.
    }
  }
  return target !== null
    ? downgradeError(current, target)
    : new OperationError('Failed', `Refusing to downgrade from ${commitLabel(current)} to the older commit ${older}; pass allowDowngrade to allow it`);
}

export default defineOperation({
  method: 'OS.Upgrade',
  title: (p) =>
    ['upgrade', p.downloadOnly === true ? '--download-only' : '', p.allowDowngrade === true ? '--allow-downgrade' : ''].filter((w) => w !== '').join(' '),
  run: upgrade,
});
