/**
 * OS.Rollback: make the rollback deployment the default by rewriting the boot list in a new
 * order (2022.7 has no set-default), as rpm-ostree's rollback does. Roles (docs/design-decisions.md):
 * booted into the OS → the first deployment of the OS after the booted one; when there is
 * none but a pending deployment exists, the booted deployment goes back on top (undoing an
 * upgrade, as rpm-ostree does); not booted → the OS's second deployment.
 */
import { writeDeploymentList } from '../../backends/ostree/write/deployment-writer.js';
import { loadCommitNode } from '../../backends/ostree/write/history.js';
import type { DeploymentRef } from '../../backends/ostree/write/session.js';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { OperationError } from '../operation-context.js';
import { cleanupAfterWrite } from '../steps/deploy-commit.js';
import { commitLabel } from '../steps/format.js';
import { task } from '../steps/task.js';
import { withSysroot } from '../steps/sysroot-session.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';
import { ApiError } from '../../api/errors.js';

/** Makes the rollback deployment of the context's OS the default one. */
export async function rollback(ctx: OperationContext, _params?: ParamsOf<'OS.Rollback'>): Promise<OperationResult> {
  return withSysroot(ctx, async (session) => {
    const all = session.deployments();
    const ours = all.filter((d) => d.osname === ctx.osname);
    const booted = session.booted();
    let target: DeploymentRef | null;
    if (booted !== null && booted.osname === ctx.osname) {
      const at = ours.findIndex((d) => d.id === booted.id);
      const pending = at > 0 ? ours[0] : null;
      if (pending?.staged) {
        // Not first in the new list, so libostree drops it (and its /run/ostree record).
        ctx.emit({ type: 'Message', text: `Dropping the staged deployment ${pending.id}` });
      }
      target = ours[at + 1] ?? (pending !== null ? booted : null);
    } else {
      target = ours[1] ?? null;
    }
    if (target === null) throw new OperationError('NothingToRollback', 'No rollback deployment found');

    const chosen = target;
    const commit = loadCommitNode(session.repo, chosen.checksum);
    const version = commit?.version ?? null;
    ctx.emit({
      type: 'Message',
      text: `Moving ${chosen.id}${version === null ? '' : ` (version ${version})`} to be the first deployment`,
    });
    const order = [chosen, ...all.filter((d) => d.id !== chosen.id)].map((d) => d.ptr);

    await ctx.pointOfNoReturn();
    await task(ctx, 'Writing the boot configuration', () => writeDeploymentList(session, order));
    // No deployment was removed, so nothing to prune: drop the old boot version and
    // regenerate the deployment refs only.
    await cleanupAfterWrite(ctx, session, false);
    return {
      changed: true,
      deployment: chosen.id,
      message: `Rolled back to ${commit === null ? chosen.id : commitLabel(commit)}; it is the default deployment now`,
    };
  });
}

export default defineOperation({
  method: 'OS.Rollback',
  title: () => 'rollback',
  // The same choice as above, on the daemon's view: no deployment after the booted (or the
  // default) one, and no pending one to undo.
  precheck: (ctx) => {
    if (ctx.idle && ctx.roles.rollback === null && ctx.roles.pending === null) {
      throw new ApiError('NothingToRollback', 'No rollback deployment found');
    }
  },
  run: rollback,
});
