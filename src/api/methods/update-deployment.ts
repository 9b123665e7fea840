/**
 * OS.UpdateDeployment, rpm-ostree's general entry point, and the one rule that decides what a
 * request does (its mode): the polkit action, the transaction's title and the worker's path
 * all follow from it.
 */
import { defineMethod, transactionParams } from '../method.js';
import { applyLiveOption } from './apply-live.js';
import { updateDeploymentMode, type UpdateDeploymentMode } from '../update-deployment-mode.js';

export { updateDeploymentMode, type UpdateDeploymentMode };
import type { PolkitAction } from '../polkit-actions.js';
import { t } from '../schema-builder.js';
import { ClientName, PackageReplacement, PackageName, Refspec, Revision } from '../types/patterns.js';
import { cacheOnly, deploymentResult, downloadOnly, LAYERING_ERRORS, lockFinalization, packageList, skipBranchCheck, skipPurge } from './os-transactions.js';
import { FileRef } from './pkg-change.js';

const UpdateModifiers = t.object(
  {
    setRefspec: t.optional(Refspec),
    setRevision: t.optional(Revision),
    installPackages: t.optional(packageList),
    uninstallPackages: t.optional(packageList),
    installLocalPackages: t.optional(
      t.array(FileRef, {
        maxItems: 64,
        doc: "Local .deb files to layer, passed as open files with the request (docs/fd-passing.md; over D-Bus rpm-ostree's install-local-packages handles): as OS.PkgChange localPackages.",
      }),
    ),
    overrideRemovePackages: t.optional(t.array(PackageName, { maxItems: 256, doc: 'Base packages to remove (OS.Override remove).' })),
    overrideReplacePackages: t.optional(
      t.array(PackageReplacement, { maxItems: 256, doc: 'Base packages to replace: name=version or name (OS.Override replace).' }),
    ),
    overrideReplaceLocalPackages: t.optional(
      t.array(FileRef, {
        maxItems: 64,
        doc: "Base packages to replace by local .deb files passed open with the request (over D-Bus rpm-ostree's override-replace-local-packages handles): as OS.Override replaceLocalPackages. Not with installLocalPackages.",
      }),
    ),
    overrideResetPackages: t.optional(t.array(PackageName, { maxItems: 256, doc: 'Overridden packages to reset (OS.Override reset).' })),
  },
  { doc: 'What to change in the new deployment.' },
);
const UpdateOptions = t.object(
  {
    reboot: t.optional(t.boolean()),
    allowDowngrade: t.optional(t.boolean()),
    cacheOnly,
    downloadOnly,
    dryRun: t.optional(t.boolean()),
    idempotentLayering: t.optional(t.boolean()),
    lockFinalization,
    skipPurge,
    skipBranchCheck,
    allowInactiveRequests: t.optional(t.boolean({ doc: 'Allow requesting a package the base already contains.' })),
    noPullBase: t.optional(t.boolean({ doc: 'Do not fetch the base: layer onto the current one (not with setRefspec or setRevision).' })),
    noLayering: t.optional(t.boolean({ doc: 'Drop every layered package first (installPackages are then added).' })),
    noOverrides: t.optional(t.boolean({ doc: 'Drop every override of base packages first.' })),
    noInitramfs: t.optional(t.boolean({ doc: 'Turn client-side initramfs regeneration off in the new deployment.' })),
    registerDriver: t.optional(ClientName),
    applyLive: applyLiveOption,
  },
  { doc: 'How to do it.' },
);

const UPDATE_DEPLOYMENT_ACTIONS: Record<UpdateDeploymentMode, PolkitAction> = {
  rebase: 'rebase',
  override: 'override',
  'pkg-change': 'install-uninstall-packages',
  deploy: 'deploy',
  upgrade: 'upgrade',
};

export const UpdateDeployment = defineMethod({
  name: 'OS.UpdateDeployment',
  kind: 'transaction',
  doc: 'The general form of upgrade, deploy, rebase and package changes in one transaction.',
  params: transactionParams(
    {
      modifiers: t.ref('UpdateModifiers', UpdateModifiers),
      options: t.ref('UpdateOptions', UpdateOptions),
    },
    false,
  ),
  result: deploymentResult,
  action: 'upgrade',
  selectAction: (params) => {
    const mode = updateDeploymentMode(params.modifiers);
    // Local packages go only with package changes (the precheck refuses them with anything else).
    return mode === 'pkg-change' && (params.modifiers.installLocalPackages ?? []).length > 0 ? 'install-local-packages' : UPDATE_DEPLOYMENT_ACTIONS[mode];
  },
  errors: [...LAYERING_ERRORS, 'NotImplemented'],
});
