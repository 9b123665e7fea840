/**
 * The keys of the `a{sv}` options and modifiers dictionaries of rpm-ostree's D-Bus methods
 * (rpm-ostree's `org.projectatomic.rpmostree1.xml`, and the keys its CLI sends), and what each
 * is here: the params field it sets (a dotted path for UpdateDeployment's two dictionaries;
 * an `ah` value's handles become `{"fd": N}` references to the message's descriptors),
 * or NotSupported with the reason when it has no meaning on Debian. A key whose value asks for
 * nothing (false, "", an empty array) is accepted even then. The kebab-case form of any field
 * of the method's own params is accepted as well (this daemon's own options); any other key is
 * InvalidArgs naming it. A test checks every key of rpm-ostree's interface is here.
 */
import type { MethodName } from './method-table.js';

export interface DbusOptionKey {
  /** rpm-ostree's key. */
  key: string;
  /** Its D-Bus type in rpm-ostree's interface. */
  type: string;
  /** The params field it sets (`options.dryRun`: a field of the `options` object). */
  field?: string;
  /** Why it is refused when it asks for something. */
  notSupported?: string;
}

const key = (k: string, type: string, field: string): DbusOptionKey => ({ key: k, type, field });
const refused = (k: string, type: string, why: string): DbusOptionKey => ({ key: k, type, notSupported: why });

const FILEOVERRIDE = "packages whose files may replace other packages' files are not layered (dpkg would need --force-overwrite)";
const MODULES = 'Debian has no DNF modules';

/** Keys every transaction method's options take: rpm-ostree's CLI sends them everywhere. */
const common = (prefix = ''): DbusOptionKey[] => [key('initiating-command-line', 's', 'initiatingCommandLine'), key('reboot', 'b', `${prefix}reboot`)];

/** rpm-ostree's option keys per method and dictionary (the D-Bus argument's name). */
export const RPM_OSTREE_OPTION_KEYS: Partial<Record<MethodName, Record<string, readonly DbusOptionKey[]>>> = {
  'OS.Deploy': {
    options: [
      ...common(),
      key('allow-downgrade', 'b', 'allowDowngrade'),
      key('skip-branch-check', 'b', 'skipBranchCheck'),
      key('lock-finalization', 'b', 'lockFinalization'),
      key('cache-only', 'b', 'cacheOnly'),
      key('download-only', 'b', 'downloadOnly'),
    ],
  },
  'OS.Upgrade': {
    options: [
      ...common(),
      key('allow-downgrade', 'b', 'allowDowngrade'),
      key('lock-finalization', 'b', 'lockFinalization'),
      key('cache-only', 'b', 'cacheOnly'),
      key('download-only', 'b', 'downloadOnly'),
    ],
  },
  'OS.Rollback': { options: common() },
  'OS.ClearRollbackTarget': { options: common() },
  'OS.Rebase': {
    options: [
      ...common(),
      key('skip-purge', 'b', 'skipPurge'),
      key('revision', 's', 'revision'),
      key('lock-finalization', 'b', 'lockFinalization'),
      key('cache-only', 'b', 'cacheOnly'),
      key('download-only', 'b', 'downloadOnly'),
    ],
  },
  'OS.PkgChange': {
    options: [
      ...common(),
      key('dry-run', 'b', 'dryRun'),
      key('idempotent-layering', 'b', 'idempotent'),
      key('allow-inactive-requests', 'b', 'allowInactive'),
      key('lock-finalization', 'b', 'lockFinalization'),
    ],
  },
  'OS.SetInitramfsState': { options: common() },
  // OSExperimental.LiveFs's keys (rpm-ostree's apply-live sends target and replace).
  'OS.ApplyLive': {
    options: [key('initiating-command-line', 's', 'initiatingCommandLine'), key('target', 's', 'target'), key('replace', 'b', 'allowReplacement')],
  },
  'OS.InitramfsEtc': { options: [...common(), key('lock-finalization', 'b', 'lockFinalization')] },
  'OS.KernelArgs': {
    options: [
      ...common(),
      key('append-if-missing', 'as', 'appendIfMissing'),
      key('delete-if-present', 'as', 'deleteIfPresent'),
      key('final-kernel-args', 's', 'finalKernelArgs'),
      key('lock-finalization', 'b', 'lockFinalization'),
    ],
  },
  'OS.RefreshMd': { options: [key('initiating-command-line', 's', 'initiatingCommandLine'), key('force', 'b', 'force')] },
  'OS.FinalizeDeployment': {
    options: [
      key('initiating-command-line', 's', 'initiatingCommandLine'),
      key('checksum', 's', 'checksum'),
      key('allow-missing-checksum', 'b', 'allowMissingChecksum'),
      key('allow-unlocked', 'b', 'allowUnlocked'),
    ],
  },
  'OS.AutomaticUpdateTrigger': {
    options: [key('initiating-command-line', 's', 'initiatingCommandLine'), key('mode', 's', 'mode'), key('output-to-self', 'b', 'outputToSelf')],
  },
  'OS.UpdateDeployment': {
    modifiers: [
      key('set-refspec', 's', 'modifiers.setRefspec'),
      key('set-revision', 's', 'modifiers.setRevision'),
      key('install-packages', 'as', 'modifiers.installPackages'),
      key('uninstall-packages', 'as', 'modifiers.uninstallPackages'),
      // Handles into the message's descriptors (docs/fd-passing.md): the daemon reads the .debs through them.
      key('install-local-packages', 'ah', 'modifiers.installLocalPackages'),
      refused('install-local-fileoverride-packages', 'ah', FILEOVERRIDE),
      refused('install-modules', 'as', MODULES),
      refused('uninstall-modules', 'as', MODULES),
      key('override-remove-packages', 'as', 'modifiers.overrideRemovePackages'),
      key('override-reset-packages', 'as', 'modifiers.overrideResetPackages'),
      key('override-replace-packages', 'as', 'modifiers.overrideReplacePackages'),
      key('override-replace-local-packages', 'ah', 'modifiers.overrideReplaceLocalPackages'),
      refused('custom-origin', '(ss)', 'custom origins name container images, which apt-ostree does not deploy'),
      refused('treefile', 's', "rpm-ostree treefiles describe RPM composes; apt-ostree's layering takes package names"),
    ],
    options: [
      key('initiating-command-line', 's', 'initiatingCommandLine'),
      key('reboot', 'b', 'options.reboot'),
      key('apply-live', 'b', 'options.applyLive'),
      key('allow-downgrade', 'b', 'options.allowDowngrade'),
      key('skip-purge', 'b', 'options.skipPurge'),
      key('skip-branch-check', 'b', 'options.skipBranchCheck'),
      key('no-pull-base', 'b', 'options.noPullBase'),
      key('dry-run', 'b', 'options.dryRun'),
      key('register-driver', 's', 'options.registerDriver'),
      key('no-layering', 'b', 'options.noLayering'),
      key('no-overrides', 'b', 'options.noOverrides'),
      key('no-initramfs', 'b', 'options.noInitramfs'),
      key('cache-only', 'b', 'options.cacheOnly'),
      key('download-only', 'b', 'options.downloadOnly'),
      key('allow-inactive-requests', 'b', 'options.allowInactiveRequests'),
      key('idempotent-layering', 'b', 'options.idempotentLayering'),
      // Not in rpm-ostree's XML, but what its CLI's install/uninstall send (rpmostree-pkg-builtins.cxx).
      key('allow-inactive', 'b', 'options.allowInactiveRequests'),
      refused('print-interactive', 'b', 'the plan is not printed for an interactive confirmation (use --dry-run, or -y)'),
      key('lock-finalization', 'b', 'options.lockFinalization'),
    ],
  },
  'Sysroot.RegisterClient': { options: [key('id', 's', 'id')] },
  'Sysroot.UnregisterClient': { options: [] },
};

/** rpm-ostree's names for values of positional arguments: Cleanup's `repomd` is the `metadata` element here (the APT lists). */
export const RPM_OSTREE_VALUE_ALIASES: Partial<Record<MethodName, Record<string, Record<string, string>>>> = {
  'OS.Cleanup': { elements: { repomd: 'metadata' } },
};

/** Whether a value asks for nothing: false, "", an empty array or dictionary. */
export function asksForNothing(value: unknown): boolean {
  if (value === false || value === '' || value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}
