/**
 * OS.Override (rpm-ostree's `override remove|replace|reset`): base packages removed or replaced
 * by other versions (from the sources, or local .deb files passed open) in the client layer,
 * kept in the origin's `[overrides]` and applied again to every new base.
 */
import { defineMethod, transactionParams } from '../method.js';
import { t } from '../schema-builder.js';
import { PackageReplacement, PackageName } from '../types/patterns.js';
import { LAYERING_ERRORS, lockFinalization } from './os-transactions.js';
import { FileRef, layerChangeResult } from './pkg-change.js';

const names = (doc: string) => t.optional(t.array(PackageName, { maxItems: 256, doc }));

export const Override = defineMethod({
  name: 'OS.Override',
  kind: 'transaction',
  doc: 'Remove base packages, replace them by other versions from the configured sources or local .deb files, or reset such overrides (a new deployment).',
  params: transactionParams(
    {
      remove: names('Base packages to remove (with their maintainer scripts); packages depending on them must be removed too.'),
      replace: t.optional(
        t.array(PackageReplacement, {
          maxItems: 256,
          doc: 'Base packages to replace, from the configured sources: name=version, or name for the candidate version (followed on every upgrade).',
        }),
      ),
      replaceLocalPackages: t.optional(
        t.array(FileRef, {
          maxItems: 64,
          doc: 'Base packages to replace by local .deb files, passed as open files with the request (docs/fd-passing.md); each must be a package the base has. Kept in the repository for later upgrades.',
        }),
      ),
      reset: names('Overridden packages to give back their base version.'),
      resetAll: t.optional(t.boolean({ doc: 'Reset every override.' })),
      dryRun: t.optional(t.boolean({ doc: 'Report the plan and change nothing.' })),
      lockFinalization,
    },
    true,
  ),
  result: layerChangeResult,
  action: 'override',
  errors: LAYERING_ERRORS,
});
