/**
 * OS.Rebase: the default deployment follows another branch (of the same or another remote)
 * from now on: pull it, deploy its tip (or a given commit) with the origin switched.
 */
import { PullFlags } from '../../backends/ostree/write/ffi.js';
import { parseRefspec } from '../../backends/ostree/write/session.js';
import { OperationError, type OperationContext, type OperationResult } from '../operation-context.js';
import {
  deployCommit,
  followedBranch,
  pullWithProgress,
  requireCommit,
  requireDefault,
  stopBefore,
  withSysroot,
  type StopOptions,
} from './common.js';

export interface RebaseParams extends StopOptions {
  refspec: string;
  /** A commit checksum of the new branch (versions need the history walk of OS.Deploy: later). */
  revision?: string;
  packages?: string[];
  /** A staged deployment waits for FinalizeDeployment. */
  lockFinalization?: boolean;
}

export async function rebase(ctx: OperationContext, params: RebaseParams): Promise<OperationResult> {
  if (params.revision !== undefined && !/^[0-9a-f]{64}$/.test(params.revision)) {
    throw new OperationError('Failed', 'Rebase to a version is not supported yet; give a commit checksum');
  }
  return withSysroot(ctx, async (session) => {
    const base = requireDefault(session, ctx.osname);
    const current = followedBranch(session, base, 'rebase');
    // rpm-ostree's `rebase REFSPEC --install PKG`: the layered set grows.
    const requested = [...new Set([...current.requested, ...(params.packages ?? [])])];
    const asked = parseRefspec(params.refspec);
    // `rebase REF` keeps the current remote, as rpm-ostree does.
    const remote = asked.remote ?? current.remote;
    const refspec = remote === null ? asked.ref : `${remote}:${asked.ref}`;
    if (refspec === current.refspec && params.revision === undefined && requested.length === current.requested.length) {
      return { changed: false, deployment: null, message: `Already on ${refspec}` };
    }
    if (remote !== null && params.cacheOnly !== true) {
      ctx.emit({ type: 'Message', text: `Fetching ${refspec}` });
      // An unknown remote or branch fails here, before any ref or deployment changes.
      await pullWithProgress(
        ctx,
        session.repoPath,
        {
          remote,
          refs: [asked.ref],
          ...(params.revision !== undefined ? { overrideCommitIds: [params.revision] } : {}),
          // A dry run needs the commit object only.
          ...(params.dryRun === true ? { flags: PullFlags.COMMIT_ONLY } : {}),
        },
        params.dryRun === true ? 'Receiving commit metadata' : 'Receiving objects',
      );
    }
    const tip = session.resolveRev(refspec);
    if (tip === null) {
      throw new OperationError('Failed', `${refspec} does not exist in the ${params.cacheOnly === true ? 'local ' : ''}repository`);
    }
    const target = requireCommit(session, params.revision ?? tip, params.dryRun !== true);
    const stop = stopBefore(target, `rebase to ${refspec}:`, params);
    if (stop !== null) return stop;
    return deployCommit(ctx, session, {
      lockFinalization: params.lockFinalization,
      target,
      base,
      baseOriginText: current.originText,
      layering: { refspec, requested, initramfs: current.initramfs },
      overrideCommit: params.revision ?? null,
      verb: `Rebased to ${refspec}:`,
    });
  });
}
