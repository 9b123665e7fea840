/**
 * Options many verbs share. `--json` is the CLI's own; the rest are params fields that every
 * transaction method (or every one that deploys) has, so their help comes from the schema.
 */
import type { MethodName } from '../../api/method-table.js';
import { schemaArgs, type SchemaArg } from './schema-flags.js';

/** `--json` of verbs that start a transaction. */
export const JSON_FLAG = { type: 'boolean', description: 'Print the raw event stream and result as JSON lines' } as const;

/** `--os`: the stateroot; the daemon picks the booted one when absent. */
export const OS_FLAG = { flag: 'os', note: 'default: the booted one' } as const;

/** The fields behind rpm-ostree's deployment options, each with its option name (and short one). */
export const REBOOT_FLAG = { flag: 'reboot', alias: 'r' } as const;
export const LOCK_FINALIZATION_FLAG = { flag: 'lock-finalization', note: 'see apt-ostree finalize-deployment' } as const;
export const CACHE_ONLY_FLAG = { flag: 'cache-only', alias: 'C' } as const;
export const DOWNLOAD_ONLY_FLAG = { flag: 'download-only' } as const;
export const ALLOW_DOWNGRADE_FLAG = { flag: 'allow-downgrade' } as const;

/** The options of verbs that fetch a commit and deploy it (upgrade, deploy, rebase). */
export const FETCHING_FLAGS = {
  reboot: REBOOT_FLAG,
  lockFinalization: LOCK_FINALIZATION_FLAG,
  cacheOnly: CACHE_ONLY_FLAG,
  downloadOnly: DOWNLOAD_ONLY_FLAG,
} as const;

/** `-y/--assumeyes`: accepted for rpm-ostree's scripts; apt-ostree never asks. */
export const ASSUMEYES_FLAG = {
  type: 'boolean',
  alias: 'y',
  description: 'Accepted for scripts written for rpm-ostree; apt-ostree never asks for confirmation',
} as const;

/** `--os` (from `method`'s osname field) and `--json`: the first options of every transaction verb and query. */
export function osAndJsonFlags(method: MethodName): { os: SchemaArg<'string'>; json: typeof JSON_FLAG } {
  const { os } = schemaArgs(method, { osname: OS_FLAG }) as { os: SchemaArg<'string'> };
  return { os, json: JSON_FLAG };
}
