/**
 * The verbs of `apt-ostree` by name, each with the loader of its module: a run loads only the
 * code of the verb it runs (`apt-ostree status` does not evaluate the transaction verbs, the
 * kargs editor or the schema-derived flags). The order is the usage text's; index.ts has the
 * same verbs loaded (tests check that both agree).
 */
import type { CliCommand } from '../cli-context.js';

type Loader = () => Promise<CliCommand>;

export const VERB_LOADERS: Readonly<Record<string, Loader>> = {
  status: async () => (await import('./status.js')).status,
  upgrade: async () => (await import('./upgrade.js')).upgrade,
  deploy: async () => (await import('./transaction-verbs.js')).deploy,
  rollback: async () => (await import('./transaction-verbs.js')).rollback,
  rebase: async () => (await import('./transaction-verbs.js')).rebase,
  reload: async () => (await import('./reload.js')).reload,
  cancel: async () => (await import('./cancel.js')).cancel,
  cleanup: async () => (await import('./transaction-verbs.js')).cleanup,
  history: async () => (await import('./history.js')).history,
  kargs: async () => (await import('./kargs.js')).kargs,
  initramfs: async () => (await import('./initramfs.js')).initramfs,
  'initramfs-etc': async () => (await import('./initramfs-etc.js')).initramfsEtc,
  install: async () => (await import('./transaction-verbs.js')).install,
  override: async () => (await import('./override.js')).override,
  reset: async () => (await import('./override.js')).reset,
  search: async () => (await import('./package-queries.js')).search,
  whatprovides: async () => (await import('./package-queries.js')).whatprovides,
  'refresh-md': async () => (await import('./transaction-verbs.js')).refreshMd,
  uninstall: async () => (await import('./transaction-verbs.js')).uninstall,
  'finalize-deployment': async () => (await import('./transaction-verbs.js')).finalizeDeployment,
  db: async () => (await import('./db.js')).db,
  transaction: async () => (await import('./transaction.js')).transaction,
  usroverlay: async () => (await import('./usroverlay.js')).usroverlay,
  'apply-live': async () => (await import('./transaction-verbs.js')).applyLive,
};

/** rpm-ostree's other names of verbs, each for a verb of {@link VERB_LOADERS}. */
export const ALIASES: Readonly<Record<string, string>> = {
  update: 'upgrade',
  'pkg-add': 'install',
  'pkg-remove': 'uninstall',
  remove: 'uninstall',
  makecache: 'refresh-md',
};

/** The other names of `verb`. */
export function aliasesOf(verb: string): string[] {
  return Object.entries(ALIASES)
    .filter(([, target]) => target === verb)
    .map(([alias]) => alias);
}
