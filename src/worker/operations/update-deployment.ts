/**
 * OS.UpdateDeployment, the general entry point: its mode (updateDeploymentMode, the same rule
 * that picks its polkit action and its title) makes it a rebase, a package change, a deploy of
 * a revision or an upgrade, all of which build the new deployment through the same deploy path.
 */
import { ApiError, JsonRpcCode, ProtocolError } from '../../api/errors.js';
import type { ParamsOf } from '../../api/method-types.js';
import { updateDeploymentMode } from '../../api/update-deployment-mode.js';
import { refuseApplyLive, thenApplyLive } from '../steps/then-apply-live.js';
import { defineOperation } from '../define-operation.js';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { packageChangeWords, refuseIfLayeringLocked } from '../prechecks.js';
import { deploy } from './deploy.js';
import { pkgChange, type Received, type ReceivedReplacements } from './pkg-change.js';
import { rebase, refuseRebaseToVersion } from './rebase.js';
import { upgrade } from './upgrade.js';
import type { LayeringAdjustments } from '../steps/layering-adjustments.js';
import { registerUpdateDriver } from '../steps/update-driver.js';
import type { OverrideChange } from '../layering/override-change.js';

/**
 * The daemon adds the sha256s of the files it received (received-files.ts): those of
 * modifiers.installLocalPackages, or else of modifiers.overrideReplaceLocalPackages (never both).
 */
type Params = ParamsOf<'OS.UpdateDeployment'> & Received;

/** The received files as the layer change takes them: packages to layer, or base packages' replacements. */
function receivedFiles({ modifiers: m, receivedFiles: files }: Params): Received & ReceivedReplacements {
  return (m.installLocalPackages ?? []).length > 0 ? { receivedFiles: files } : { overrideReplaceLocalFiles: files };
}

const unsupported = (what: string) => new ApiError('NotImplemented', `${what} is not supported`);

/** Combinations of modifiers and options no path implements: refused before anything runs. */
function refuseUnsupported({ modifiers: m, options: o }: Params): void {
  // rpm-ostree's rule: no-pull-base keeps the base, so it cannot go with a new branch or commit.
  if (o.noPullBase === true && (m.setRefspec !== undefined || m.setRevision !== undefined)) {
    throw new ProtocolError(JsonRpcCode.InvalidParams, 'noPullBase keeps the current base: it cannot be combined with setRefspec or setRevision');
  }
  const packages = [m.installPackages, m.uninstallPackages, m.installLocalPackages].some((p) => (p ?? []).length > 0);
  const overrides = updateDeploymentMode(m) === 'override' || (m.overrideResetPackages ?? []).length > 0;
  if (overrides && (m.setRefspec !== undefined || m.setRevision !== undefined)) throw unsupported('Overrides together with setRefspec or setRevision');
  if (overrides && (o.cacheOnly === true || o.downloadOnly === true)) throw unsupported('cacheOnly or downloadOnly with overrides');
  if (m.setRefspec !== undefined && (m.uninstallPackages ?? []).length > 0) throw unsupported('uninstallPackages together with setRefspec');
  if ((m.installLocalPackages ?? []).length > 0 && (overrides || m.setRefspec !== undefined || m.setRevision !== undefined)) {
    throw unsupported('installLocalPackages together with overrides, setRefspec or setRevision');
  }
  if (m.setRefspec === undefined && packages) {
    if (m.setRevision !== undefined) throw unsupported('Package changes together with setRevision');
    if (o.cacheOnly === true || o.downloadOnly === true) throw unsupported('cacheOnly or downloadOnly with package changes');
  }
}

/** The layering of the current base changes only (noPullBase, or an upgrade that found nothing). */
function relayer(ctx: OperationContext, p: Params, adjust: LayeringAdjustments): Promise<OperationResult> {
  const { modifiers: m, options: o } = p;
  return pkgChange(ctx, {
    add: m.installPackages ?? [],
    remove: adjust.noLayering === true ? [] : (m.uninstallPackages ?? []),
    dryRun: o.dryRun,
    idempotent: true,
    allowInactive: o.allowInactiveRequests,
    lockFinalization: o.lockFinalization,
    ...receivedFiles(p),
    ...overrideChange(p),
    ...adjust,
  });
}

/** The override modifiers, as the layer change takes them. */
function overrideChange({ modifiers: m }: Params): OverrideChange {
  return { overrideRemove: m.overrideRemovePackages, overrideReplace: m.overrideReplacePackages, overrideReset: m.overrideResetPackages };
}

async function updateDeployment(ctx: OperationContext, p: Params): Promise<OperationResult> {
  const { modifiers: m, options: o } = p;
  const stop = { dryRun: o.dryRun, downloadOnly: o.downloadOnly, cacheOnly: o.cacheOnly };
  const adjust: LayeringAdjustments = { noLayering: o.noLayering, noOverrides: o.noOverrides, noInitramfs: o.noInitramfs };
  if (o.registerDriver !== undefined) registerUpdateDriver(ctx, o.registerDriver);
  if (o.noPullBase === true) return relayer(ctx, p, adjust);
  switch (updateDeploymentMode(m)) {
    case 'rebase':
      return rebase(ctx, {
        refspec: m.setRefspec ?? '',
        revision: m.setRevision,
        packages: m.installPackages ?? [],
        lockFinalization: o.lockFinalization,
        ...stop,
        ...adjust,
      });
    case 'override':
    case 'pkg-change':
      return pkgChange(ctx, {
        ...overrideChange(p),
        add: m.installPackages ?? [],
        remove: o.noLayering === true ? [] : (m.uninstallPackages ?? []),
        dryRun: o.dryRun,
        idempotent: o.idempotentLayering === true || o.noLayering === true,
        allowInactive: o.allowInactiveRequests,
        lockFinalization: o.lockFinalization,
        ...receivedFiles(p),
        ...adjust,
      });
    case 'deploy':
      return deploy(ctx, {
        revision: m.setRevision ?? '',
        allowDowngrade: o.allowDowngrade,
        skipBranchCheck: o.skipBranchCheck,
        lockFinalization: o.lockFinalization,
        ...stop,
        ...adjust,
      });
    case 'upgrade': {
      // dryRun only checks the remote (rpm-ostree's upgrade --check).
      const upgraded = await upgrade(ctx, {
        allowDowngrade: o.allowDowngrade,
        downloadOnly: o.downloadOnly,
        check: o.dryRun,
        cacheOnly: o.cacheOnly,
        lockFinalization: o.lockFinalization,
        ...adjust,
      });
      // No new base, but the layering is to change: a new deployment of the current base.
      const layeringChange = o.noLayering === true || o.noOverrides === true || o.noInitramfs === true;
      if (upgraded.changed === true || !layeringChange || o.dryRun === true || o.downloadOnly === true) return upgraded;
      return relayer(ctx, p, adjust);
    }
  }
}

export default defineOperation({
  method: 'OS.UpdateDeployment',
  title: ({ modifiers: m }) => {
    switch (updateDeploymentMode(m)) {
      case 'rebase':
        return `rebase ${m.setRefspec}`;
      case 'override':
        return ['override', ...(m.overrideRemovePackages ?? []).map((n) => `-${n}`), ...(m.overrideReplacePackages ?? []).map((e) => `+${e}`)]
          .concat(
            (m.overrideReplaceLocalPackages ?? []).map((_, i) => `+(local .deb ${i + 1})`),
            (m.overrideResetPackages ?? []).map((n) => `reset ${n}`),
            packageChangeWords(m.installPackages, m.uninstallPackages),
          )
          .join(' ');
      case 'pkg-change':
        return [
          'pkg-change',
          ...packageChangeWords(m.installPackages, m.uninstallPackages),
          ...(m.installLocalPackages ?? []).map((_, i) => `+(local .deb ${i + 1})`),
        ].join(' ');
      case 'deploy':
        return `deploy ${m.setRevision}`;
      case 'upgrade':
        return 'upgrade';
    }
  },
  precheck: (ctx, p) => {
    refuseIfLayeringLocked(
      ctx,
      p.modifiers.installPackages,
      p.modifiers.uninstallPackages,
      p.modifiers.overrideRemovePackages,
      p.modifiers.overrideReplacePackages,
      p.modifiers.installLocalPackages?.map(String),
      p.modifiers.overrideReplaceLocalPackages?.map(String),
    );
    refuseUnsupported(p);
    if (updateDeploymentMode(p.modifiers) === 'rebase') refuseRebaseToVersion(p.modifiers.setRevision);
    if (p.options.applyLive === true) refuseApplyLive(ctx, p.options);
  },
  reboot: (p) => p.options.reboot === true,
  receivesFiles: ({ modifiers: m }) =>
    (m.installLocalPackages ?? []).length > 0
      ? { param: 'modifiers.installLocalPackages', refs: m.installLocalPackages ?? [] }
      : { param: 'modifiers.overrideReplaceLocalPackages', refs: m.overrideReplaceLocalPackages ?? [] },
  run: async (ctx, p) => thenApplyLive(ctx, p.options.applyLive, await updateDeployment(ctx, p)),
});
