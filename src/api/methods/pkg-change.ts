/**
 * OS.PkgChange (apt-ostree install / uninstall): packages layered onto the base from the
 * sources or from local .deb files passed open with the request, and layered ones removed.
 */
import { defineMethod, transactionParams } from '../method.js';
import { t } from '../schema-builder.js';
import { LayerPlanRef } from '../types/layer-plan.js';
import { applyLiveOption } from './apply-live.js';
import { LAYERING_ERRORS, lockFinalization, packageList, transaction } from './os-transactions.js';

/** An open file passed with the request: `{"fd": N}`, the N-th descriptor it carried (docs/fd-passing.md). */
export const FileRef = t.ref(
  'FileRef',
  t.object(
    { fd: t.integer({ minimum: 0, maximum: 63, doc: 'Index of the descriptor among those the request carried.' }) },
    { doc: 'An open file passed with the request.' },
  ),
);
/** Result of a change of the client layer (packages, overrides): a deployment's, plus a dry run's plan. */
export const layerChangeResult = t.object({
  transaction,
  changed: t.optional(t.boolean()),
  deployment: t.optional(t.nullable(t.string())),
  staged: t.optional(t.boolean()),
  message: t.optional(t.string()),
  plan: t.optional(LayerPlanRef),
});

export const PkgChange = defineMethod({
  name: 'OS.PkgChange',
  kind: 'transaction',
  doc: 'Layer packages onto the base image and remove layered ones.',
  params: transactionParams(
    {
      add: t.optional(packageList),
      remove: t.optional(packageList),
      localPackages: t.optional(
        t.array(FileRef, {
          maxItems: 64,
          doc: 'Local .deb files to layer, passed as open files with the request (docs/fd-passing.md); kept in the repository for later upgrades.',
        }),
      ),
      dryRun: t.optional(t.boolean({ doc: 'Report the plan and change nothing.' })),
      idempotent: t.optional(t.boolean({ doc: 'Already requested / not requested is not an error.' })),
      allowInactive: t.optional(t.boolean({ doc: 'Allow requesting a package the base already contains.' })),
      lockFinalization,
      applyLive: applyLiveOption,
    },
    true,
  ),
  result: layerChangeResult,
  action: 'install-uninstall-packages',
  selectAction: (params) => ((params.localPackages ?? []).length > 0 ? 'install-local-packages' : 'install-uninstall-packages'),
  errors: LAYERING_ERRORS,
});
