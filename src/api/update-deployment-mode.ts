/**
 * The one rule that decides what an OS.UpdateDeployment request does (its mode): its polkit
 * action, its title and the worker's path all follow from it. A module of its own, without the
 * method declarations, so the worker loads only this.
 */

/** What an UpdateDeployment request does, decided by its modifiers in this one order. */
export type UpdateDeploymentMode = 'rebase' | 'override' | 'pkg-change' | 'deploy' | 'upgrade';

/**
 * The mode of an UpdateDeployment request: a new refspec makes it a rebase (packages to
 * install ride along), else overrides of base packages an override (package changes ride
 * along), else package changes make it a layering, else a revision a deploy,
 * else an upgrade. Its polkit action, title and worker path all follow from it.
 */
export function updateDeploymentMode(m: {
  setRefspec?: string;
  setRevision?: string;
  installPackages?: string[];
  uninstallPackages?: string[];
  installLocalPackages?: unknown[];
  overrideRemovePackages?: string[];
  overrideReplacePackages?: string[];
  overrideReplaceLocalPackages?: unknown[];
  overrideResetPackages?: string[];
}): UpdateDeploymentMode {
  if (m.setRefspec !== undefined) return 'rebase';
  const overrides = [m.overrideRemovePackages, m.overrideReplacePackages, m.overrideReplaceLocalPackages, m.overrideResetPackages];
  if (overrides.some((o) => (o ?? []).length > 0)) return 'override';
  if ([m.installPackages, m.uninstallPackages, m.installLocalPackages].some((p) => (p ?? []).length > 0)) return 'pkg-change';
  if (m.setRevision !== undefined) return 'deploy';
  return 'upgrade';
}
