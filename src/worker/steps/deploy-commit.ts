/**
 * The deploy path every deployment-changing operation shares (deploy tree → point of no
 * return → write the boot list → cleanup), and where an operation may stop before it.
 */
import { writeFfi } from '../../backends/ostree/write/ffi.js';
import {
  cleanupSysroot,
  deployTree,
  hasClientLayer,
  hasOverrides,
  newOrigin,
  writeAsDefault,
  type ClientLayerOrigin,
} from '../../backends/ostree/write/deployment-writer.js';
import { loadCommitNode, type CommitNode } from '../../backends/ostree/write/history.js';
import { readCommitFile } from '../../backends/ostree/commit-file.js';
import { DPKG_STATUS } from '../../backends/dpkg/status-file.js';
import { effectiveOverrides, installedVersions } from '../layering/base-overrides.js';
import { describe, type DeploymentRef, type SysrootSession } from '../../backends/ostree/write/session.js';
import { glib } from '../../backends/ostree/glib.js';
import type { Ptr } from '../../backends/ostree/koffi.js';
import type { OperationContext, OperationResult } from '../operation-context.js';
import { assembleLayer } from '../layering/assemble-layer.js';
import { localDebVersions } from '../layering/local-debs.js';
import { keepBaseAlive } from '../layering/base-refs.js';
import { setFinalizationLock } from './finalization-lock.js';
import { commitLabel, formatBytes } from './format.js';
import { task } from './task.js';

/** How far an operation goes after resolving its target: all the way, or stop after a check or a download. */
export interface StopOptions {
  /** Resolve and check the target (commit metadata only), deploy nothing. */
  dryRun?: boolean;
  /** Fetch the target's content, deploy nothing. */
  downloadOnly?: boolean;
  /** Fetch nothing: only what the local repository has. */
  cacheOnly?: boolean;
}

/** The result of an operation that stopped before deploying `target`, or null to go on. */
export function stopBefore(target: CommitNode, what: string, o: StopOptions): OperationResult | null {
  if (o.dryRun === true) return { changed: false, deployment: null, message: `Would ${what} ${commitLabel(target)} (dryRun: nothing changed).` };
  if (o.downloadOnly === true) {
    return { changed: false, deployment: null, message: `Downloaded ${commitLabel(target)}; not deployed (downloadOnly).` };
  }
  return null;
}

/** What {@link deployCommit} needs. */
export interface DeployRequest {
  /** The commit to deploy (in the repo). */
  target: CommitNode;
  /** The default deployment: its origin and kernel arguments carry over. */
  base: DeploymentRef;
  /** Origin text of `base`. */
  baseOriginText: string;
  /** `[origin] override-commit` of the new deployment: the commit for deploy (as rpm-ostree), null for upgrade. */
  overrideCommit: string | null;
  /** Verb for the result message: `Upgraded to`, `Deployed`. */
  verb: string;
  /** A new kernel command line instead of `base`'s (OS.KernelArgs). */
  kernelArgs?: string;
  /** Staged deployments only: keep it from being finalized at shutdown (FinalizeDeployment releases it). */
  lockFinalization?: boolean;
  /**
   * The branch the new deployment follows and what the client layers onto `target`: packages,
   * a regenerated initramfs (then the origin is `baserefspec=` + `[packages]` / `[apt-ostree]`;
   * neither: a plain `refspec=` origin).
   */
  layering?: ClientLayerOrigin;
}

/**
 * The deploy path shared by every operation that makes a deployment:
 * `ostree_sysroot_deploy_tree` with the merge deployment (/etc merge; the booted deployment
 * when booted) and the default deployment's kernel arguments and origin, then the point of
 * no return, then the boot list with the new deployment first (the previous default stays as
 * the rollback), then cleanup.
 *
 * On a booted system the deployment is staged instead (`ostree_sysroot_stage_tree`, as
 * rpm-ostree does): the boot list is only written at shutdown by `ostree admin
 * finalize-staged`, so the running system's boot configuration never changes under it. The
 * point of no return then comes before the checkout, because staging checks out and records
 * the staged deployment in one libostree call.
 */
export async function deployCommit(ctx: OperationContext, session: SysrootSession, req: DeployRequest): Promise<OperationResult> {
  const g = glib();
  const osname = ctx.osname;
  const layering = req.layering === undefined ? null : await withApplicableOverrides(ctx, session, req.target, req.base, req.layering);
  let target = req.target;
  let scratchRemoved: Promise<void> = Promise.resolve();
  if (layering !== null && hasClientLayer(layering)) {
    const layer = await assembleLayer(ctx, session, req.target, layering);
    target = layer.node;
    scratchRemoved = layer.scratchRemoved;
    keepBaseAlive(session, req.target.checksum);
  }
  const label = commitLabel(target);
  const stage = session.booted() !== null;
  const merge = session.mergeDeployment(osname);
  let origin: Ptr | null = null;
  let created: Ptr | null = null;
  let written = false;
  try {
    origin = newOrigin(req.baseOriginText, req.overrideCommit, layering);
    const o = origin;
    const checkout = (): Ptr => deployTree(session, osname, target.checksum, o, merge, req.base.ptr, req.kernelArgs ?? null, stage);
    if (stage) {
      await ctx.pointOfNoReturn();
      setFinalizationLock(req.lockFinalization === true);
      created = await task(ctx, `Staging deployment ${label}`, checkout);
      written = true;
    } else {
      created = await task(ctx, `Writing deployment ${label}`, checkout);
      await ctx.pointOfNoReturn();
      const c = created;
      await task(ctx, 'Writing the boot configuration', () => writeAsDefault(session, osname, c, merge));
      written = true;
    }
    const id = describe(created).id;
    await cleanupAfterWrite(ctx, session);
    if (stage) {
      return {
        changed: true,
        deployment: id,
        staged: true,
        message: `${req.verb} ${label}, staged: it becomes the default when the system shuts down (or reboot now)`,
      };
    }
    return { changed: true, deployment: id, staged: false, message: `${req.verb} ${label}` };
  } finally {
    if (created === null || !written) {
      // deploy_tree wrote a deployment directory the boot list never got (or a stage failed
      // half-way): remove it now rather than at the next cleanup (best effort; recover()
      // does it too). Reloaded first, so that cleanup works from the boot list on disk even
      // if the write failed half-way.
      try {
        session.reload();
        cleanupSysroot(session, false);
      } catch {
        // keep the original error
      }
    }
    if (created !== null) g.g_object_unref(created);
    if (origin !== null) writeFfi().g_key_file_unref(origin);
    if (merge !== null) g.g_object_unref(merge);
    // The layer's scratch dir, removed while the deployment was written: gone before the end
    // (a removal that failed is left to the recovery's sweep of apt-ostree-* dirs).
    await scratchRemoved.catch(() => undefined);
  }
}

/**
 * Cleanup after the boot list was written: the operation has succeeded by then, so a
 * failure is reported as a Message instead of failing it.
 */
export async function cleanupAfterWrite(ctx: OperationContext, session: SysrootSession, prune = true): Promise<void> {
  try {
    const r = await task(ctx, 'Cleaning up', () => cleanupSysroot(session, prune));
    if (r.objectsPruned > 0) {
      ctx.emit({ type: 'Message', text: `Freed ${r.objectsPruned} objects (${formatBytes(r.bytesFreed)})` });
    }
  } catch (e) {
    ctx.emit({
      type: 'Message',
      text: `Cleanup failed (the new boot configuration is in place): ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}

/**
 * `layer` with the overrides that still apply to `target` (base-overrides.ts), judged against
 * the base `current` (the default deployment) was built on; each one dropped is said.
 */
async function withApplicableOverrides(
  ctx: OperationContext,
  session: SysrootSession,
  target: CommitNode,
  current: DeploymentRef,
  layer: ClientLayerOrigin,
): Promise<ClientLayerOrigin> {
  if (!hasOverrides(layer.overrides)) return layer;
  const versions = async (commit: string) => installedVersions((await readCommitFile(session.repoPath, commit, DPKG_STATUS)).toString('utf8'));
  const node = loadCommitNode(session.repo, current.checksum);
  const previousBase = node?.clientLayer === true && node.baseCommit !== null ? node.baseCommit : current.checksum;
  const base = await versions(target.checksum);
  const previous = previousBase === target.checksum ? base : await versions(previousBase).catch(() => base);
  const say = (text: string): void => ctx.emit({ type: 'Message', text });
  const overrides = effectiveOverrides(layer.overrides, base, previous, say, localDebVersions(session, layer.overrides.replaceLocal));
  return { ...layer, overrides };
}
