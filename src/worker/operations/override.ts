/**
 * OS.Override (apt-ostree override remove|replace|reset): the overrides of base packages of the
 * default deployment change, and a new deployment is built from its base through the same path
 * as a package change (pkg-change.ts).
 */
import { ApiError } from '../../api/errors.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { refuseIfLayeringLocked } from '../prechecks.js';
import { pkgChange, type Received } from './pkg-change.js';

type Params = ParamsOf<'OS.Override'>;

/** `p.receivedFiles`: the daemon's sha256s of the files of `replaceLocalPackages` (received-files.ts). */
export function override(ctx: OperationContext, p: Params & Received): Promise<OperationResult> {
  return pkgChange(ctx, {
    overrideReplaceLocalFiles: p.receivedFiles,
    dryRun: p.dryRun,
    lockFinalization: p.lockFinalization,
    overrideRemove: p.remove,
    overrideReplace: p.replace,
    overrideReset: p.reset,
    overrideResetAll: p.resetAll,
  });
}

/** `override -a +b=1 ~c` words, for the title. */
function words(p: Params): string[] {
  return [
    ...(p.remove ?? []).map((n) => `-${n}`),
    ...(p.replace ?? []).map((e) => `+${e}`),
    ...(p.replaceLocalPackages ?? []).map((_, i) => `+(local .deb ${i + 1})`),
    ...(p.reset ?? []).map((n) => `reset ${n}`),
    ...(p.resetAll === true ? ['reset --all'] : []),
  ];
}

export default defineOperation({
  method: 'OS.Override',
  title: (p) => ['override', ...words(p)].join(' '),
  precheck: (ctx, p) => {
    refuseIfLayeringLocked(ctx, p.remove, p.replace, p.replaceLocalPackages === undefined ? undefined : p.replaceLocalPackages.map(String));
    if (words(p).length === 0) throw new ApiError('Failed', 'Nothing to override or reset');
  },
  receivesFiles: (p) => ({ param: 'replaceLocalPackages', refs: p.replaceLocalPackages ?? [] }),
  run: override,
});
