/**
 * What the deployment-changing operations share: the locked sysroot session, the origin of
 * the default deployment, pulls that stream DownloadProgress, and the deploy path (deploy
 * tree → point of no return → write the boot list → cleanup).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OstreeCallError } from '../../backends/ostree/write/errors.js';
import { writeFfi } from '../../backends/ostree/write/ffi.js';
import {
  cleanupSysroot,
  deployTree,
  newOrigin,
  originText,
  writeAsDefault,
  type ClientLayerOrigin,
  type InitramfsState,
} from '../../backends/ostree/write/deployment-writer.js';
import { loadCommitNode, type CommitNode } from '../../backends/ostree/write/history.js';
import { pull, PullStalledError, type PullRequest } from '../../backends/ostree/write/pull.js';
import { describe, parseRefspec, SysrootSession, type DeploymentRef } from '../../backends/ostree/write/session.js';
import { glib } from '../../backends/ostree/glib.js';
import type { Ptr } from '../../backends/ostree/koffi.js';
import { parseOrigin } from '../../backends/ostree/origin-file.js';
import { commitTimestampText, formatBytes, shortChecksum } from './format.js';
import { assembleLayer } from './layering/assemble-layer.js';
import { keepBaseAlive } from './layering/base-refs.js';
import { task } from './task.js';

export { task };
import { OperationError, type OperationContext, type OperationResult } from '../operation-context.js';

/** The text of the Message emitted once when the sysroot lock is busy. */
export const LOCK_WAIT_MESSAGE = 'Waiting for the sysroot lock (held by another process)...';

/** Runs `fn` with a locked, loaded sysroot of its own; unlocks and frees it afterwards, also on error. */
export async function withSysroot<T>(ctx: OperationContext, fn: (s: SysrootSession) => Promise<T>): Promise<T> {
  let session: SysrootSession;
  try {
    session = await SysrootSession.open(ctx.sysroot, {
      onWait: () => ctx.emit({ type: 'Message', text: LOCK_WAIT_MESSAGE }),
    });
    ctx.locked();
  } catch (e) {
    if (e instanceof OstreeCallError) throw new OperationError('InvalidSysroot', e.message);
    throw e;
  }
  try {
    return await fn(session);
  } catch (e) {
    throw toOperationError(e);
  } finally {
    session.close();
  }
}

/** OperationError as is; libostree failures and anything else as 'Failed' with their message. */
export function toOperationError(e: unknown): OperationError {
  if (e instanceof OperationError) return e;
  return new OperationError('Failed', e instanceof Error ? e.message : String(e));
}

/** The default deployment of the context's OS, or a clear failure. */
export function requireDefault(session: SysrootSession, osname: string): DeploymentRef {
  const d = session.defaultDeployment(osname);
  if (d === null) throw new OperationError('Failed', `No deployment of stateroot '${osname}' in ${session.path}`);
  return d;
}

/** What a deployment follows, from its origin. */
export interface FollowedBranch {
  /** `[origin] refspec`, or `baserefspec` of a layered deployment. */
  refspec: string;
  /** null for a local branch (nothing to pull). */
  remote: string | null;
  ref: string;
  /** The origin file text (the new deployment's origin is made from it). */
  originText: string;
  /** `[packages] requested`: layered onto every new base ([] for a plain deployment). */
  requested: string[];
  /** The base commit: the deployment's own commit, or for a layered one the commit it was built on. */
  baseChecksum: string;
  /** `[apt-ostree]` regenerate-initramfs / initramfs-args: re-applied to every new base. */
  initramfs: InitramfsState;
}

/** The branch `d` follows (plain or layered); an origin pinned to a bare checksum is refused. */
export function followedBranch(session: SysrootSession, d: DeploymentRef, verb: string): FollowedBranch {
  const text = originText(d.ptr);
  if (text === null) throw new OperationError('Failed', `Deployment ${d.id} has no origin file; cannot ${verb} it`);
  const origin = parseOrigin(text);
  const refspec = origin.refspec ?? origin.baseRefspec;
  if (refspec === null) throw new OperationError('Failed', `Deployment ${d.id} has no [origin] refspec; cannot ${verb} it`);
  const { remote, ref } = parseRefspec(refspec);
  if (/^[0-9a-f]{64}$/.test(ref)) {
    throw new OperationError('Failed', `Deployment ${d.id} follows a fixed commit (${refspec}), not a branch; cannot ${verb} it`);
  }
  const commit = loadCommitNode(session.repo, d.checksum);
  const baseChecksum = commit?.clientLayer === true && commit.baseCommit !== null ? commit.baseCommit : d.checksum;
  return {
    refspec,
    remote,
    ref,
    originText: text,
    requested: origin.baseRefspec !== null ? origin.requestedPackages : [],
    baseChecksum,
    initramfs: { regenerate: origin.regenerateInitramfs, args: origin.initramfsArgs },
  };
}

/** `12.2 (f11637c9c4)`, or the short checksum alone when the commit has no version. */
export function commitLabel(c: { checksum: string; version: string | null }): string {
  return c.version === null ? shortChecksum(c.checksum) : `${c.version} (${shortChecksum(c.checksum)})`;
}

/** Loads a commit that must be in the sysroot repo (with `complete`: its whole tree too, e.g. for cacheOnly). */
export function requireCommit(session: SysrootSession, checksum: string, complete = false): CommitNode {
  const c = loadCommitNode(session.repo, checksum);
  if (c === null) throw new OperationError('Failed', `Commit ${checksum} is not in the repository`);
  if (complete && c.partial) {
    throw new OperationError('Failed', `Commit ${commitLabel(c)} is only partly in the repository; it cannot be deployed without fetching (cacheOnly)`);
  }
  return c;
}

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

/**
 * Pulls with a task and progress events: TaskBegin, DownloadProgress while it runs and a
 * final one after it returned (success or not), ProgressEnd, then TaskEnd on success.
 * A stall longer than the configured DownloadTimeout cancels the pull.
 */
export async function pullWithProgress(
  ctx: OperationContext,
  repoPath: string,
  req: PullRequest,
  taskText = 'Receiving objects',
): Promise<void> {
  ctx.emit({ type: 'TaskBegin', text: taskText });
  try {
    await pull(repoPath, req, {
      stallTimeoutMs: ctx.config.downloadTimeout * 1000,
      onProgress: (p) => ctx.emit({ type: 'DownloadProgress', ...p }),
    });
  } catch (e) {
    ctx.emit({ type: 'ProgressEnd' });
    if (e instanceof PullStalledError) {
      throw new OperationError(
        'Failed',
        `${e.what}: no data received for ${ctx.config.downloadTimeout} s (DownloadTimeout); download cancelled`,
      );
    }
    throw e;
  }
  ctx.emit({ type: 'ProgressEnd' });
  ctx.emit({ type: 'TaskEnd', text: taskText });
}

/** The downgrade refusal, naming both commits and the option that allows it. */
export function downgradeError(current: CommitNode, target: CommitNode): OperationError {
  return new OperationError(
    'Failed',
    `Refusing to downgrade from ${commitLabel(current)}, committed ${commitTimestampText(current.timestamp)}, ` +
      `to the older ${commitLabel(target)}, committed ${commitTimestampText(target.timestamp)}; ` +
      'pass allowDowngrade to allow it',
  );
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
  const layering = req.layering ?? null;
  let target = req.target;
  let scratchRemoved: Promise<void> = Promise.resolve();
  if (layering !== null && (layering.requested.length > 0 || layering.initramfs.regenerate)) {
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
    const checkout = (): Ptr =>
      deployTree(session, osname, target.checksum, o, merge, req.base.ptr, req.kernelArgs ?? null, stage);
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
 * libostree's finalization lock: while this file exists, `ostree admin finalize-staged` (the
 * shutdown step) leaves the staged deployment alone. It lives in the booted system's /run,
 * whatever the sysroot path (as /run/ostree/staged-deployment does).
 */
export const FINALIZATION_LOCK = '/run/ostree/staged-deployment-locked';

/** Creates or removes the finalization lock (rpm-ostree's `--lock-finalization`). */
export function setFinalizationLock(locked: boolean): void {
  if (locked) {
    mkdirSync(dirname(FINALIZATION_LOCK), { recursive: true });
    writeFileSync(FINALIZATION_LOCK, '');
  } else {
    rmSync(FINALIZATION_LOCK, { force: true });
  }
}
