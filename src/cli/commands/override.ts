/**
 * rpm-ostree's `override remove|replace|reset` (OS.Override) and `reset` (OS.UpdateDeployment
 * with no-layering / no-overrides / no-initramfs, keeping the current base).
 */
import { LOCK_FINALIZATION_FLAG, REBOOT_FLAG } from '../flags/common-flags.js';
import { packageArgs } from '../flags/package-words.js';
import { repeatedOption } from '../flags/repeated-option.js';
import { isFileWord, openFiles } from './open-files.js';
import { transactionVerb, Usage, WithFiles } from './transaction-verb.js';

const SUBCOMMANDS = ['remove', 'replace', 'reset'] as const;

export const override = transactionVerb({
  name: 'override',
  description:
    "Override base packages: `override remove PKG...`, `override replace PKG[=VERSION]... | ./PKG.deb...` (no version: the sources' candidate; a path: that local .deb), `override reset PKG... | --all`",
  method: 'OS.Override',
  flags: { reboot: REBOOT_FLAG, lockFinalization: LOCK_FINALIZATION_FLAG, dryRun: { flag: 'dry-run', alias: 'n' } },
  cliFlags: { all: { type: 'boolean', alias: 'a', description: 'With reset: reset every override' } },
  request: (args, params, ctx) => {
    const [sub, ...packages] = packageArgs(ctx.rawArgs);
    if (!SUBCOMMANDS.includes(sub as (typeof SUBCOMMANDS)[number]))
      return new Usage('say `remove PKG...`, `replace PKG[=VERSION]... | ./PKG.deb...` or `reset PKG... | --all`');
    if (sub === 'reset' && args.all === true) return packages.length > 0 ? new Usage('reset takes PACKAGEs or --all, not both') : { resetAll: true, ...params };
    if (packages.length === 0) return new Usage(`override ${sub}: at least one PACKAGE is required`);
    const files = sub === 'replace' ? packages.filter(isFileWord) : [];
    if (files.length === 0) return { [sub]: packages, ...params };
    // Local .deb files replacing base packages: opened here and passed open, as install does.
    const fds = openFiles(files);
    if (fds instanceof Usage) return fds;
    const named = packages.filter((p) => !isFileWord(p));
    return new WithFiles({ ...(named.length > 0 ? { replace: named } : {}), replaceLocalPackages: fds.map((_, fd) => ({ fd })), ...params }, fds);
  },
});

export const reset = transactionVerb({
  name: 'reset',
  description: 'Back to the pure base: drop layered packages, overrides and initramfs regeneration (or only --overlays / --overrides)',
  method: 'OS.UpdateDeployment',
  flags: {},
  cliFlags: {
    reboot: { type: 'boolean', alias: 'r', description: 'Reboot after success' },
    overlays: { type: 'boolean', alias: 'l', description: 'Drop only the layered packages' },
    overrides: { type: 'boolean', alias: 'o', description: 'Drop only the overrides of base packages' },
    install: { type: 'string', description: 'Layer PACKAGE in the same transaction (repeatable)' },
    uninstall: { type: 'string', description: 'Remove the layered PACKAGE (repeatable; useful with --overrides)' },
    'lock-finalization': { type: 'boolean', description: 'see apt-ostree finalize-deployment' },
  },
  request: (args, params, ctx) => {
    if (packageArgs(ctx.rawArgs).some((w) => !repeatedOption(ctx.rawArgs, 'install').includes(w) && !repeatedOption(ctx.rawArgs, 'uninstall').includes(w))) {
      return new Usage('takes no PACKAGE words: use --install PACKAGE');
    }
    const only = args.overlays === true || args.overrides === true;
    const install = repeatedOption(ctx.rawArgs, 'install');
    const uninstall = repeatedOption(ctx.rawArgs, 'uninstall');
    return {
      ...params,
      modifiers: {
        ...(install.length > 0 ? { installPackages: install } : {}),
        ...(uninstall.length > 0 ? { uninstallPackages: uninstall } : {}),
      },
      options: {
        noPullBase: true,
        noLayering: !only || args.overlays === true,
        noOverrides: !only || args.overrides === true,
        noInitramfs: !only,
        ...(args.reboot === true ? { reboot: true } : {}),
        ...(args['lock-finalization'] === true ? { lockFinalization: true } : {}),
      },
    };
  },
});
