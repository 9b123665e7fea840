/**
 * The verbs that start one transaction method, as data: name, help, method, and the params
 * fields exposed as options (their help is the field's doc). rpm-ostree's option names.
 */
import type { ParamsOf } from '../../api/method-types.js';
import { ALLOW_DOWNGRADE_FLAG, ASSUMEYES_FLAG, FETCHING_FLAGS, LOCK_FINALIZATION_FLAG, REBOOT_FLAG } from '../flags/common-flags.js';
import { packageArgs } from '../flags/package-words.js';
import { REBASE_TARGET_FLAGS, rebaseRequest } from './rebase-target.js';
import { transactionVerb, Usage, WithFiles } from './transaction-verb.js';
import { isFileWord, openFiles } from './open-files.js';

export const deploy = transactionVerb({
  name: 'deploy',
  description: 'Deploy a given commit (checksum or version) of the current refspec',
  method: 'OS.Deploy',
  flags: { ...FETCHING_FLAGS, revision: { flag: 'revision', positional: true }, allowDowngrade: ALLOW_DOWNGRADE_FLAG },
  request: (_args, params) => (params.revision === undefined ? new Usage('a REVISION (commit checksum or version) is required') : params),
});

export const rollback = transactionVerb({
  name: 'rollback',
  description: 'Make the rollback deployment the default',
  method: 'OS.Rollback',
  flags: { reboot: REBOOT_FLAG },
});

export const rebase = transactionVerb({
  name: 'rebase',
  description: 'Follow another branch (REMOTE:REF, or REF on the current remote); with -b/-m: [REVISION]',
  method: 'OS.Rebase',
  flags: {
    ...FETCHING_FLAGS,
    refspec: { flag: 'refspec', positional: true },
    revision: { flag: 'revision', positional: true },
    skipPurge: { flag: 'skip-purge' },
  },
  cliFlags: REBASE_TARGET_FLAGS,
  reads: ['OS.GetProperties'],
  request: rebaseRequest,
});

export const refreshMd = transactionVerb({
  name: 'refresh-md',
  description: 'Refresh the APT package lists',
  method: 'OS.RefreshMd',
  flags: { force: { flag: 'force', alias: 'f' } },
});

export const finalizeDeployment = transactionVerb({
  name: 'finalize-deployment',
  description: 'Let the staged deployment with this commit be finalized, and reboot',
  method: 'OS.FinalizeDeployment',
  flags: {
    checksum: { flag: 'checksum', positional: true, note: 'of the staged deployment, see status' },
    allowMissingChecksum: { flag: 'allow-missing-checksum' },
    allowUnlocked: { flag: 'allow-unlocked' },
  },
  request: (args, params) => {
    if (args.checksum === undefined || args.checksum === '') {
      return params.allowMissingChecksum === true
        ? params
        : new Usage('the full CHECKSUM (64 hex digits) of the staged deployment is required (or --allow-missing-checksum)');
    }
    return /^[0-9a-f]{64}$/.test(args.checksum) ? params : new Usage('the CHECKSUM must be the full commit checksum (64 hex digits) of the staged deployment');
  },
});

/** rpm-ostree's cleanup flags and the OS.Cleanup element each asks for, in request order. */
const CLEANUP_ELEMENTS = {
  base: 'base',
  pending: 'pending-deploy',
  rollback: 'rollback-deploy',
  repomd: 'metadata',
} as const satisfies Record<string, ParamsOf<'OS.Cleanup'>['elements'][number]>;

export const cleanup = transactionVerb({
  name: 'cleanup',
  description: 'Remove the pending or rollback deployment, unused base refs, cached metadata',
  method: 'OS.Cleanup',
  flags: {},
  cliFlags: {
    base: { type: 'boolean', alias: 'b', description: 'Remove unused base refs of layered deployments' },
    pending: { type: 'boolean', alias: 'p', description: 'Remove the pending deployment' },
    rollback: { type: 'boolean', alias: 'r', description: 'Remove the rollback deployment' },
    repomd: { type: 'boolean', alias: 'm', description: 'Remove cached metadata' },
  },
  request: (args, params) => {
    const elements = Object.entries(CLEANUP_ELEMENTS)
      .filter(([flag]) => args[flag as keyof typeof CLEANUP_ELEMENTS] === true)
      .map(([, element]) => element);
    return elements.length === 0 ? new Usage('say what to remove: -b, -p, -r and/or -m') : { elements, ...params };
  },
});

/** Options of install and uninstall (install adds --allow-inactive). */
const PKG_CHANGE = {
  reboot: REBOOT_FLAG,
  lockFinalization: LOCK_FINALIZATION_FLAG,
  dryRun: { flag: 'dry-run', alias: 'n' },
  idempotent: { flag: 'idempotent' },
  applyLive: { flag: 'apply-live', alias: 'A' },
} as const;

/**
 * OS.PkgChange with the non-option words as `add` or `remove`. install opens the files it is
 * given (as the caller) and passes them open: the daemon never opens a path a user named.
 */
function pkgChange(verb: 'install' | 'uninstall') {
  return (_args: unknown, params: Record<string, unknown>, ctx: { rawArgs: string[] }): Record<string, unknown> | WithFiles | Usage => {
    const words = packageArgs(ctx.rawArgs);
    if (words.length === 0) return new Usage('at least one PACKAGE is required');
    if (verb === 'uninstall') return { remove: words, ...params };
    const files = words.filter(isFileWord);
    const packages = words.filter((w) => !isFileWord(w));
    if (files.length === 0) return { add: packages, ...params };
    const fds = openFiles(files);
    if (fds instanceof Usage) return fds;
    return new WithFiles({ ...(packages.length > 0 ? { add: packages } : {}), localPackages: fds.map((_, fd) => ({ fd })), ...params }, fds);
  };
}

export const install = transactionVerb({
  name: 'install',
  description: 'Layer packages onto the base image',
  method: 'OS.PkgChange',
  flags: { ...PKG_CHANGE, allowInactive: { flag: 'allow-inactive' } },
  cliFlags: { assumeyes: ASSUMEYES_FLAG },
  request: pkgChange('install'),
});

export const uninstall = transactionVerb({
  name: 'uninstall',
  description: 'Remove layered packages',
  method: 'OS.PkgChange',
  flags: PKG_CHANGE,
  cliFlags: { assumeyes: ASSUMEYES_FLAG },
  request: pkgChange('uninstall'),
});

export const applyLive = transactionVerb({
  name: 'apply-live',
  description: 'Apply the pending deployment to the running system without a reboot (package additions; until the next boot)',
  method: 'OS.ApplyLive',
  flags: {
    target: { flag: 'target', note: 'of a deployment of this OS; default: the pending deployment' },
    reset: { flag: 'reset' },
    allowReplacement: { flag: 'allow-replacement' },
  },
});
