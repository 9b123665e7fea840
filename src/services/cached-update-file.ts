/**
 * The cached update (what `Upgrade {check}` found), one JSON file per OS in the state dir:
 * `<state-dir>/cached-update/<osname>.json`. The worker writes it (atomically), the daemon reads
 * it. It records the deployment it was compared with (the booted one, else the default): when
 * that deployment is no longer the booted/default one (an update was deployed, a rollback
 * happened), the cached update is stale and reads as none.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CachedUpdate } from '../api/types/cached-update.js';
import type { InstalledPackage } from '../backends/dpkg/status-file.js';

/** What the file holds: the API's cached update (its package diff is against the base packages of the deployment in `against`) and bookkeeping. */
export interface CachedUpdateRecord extends CachedUpdate {
  /** Id of the deployment compared with (booted, else default). */
  against: string;
  /** A deploy or rebase preview: the revision or refspec asked for. */
  asked?: string;
  /** The update's installed packages (for diffs against other deployments). */
  packages: InstalledPackage[];
}

/** What was checked: the update (Upgrade {check}), or a preview of a deploy or a rebase ({check}). */
export type CachedKind = 'update' | 'deploy' | 'rebase';

function fileOf(stateDir: string, osname: string, kind: CachedKind): string {
  return join(stateDir, `cached-${kind}`, `${osname}.json`);
}

export function writeCachedUpdate(stateDir: string, record: CachedUpdateRecord, kind: CachedKind = 'update'): void {
  const file = fileOf(stateDir, record.osname, kind);
  mkdirSync(join(stateDir, `cached-${kind}`), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(record) + '\n', { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

export function clearCachedUpdate(stateDir: string, osname: string, kind: CachedKind = 'update'): void {
  rmSync(fileOf(stateDir, osname, kind), { force: true });
}

/** The record, or null when there is none, it is unreadable, or `currentDeployment` differs from the one it was made against. */
export function readCachedUpdate(stateDir: string, osname: string, currentDeployment: string | null, kind: CachedKind = 'update'): CachedUpdateRecord | null {
  let record: CachedUpdateRecord;
  try {
    record = JSON.parse(readFileSync(fileOf(stateDir, osname, kind), 'utf8')) as CachedUpdateRecord;
  } catch {
    return null;
  }
  return record.against === currentDeployment ? record : null;
}

/** The API's view of a record (without the bookkeeping fields). */
export function publicCachedUpdate(r: CachedUpdateRecord): CachedUpdate {
  const { osname, origin, checksum, version, timestamp, checkedAt, packageDiff } = r;
  return { osname, origin, checksum, version, timestamp, checkedAt, packageDiff };
}
