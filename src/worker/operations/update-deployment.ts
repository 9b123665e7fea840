/**
 * OS.UpdateDeployment, the general entry point: its mode (updateDeploymentMode, the same rule
 * that picks its polkit action and its title) makes it a rebase, a package change, a deploy of
 * a revision or an upgrade, all of which build the new deployment through the same deploy path.
 */
import { ApiError } from '../../api/errors.js';
import type { ParamsOf } from '../../api/method-types.js';
import { updateDeploymentMode } from '../../api/methods/update-deployment.js';
import { defineOperation } from '../define-operation.js';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { packageChangeWords, refuseIfLayeringLocked } from '../prechecks.js';
import { deploy } from './deploy.js';
import { pkgChange } from './pkg-change.js';
import { rebase, refuseRebaseToVersion } from './rebase.js';
import { upgrade } from './upgrade.js';

type Params = ParamsOf<'OS.UpdateDeployment'>;

const unsupported = (what: string) => new ApiError('NotImplemented', `${what} is not supported`);

/** Combinations of modifiers and options no path implements: refused before anything runs. */
function refuseUnsupported({ modifiers: m, options: o }: Params): void {
  const packages = (m.installPackages ?? []).length > 0 || (m.uninstallPackages ?? []).length > 0;
  if (m.setRefspec !== undefined && (m.uninstallPackages ?? []).length > 0) throw unsupported('uninstallPackages together with setRefspec');
  if (m.setRefspec === undefined && packages) {
    if (m.setRevision !== undefined) throw unsupported('Package changes together with setRevision');
    if (o.cacheOnly === true || o.downloadOnly === true) throw unsupported('cacheOnly or downloadOnly with package changes');
  }
}

async function updateDeployment(ctx: OperationContext, { modifiers: m, options: o }: Params): Promise<OperationResult> {
  const stop = { dryRun: o.dryRun, downloadOnly: o.downloadOnly, cacheOnly: o.cacheOnly };
  switch (updateDeploymentMode(m)) {
    case 'rebase':
      return rebase(ctx, {
        refspec: m.setRefspec ?? '',
        revision: m.setRevision,
        packages: m.installPackages ?? [],
        lockFinalization: o.lockFinalization,
        ...stop,
      });
    case 'pkg-change':
      return pkgChange(ctx, {
        add: m.installPackages ?? [],
        remove: m.uninstallPackages ?? [],
        dryRun: o.dryRun,
        idempotent: o.idempotentLayering,
        lockFinalization: o.lockFinalization,
      });
    case 'deploy':
      return deploy(ctx, { revision: m.setRevision ?? '', allowDowngrade: o.allowDowngrade, lockFinalization: o.lockFinalization, ...stop });
    case 'upgrade':
      // dryRun only checks the remote (rpm-ostree's upgrade --check).
      return upgrade(ctx, {
        allowDowngrade: o.allowDowngrade,
        downloadOnly: o.downloadOnly,
        check: o.dryRun,
        cacheOnly: o.cacheOnly,
        lockFinalization: o.lockFinalization,
      });
  }
}

export default defineOperation({
  method: 'OS.UpdateDeployment',
  title: ({ modifiers: m }) => {
    switch (updateDeploymentMode(m)) {
      case 'rebase':
        return `rebase ${m.setRefspec}`;
      case 'pkg-change':
        return ['pkg-change', ...packageChangeWords(m.installPackages, m.uninstallPackages)].join(' ');
      case 'deploy':
        return `deploy ${m.setRevision}`;
      case 'upgrade':
        return 'upgrade';
    }
  },
  precheck: (ctx, p) => {
    refuseIfLayeringLocked(ctx, p.modifiers.installPackages, p.modifiers.uninstallPackages);
    refuseUnsupported(p);
    if (updateDeploymentMode(p.modifiers) === 'rebase') refuseRebaseToVersion(p.modifiers.setRevision);
  },
  reboot: (p) => p.options.reboot === true,
  run: updateDeployment,
});
