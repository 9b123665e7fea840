/**
 * OS.UpdateDeployment, rpm-ostree's general entry point, and the one rule that decides what a
 * request does (its mode): the polkit action, the transaction's title and the worker's path
 * all follow from it.
 */
import { defineMethod, transactionParams } from '../method.js';
import type { PolkitAction } from '../polkit-actions.js';
import { t } from '../schema-builder.js';
import { ClientName, Refspec, Revision } from '../types/patterns.js';
import { cacheOnly, deploymentResult, downloadOnly, LAYERING_ERRORS, lockFinalization, packageList, skipBranchCheck, skipPurge } from './os-transactions.js';

const UpdateModifiers = t.object(
  {
    setRefspec: t.optional(Refspec),
    setRevision: t.optional(Revision),
    installPackages: t.optional(packageList),
    uninstallPackages: t.optional(packageList),
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
  },
  { doc: 'How to do it.' },
);

/** What an UpdateDeployment request does, decided by its modifiers in this one order. */
export type UpdateDeploymentMode = 'rebase' | 'pkg-change' | 'deploy' | 'upgrade';

/**
 * The mode of an UpdateDeployment request: a new refspec makes it a rebase (packages to
 * install ride along), else package changes make it a layering, else a revision a deploy,
 * else an upgrade. Its polkit action, title and worker path all follow from it.
 */
export function updateDeploymentMode(m: {
  setRefspec?: string;
  setRevision?: string;
  installPackages?: string[];
  uninstallPackages?: string[];
}): UpdateDeploymentMode {
  if (m.setRefspec !== undefined) return 'rebase';
  if ((m.installPackages ?? []).length > 0 || (m.uninstallPackages ?? []).length > 0) return 'pkg-change';
  if (m.setRevision !== undefined) return 'deploy';
  return 'upgrade';
}

const UPDATE_DEPLOYMENT_ACTIONS: Record<UpdateDeploymentMode, PolkitAction> = {
  rebase: 'rebase',
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
  selectAction: (params) => UPDATE_DEPLOYMENT_ACTIONS[updateDeploymentMode(params.modifiers)],
  errors: [...LAYERING_ERRORS, 'NotImplemented'],
});
