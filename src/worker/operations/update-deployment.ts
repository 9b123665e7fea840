/**
 * OS.UpdateDeployment, the general entry point: its modifiers pick the operation (a rebase,
 * a deploy of a revision, or an upgrade), all of which build the new deployment through the
 * same deploy path (common.ts deployCommit). What has not landed answers NotImplemented.
 */
import { OperationError, type OperationContext, type OperationResult } from '../operation-context.js';
import { deploy } from './deploy.js';
import { rebase } from './rebase.js';
import { upgrade } from './upgrade.js';

export interface UpdateDeploymentParams {
  modifiers: { setRefspec?: string; setRevision?: string; installPackages?: string[]; uninstallPackages?: string[] };
  options: { reboot?: boolean; allowDowngrade?: boolean; cacheOnly?: boolean; downloadOnly?: boolean; dryRun?: boolean; lockFinalization?: boolean };
}

const notYet = (what: string) => new OperationError('NotImplemented', `${what} is not supported yet`);

export async function updateDeployment(ctx: OperationContext, { modifiers: m, options: o }: UpdateDeploymentParams): Promise<OperationResult> {
  if ((m.installPackages ?? []).length > 0 || (m.uninstallPackages ?? []).length > 0) {
    throw notYet('Package layering (installPackages, uninstallPackages; issue #6)');
  }
  const stop = { dryRun: o.dryRun, downloadOnly: o.downloadOnly, cacheOnly: o.cacheOnly };
  if (m.setRefspec !== undefined) {
    return rebase(ctx, { refspec: m.setRefspec, revision: m.setRevision, lockFinalization: o.lockFinalization, ...stop });
  }
  if (m.setRevision !== undefined) {
    return deploy(ctx, { revision: m.setRevision, allowDowngrade: o.allowDowngrade, lockFinalization: o.lockFinalization, ...stop });
  }
  // No modifier: an upgrade; dryRun only checks the remote (rpm-ostree's upgrade --check).
  return upgrade(ctx, {
    allowDowngrade: o.allowDowngrade,
    downloadOnly: o.downloadOnly,
    check: o.dryRun,
    cacheOnly: o.cacheOnly,
    lockFinalization: o.lockFinalization,
  });
}
