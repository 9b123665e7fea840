import type { CliCommand } from '../cli-context.js';
import { cancel } from './cancel.js';
import { cleanup } from './cleanup.js';
import { db } from './db.js';
import { deploy } from './deploy.js';
import { finalizeDeployment } from './finalize-deployment.js';
import { history } from './history.js';
import { kargs } from './kargs.js';
import { search, whatprovides } from './package-queries.js';
import { initramfs } from './initramfs.js';
import { install, uninstall } from './pkg-change.js';
import { rebase } from './rebase.js';
import { refreshMd } from './refresh-md.js';
import { reload } from './reload.js';
import { rollback } from './rollback.js';
import { status } from './status.js';
import { transaction } from './transaction.js';
import { upgrade } from './upgrade.js';

/** Every verb of `apt-ostree`, by name. */
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
  install,
  search,
  whatprovides,
  'refresh-md': refreshMd,
  uninstall,
  'finalize-deployment': finalizeDeployment,
  db,
  transaction,
};
