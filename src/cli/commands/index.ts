import type { CliCommand } from '../cli-context.js';
import { cancel } from './cancel.js';
import { db } from './db.js';
import { history } from './history.js';
import { initramfs } from './initramfs.js';
import { initramfsEtc } from './initramfs-etc.js';
import { kargs } from './kargs.js';
import { override, reset } from './override.js';
import { search, whatprovides } from './package-queries.js';
import { reload } from './reload.js';
import { status } from './status.js';
import { transaction } from './transaction.js';
import { applyLive, cleanup, deploy, finalizeDeployment, install, rebase, refreshMd, rollback, uninstall } from './transaction-verbs.js';
import { upgrade } from './upgrade.js';
import { usroverlay } from './usroverlay.js';

/** Every verb of `apt-ostree`, by name, loaded (the CLI itself loads only the one it runs: verbs.ts). */
export const COMMANDS: Record<string, CliCommand> = {
  status,
  upgrade,
  deploy,
  rollback,
  rebase,
  reload,
  cancel,
  cleanup,
  history,
  kargs,
  initramfs,
  'initramfs-etc': initramfsEtc,
  install,
  override,
  reset,
  search,
  whatprovides,
  'refresh-md': refreshMd,
  uninstall,
  'finalize-deployment': finalizeDeployment,
  db,
  transaction,
  usroverlay,
  'apply-live': applyLive,
};

export { ALIASES, aliasesOf } from './verbs.js';
