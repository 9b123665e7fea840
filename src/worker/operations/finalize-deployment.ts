/**
 * OS.FinalizeDeployment, rpm-ostree's `finalize-deployment`: a staged deployment becomes the
 * default when `ostree admin finalize-staged` runs at shutdown; one staged with
 * lockFinalization is skipped by that step until the lock is gone. This operation checks that
 * the staged deployment is the commit the caller expects, removes the lock, and leaves the
 * reboot (whose shutdown finalizes) to the daemon, which runs the configured RebootCommand
 * once the transaction succeeded.
 */
import { existsSync } from 'node:fs';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { OperationError } from '../operation-context.js';
import { FINALIZATION_LOCK, setFinalizationLock } from '../steps/finalization-lock.js';
import { withSysroot } from '../steps/sysroot-session.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';
import { ApiError, JsonRpcCode, ProtocolError } from '../../api/errors.js';

export async function finalizeDeployment(ctx: OperationContext, params: ParamsOf<'OS.FinalizeDeployment'>): Promise<OperationResult> {
  return withSysroot(ctx, async (session) => {
    if (session.booted() === null) {
      throw new OperationError('NoSuchDeployment', 'Not booted into an OSTree system: nothing can be staged, so nothing to finalize');
    }
    const staged = session.deploymentsOf(ctx.osname).find((d) => d.staged) ?? null;
    if (staged === null) throw new OperationError('NoSuchDeployment', 'No staged deployment to finalize');
    if (params.checksum !== undefined && staged.checksum !== params.checksum) {
      throw new OperationError('NoSuchDeployment', `The staged deployment ${staged.id} is commit ${staged.checksum}, not ${params.checksum}`);
    }
    const wasLocked = existsSync(FINALIZATION_LOCK);
    if (!wasLocked && params.allowUnlocked !== true) {
      throw new OperationError(
        'Failed',
        `The staged deployment ${staged.id} is already unlocked: it is finalized at the next shutdown (allowUnlocked reboots anyway)`,
      );
    }
    await ctx.pointOfNoReturn();
    setFinalizationLock(false);
    ctx.emit({
      type: 'Message',
      text: wasLocked ? `Released the finalization lock of ${staged.id}` : `${staged.id} was not locked`,
    });
    return {
      changed: wasLocked,
      deployment: staged.id,
      staged: true,
      message: `${staged.id} will be finalized at shutdown; rebooting`,
    };
  });
}

export default defineOperation({
  method: 'OS.FinalizeDeployment',
  title: (p) => `finalize-deployment ${p.checksum ?? '--allow-missing-checksum'}`,
  // The shutdown is what finalizes.
  reboot: 'always',
  precheck: (ctx, p) => {
    // As rpm-ostree: not naming what to finalize must be a conscious choice.
    if (p.checksum === undefined && p.allowMissingChecksum !== true) {
      throw new ProtocolError(JsonRpcCode.InvalidParams, "Give the staged deployment's checksum, or allowMissingChecksum to finalize whatever is staged");
    }
    if (p.checksum !== undefined && p.allowMissingChecksum === true) {
      throw new ProtocolError(JsonRpcCode.InvalidParams, 'Give either a checksum or allowMissingChecksum, not both');
    }
    if (!ctx.idle) return;
    if (!ctx.sysrootBooted) {
      throw new ApiError('NoSuchDeployment', 'Not booted into an OSTree system: nothing can be staged, so nothing to finalize');
    }
    const staged = ctx.deployments.find((d) => d.staged);
    if (staged === undefined) throw new ApiError('NoSuchDeployment', 'No staged deployment to finalize');
    if (p.checksum !== undefined && staged.checksum !== p.checksum) {
      throw new ApiError('NoSuchDeployment', `The staged deployment ${staged.id} is commit ${staged.checksum}, not ${p.checksum}`);
    }
  },
  run: finalizeDeployment,
});
