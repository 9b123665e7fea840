/**
 * OS.UpdateDeployment, the general entry point: its modifiers pick the operation (a rebase,
 * a deploy of a revision, or an upgrade), all of which build the new deployment through the
 * same deploy path (common.ts deployCommit). What has not landed answers NotImplemented.
 */
import { OperationError, type OperationContext, type OperationResult } from '../operation-context.js';
import { deploy } from './deploy.js';
import { pkgChange } from './pkg-change.js';
import { rebase } from './rebase.js';
import { upgrade } from './upgrade.js';

export interface UpdateDeploymentParams {
  modifiers: { setRefspec?: string; setRevision?: string; installPackages?: string[]; uninstallPackages?: string[] };
  options: { reboot?: boolean; allowDowngrade?: boolean; cacheOnly?: boolean; downloadOnly?: boolean; dryRun?: boolean; lockFinalization?: boolean; idempotentLayering?: boolean };
}

const notYet = (what: string) => new OperationError('NotImplemented', `${what} is not supported yet`);

export async function updateDeployment(ctx: OperationContext, { modifiers: m, options: o }: UpdateDeploymentParams): Promise<OperationResult> {
  const install = m.installPackages ?? [];
  const uninstall = m.uninstallPackages ?? [];
  const stop = { dryRun: o.dryRun, downloadOnly: o.downloadOnly, cacheOnly: o.cacheOnly };
  if (m.setRefspec !== undefined) {
    if (uninstall.length > 0) throw notYet('uninstallPackages together with setRefspec');
    return rebase(ctx, { refspec: m.setRefspec, revision: m.setRevision, packages: install, lockFinalization: o.lockFinalization, ...stop });
  }
  if (install.length > 0 || uninstall.length > 0) {
    if (m.setRevision !== undefined) throw notYet('Package changes together with setRevision');
    if (o.cacheOnly === true || o.downloadOnly === true) throw notYet('cacheOnly or downloadOnly with package changes');
    return pkgChange(ctx, {
      add: install,
      remove: uninstall,
      dryRun: o.dryRun,
      idempotent: o.idempotentLayering,
      lockFinalization: o.lockFinalization,
    });
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
