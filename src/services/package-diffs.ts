/**
 * Package diffs the read methods answer: between two deployments (their dpkg databases on disk,
 * layered packages included) and between a deployment and the cached update (the deployment's
 * base packages: the update is layered again with the same packages).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../api/errors.js';
import type { Deployment } from '../api/types/deployment.js';
import type { SysrootSnapshot } from '../backends/ostree/sysroot-reader.js';
import { diffPackages } from '../backends/dpkg/package-diff.js';
import type { PackageDiffEntry } from '../api/types/package.js';
import { DPKG_STATUS, installedPackages, type InstalledPackage } from '../backends/dpkg/status-file.js';
import { readCommitFile } from '../backends/ostree/commit-file.js';

export function findDeployment(snapshot: SysrootSnapshot, id: string): Deployment {
  const d = snapshot.deployments.find((x) => x.id === id);
  if (d === undefined) throw new ApiError('NoSuchDeployment', `No deployment ${id}`, { deployment: id });
  return d;
}

/** The installed packages of a deployment's tree (layered ones included). */
export async function deploymentPackages(snapshot: SysrootSnapshot, d: Deployment): Promise<InstalledPackage[]> {
  const root = join(snapshot.path, 'ostree/deploy', d.osname, 'deploy', `${d.checksum}.${d.serial}`);
  try {
    return installedPackages(await readFile(join(root, DPKG_STATUS), 'utf8'));
  } catch {
    return []; // a tree without a dpkg database has no packages
  }
}

/** The installed packages of a deployment's base commit (itself when not layered). */
export async function basePackages(snapshot: SysrootSnapshot, d: Deployment): Promise<InstalledPackage[]> {
  if (d.baseChecksum === null) return deploymentPackages(snapshot, d);
  try {
    return installedPackages((await readCommitFile(join(snapshot.path, 'ostree/repo'), d.baseChecksum, DPKG_STATUS)).toString());
  } catch {
    return [];
  }
}

/** `from` → `to`, two deployment ids of the snapshot. */
export async function deploymentsDiff(snapshot: SysrootSnapshot, from: string, to: string): Promise<PackageDiffEntry[]> {
  const [a, b] = [findDeployment(snapshot, from), findDeployment(snapshot, to)];
  return diffPackages(await deploymentPackages(snapshot, a), await deploymentPackages(snapshot, b));
}
