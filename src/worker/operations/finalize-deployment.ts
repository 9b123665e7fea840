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
import { FINALIZATION_LOCK, setFinalizationLock, withSysroot } from './common.js';

export interface FinalizeParams {
  /** The staged deployment's commit (64 hex), as shown by status. */
  checksum: string;
}

export async function finalizeDeployment(ctx: OperationContext, params: FinalizeParams): Promise<OperationResult> {
  return withSysroot(ctx, async (session) => {
    if (session.booted() === null) {
      throw new OperationError('NoSuchDeployment', 'Not booted into an OSTree system: nothing can be staged, so nothing to finalize');
    }
    const staged = session.deploymentsOf(ctx.osname).find((d) => d.staged) ?? null;
    if (staged === null) throw new OperationError('NoSuchDeployment', 'No staged deployment to finalize');
    if (staged.checksum !== params.checksum) {
      throw new OperationError(
        'NoSuchDeployment',
        `The staged deployment ${staged.id} is commit ${staged.checksum}, not ${params.checksum}`,
      );
    }
    const wasLocked = existsSync(FINALIZATION_LOCK);
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
