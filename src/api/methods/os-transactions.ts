import type { ErrorName } from '../errors.js';
import { defineMethod, transactionParams } from '../method.js';
import { t } from '../schema-builder.js';
import { CachedUpdateRef } from '../types/cached-update.js';
import { Checksum, EtcPath, InitramfsArg, KernelArg, KernelCmdline, PackageSpec, Refspec, Revision } from '../types/patterns.js';

export const transaction = t.string({ doc: 'Id of the transaction that did the work.' });

/** Result of a transaction that may write a new deployment; only `transaction` when detached. */
export const deploymentResult = t.object({
  transaction,
  changed: t.optional(t.boolean({ doc: 'Whether the deployments changed (absent when detached).' })),
  deployment: t.optional(t.nullable(t.string(), { doc: 'Id of the new default deployment, if one was written.' })),
  staged: t.optional(t.boolean({ doc: 'The new deployment was staged (booted system): it becomes the default at shutdown.' })),
  message: t.optional(t.string({ doc: 'What happened, for humans (e.g. "No upgrade available.").' })),
});

const kernelArgs = (doc: string) => t.array(KernelArg, { maxItems: 256, doc });
/** Result of a transaction that changes something else than the deployments. */
const changeResult = t.object({ transaction, changed: t.optional(t.boolean()), message: t.optional(t.string()) });

export const cacheOnly = t.optional(t.boolean({ doc: 'Fetch nothing: use what the local repository has.' }));
export const downloadOnly = t.optional(t.boolean({ doc: 'Fetch, but do not deploy.' }));
export const lockFinalization = t.optional(
  t.boolean({
    doc: 'When the new deployment is staged (booted system), keep it from being finalized at shutdown until FinalizeDeployment.',
  }),
);
/** How far a deployment-making method fetches and deploys, and whether its staged result waits. */
export const fetchOptions = { cacheOnly, downloadOnly, lockFinalization };
/** A deploy or rebase preview: the commit's metadata and dpkg database only, and the package diff kept. */
const previewCheck = (what: string, reader: string) =>
  t.optional(
    t.boolean({
      doc: `Only fetch the target's commit and dpkg database and keep the package diff against the booted (else default) deployment (${reader} reads it); nothing is ${what}ed.`,
    }),
  );
export const skipBranchCheck = t.optional(t.boolean({ doc: 'Deploying by checksum: the commit need not be in the history of the followed branch.' }));
export const skipPurge = t.optional(
  t.boolean({ doc: "Keep the previous branch's ref (apt-ostree never deletes it on a rebase: accepted for rpm-ostree's clients, no effect)." }),
);
export const packageList = t.array(PackageSpec, { maxItems: 256, doc: 'Package specs: name, name=version or name:arch.' });

/** What a transaction on an OS can answer. */
export const TRANSACTION_ERRORS: readonly ErrorName[] = [
  'InvalidSysroot',
  'NoSuchOS',
  'TransactionInProgress',
  'Cancelled',
  'NotAuthorized',
  'SignatureInvalid',
  'Failed',
];

/** What a package change can answer. */
export const LAYERING_ERRORS: readonly ErrorName[] = [
  'InvalidSysroot',
  'NoSuchOS',
  'TransactionInProgress',
  'Cancelled',
  'NotAuthorized',
  'PackageNotFound',
  'DependencyProblem',
  'LayeringLocked',
  'Failed',
];

export const Deploy = defineMethod({
  name: 'OS.Deploy',
  kind: 'transaction',
  doc: 'Deploy a given commit of the current refspec (pulled if needed) as the new default.',
  params: transactionParams(
    {
      revision: Revision,
      allowDowngrade: t.optional(t.boolean({ doc: 'Allow a commit older than the current one.' })),
      skipBranchCheck,
      check: previewCheck('deploy', 'OS.GetCachedDeployAptDiff'),
      ...fetchOptions,
    },
    true,
  ),
  result: deploymentResult,
  action: 'deploy',
  errors: TRANSACTION_ERRORS,
});

export const Upgrade = defineMethod({
  name: 'OS.Upgrade',
  kind: 'transaction',
  doc: 'Pull the newest commit of the origin and deploy it as the new default.',
  params: transactionParams(
    {
      allowDowngrade: t.optional(t.boolean({ doc: 'Allow the remote to go back in time.' })),
      downloadOnly,
      check: t.optional(t.boolean({ doc: 'Only check for an update and cache what was found.' })),
      cacheOnly,
      lockFinalization,
    },
    true,
  ),
  result: t.object({
    ...deploymentResult.props,
    cachedUpdate: t.optional(t.nullable(CachedUpdateRef, { doc: "check: the update found (also kept as the OS's CachedUpdate), null when there is none." })),
  }),
  action: 'upgrade',
  errors: TRANSACTION_ERRORS,
});

export const Rollback = defineMethod({
  name: 'OS.Rollback',
  kind: 'transaction',
  doc: 'Make the rollback deployment the default.',
  params: transactionParams({}, true),
  result: deploymentResult,
  action: 'rollback',
  errors: ['InvalidSysroot', 'NothingToRollback', 'TransactionInProgress', 'Cancelled', 'NotAuthorized'],
});

export const ClearRollbackTarget = defineMethod({
  name: 'OS.ClearRollbackTarget',
  kind: 'transaction',
  doc: "Remove the rollback deployment (rpm-ostree's ClearRollbackTarget; `apt-ostree cleanup -r` does the same through Cleanup).",
  params: transactionParams({}, true),
  result: changeResult,
  action: 'cleanup',
  errors: TRANSACTION_ERRORS,
});

export const Rebase = defineMethod({
  name: 'OS.Rebase',
  kind: 'transaction',
  doc: 'Switch to another refspec (remote:branch), optionally at a revision, keeping layered packages.',
  params: transactionParams(
    {
      refspec: Refspec,
      revision: t.optional(Revision),
      packages: t.optional(packageList),
      skipPurge,
      check: previewCheck('rebase', 'OS.GetCachedRebaseAptDiff'),
      ...fetchOptions,
    },
    true,
  ),
  result: deploymentResult,
  action: 'rebase',
  errors: TRANSACTION_ERRORS,
});

export const KernelArgs = defineMethod({
  name: 'OS.KernelArgs',
  kind: 'transaction',
  doc: 'Change the kernel arguments of the default deployment (a new deployment); none given reports them.',
  params: transactionParams(
    {
      existingKernelArgString: t.optional(KernelCmdline),
      deployment: t.optional(
        t.string({
          pattern: '^([0-9]{1,3}|[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{64}\\.[0-9]+)$',
          doc: "The deployment whose kernel arguments the edits start from, by id or index in the boot order (default: the default deployment); the new deployment is still of the default deployment's commit (rpm-ostree's kargs --deploy-index).",
        }),
      ),
      // A command line the edits start from instead of a deployment's (rpm-ostree's kargs --import-proc-cmdline: the running kernel's).
      baseKernelArgs: t.optional(KernelCmdline),
      append: t.optional(kernelArgs('Arguments to add.')),
      replace: t.optional(t.array(KernelArg, { maxItems: 256, doc: 'KEY=OLD=NEW or KEY=NEW.' })),
      delete: t.optional(kernelArgs('Arguments to remove; an error if one is absent.')),
      appendIfMissing: t.optional(kernelArgs('Arguments to add unless present.')),
      deleteIfPresent: t.optional(kernelArgs('Arguments to remove if present.')),
      // The whole new command line (an editor's result) instead of edits; checked against existingKernelArgString when given.
      finalKernelArgs: t.optional(KernelCmdline),
      lockFinalization,
    },
    true,
  ),
  result: t.object({
    transaction,
    changed: t.optional(t.boolean()),
    deployment: t.optional(t.nullable(t.string())),
    message: t.optional(t.string()),
    kernelArgs: t.optional(t.array(t.string(), { doc: 'The kernel arguments afterwards.' })),
  }),
  action: 'bootconfig',
  errors: [...TRANSACTION_ERRORS, 'NoSuchDeployment'],
});

export const SetInitramfsState = defineMethod({
  name: 'OS.SetInitramfsState',
  kind: 'transaction',
  doc: 'Turn client-side initramfs regeneration on (with generator arguments) or off: a new deployment of the same base; the state is kept in the origin and applied to later deployments.',
  params: transactionParams(
    {
      regenerate: t.boolean(),
      args: t.optional(t.array(InitramfsArg, { maxItems: 64, doc: 'Extra arguments for the initramfs generator.' })),
    },
    true,
  ),
  result: deploymentResult,
  action: 'bootconfig',
  errors: TRANSACTION_ERRORS,
});

const etcPaths = (doc: string) => t.optional(t.array(EtcPath, { maxItems: 256, doc }));

export const InitramfsEtc = defineMethod({
  name: 'OS.InitramfsEtc',
  kind: 'transaction',
  doc: "Track or untrack files of /etc in the initramfs (rpm-ostree's initramfs-etc): a new deployment whose initramfs gets the tracked files as the merge deployment's /etc has them; the list is kept in the origin and applied to later deployments.",
  params: transactionParams(
    {
      track: etcPaths('Files to add to the initramfs: absolute paths of existing regular files under /etc.'),
      untrack: etcPaths('Tracked files to take out of the initramfs.'),
      untrackAll: t.optional(t.boolean({ doc: 'Untrack every file.' })),
      forceSync: t.optional(t.boolean({ doc: 'Make a new deployment even when the list does not change, to pick up changed file contents.' })),
      lockFinalization,
    },
    true,
  ),
  result: deploymentResult,
  action: 'bootconfig',
  errors: TRANSACTION_ERRORS,
});

const CleanupElement = t.enum(['base', 'pending-deploy', 'rollback-deploy', 'metadata'], {
  doc: 'What to clean up: base (base refs and local .deb refs no deployment uses), pending-deploy, rollback-deploy, metadata (cached metadata and package lists).',
});

export const Cleanup = defineMethod({
  name: 'OS.Cleanup',
  kind: 'transaction',
  doc: 'Remove the pending or rollback deployment, unused base refs, or cached metadata.',
  params: transactionParams({ elements: t.array(CleanupElement, { minItems: 1, maxItems: 16 }) }, false),
  result: changeResult,
  action: 'cleanup',
  errors: TRANSACTION_ERRORS,
});

export const FinalizeDeployment = defineMethod({
  name: 'OS.FinalizeDeployment',
  kind: 'transaction',
  doc: 'Release the finalization lock of the staged deployment whose commit is given, then run the reboot command (the shutdown finalizes it).',
  params: transactionParams(
    {
      checksum: t.optional(Checksum),
      allowMissingChecksum: t.optional(t.boolean({ doc: 'Finalize whatever is staged when no checksum is given (else a checksum is required).' })),
      allowUnlocked: t.optional(t.boolean({ doc: 'A staged deployment without the finalization lock is not an error.' })),
    },
    false,
  ),
  result: deploymentResult,
  action: 'finalize-deployment',
  errors: ['InvalidSysroot', 'NoSuchDeployment', 'TransactionInProgress', 'Cancelled', 'NotAuthorized', 'Failed'],
});

export const RefreshMd = defineMethod({
  name: 'OS.RefreshMd',
  kind: 'transaction',
  doc: 'Refresh the APT package lists in the cache dir (for the sources of the merge deployment).',
  params: transactionParams({ force: t.optional(t.boolean({ doc: 'Refresh even if the lists are fresh.' })) }, false),
  result: changeResult,
  action: 'repo-refresh',
  errors: TRANSACTION_ERRORS,
});

export const AutomaticUpdateTrigger = defineMethod({
  name: 'OS.AutomaticUpdateTrigger',
  kind: 'transaction',
  doc: "Apply the automatic update policy now (the timer's job): none does nothing, check runs Upgrade {check}, stage runs Upgrade (staged when booted).",
  params: transactionParams(
    {
      mode: t.optional(t.enum(['auto', 'none', 'check', 'stage'], { doc: 'Override the configured policy (auto: follow it, the default).' })),
      outputToSelf: t.optional(
        t.boolean({ doc: "Also write the transaction's progress to the daemon's journal (rpm-ostree's default for this method); false: to the caller only." }),
      ),
    },
    false,
  ),
  result: t.object({
    ...deploymentResult.props,
    transaction: t.optional(transaction),
    enabled: t.boolean({ doc: 'Whether the policy started anything (false for none).' }),
    cachedUpdate: t.optional(t.nullable(CachedUpdateRef, { doc: 'check: the update found, null when there is none.' })),
  }),
  action: 'upgrade',
  errors: TRANSACTION_ERRORS,
});
