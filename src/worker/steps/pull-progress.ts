/**
 * Pulls as operations show them (a task, DownloadProgress while it runs, a stall timeout), and
 * the refusal of a downgrade.
 */
import { pull, PullStalledError, type PullRequest } from '../../backends/ostree/write/pull.js';
import { OstreeCallError } from '../../backends/ostree/write/errors.js';
import { pulledSignatures } from '../../backends/ostree/write/gpg-verify.js';
import type { CommitNode } from '../../backends/ostree/write/history.js';
import { OperationError, type OperationContext } from '../operation-context.js';
import { commitLabel, commitTimestampText } from './format.js';

/**
 * Pulls with a task and progress events: TaskBegin, DownloadProgress while it runs and a
 * final one after it returned (success or not), ProgressEnd, then TaskEnd on success.
 * A stall longer than the configured DownloadTimeout cancels the pull.
 */
export async function pullWithProgress(ctx: OperationContext, repoPath: string, req: PullRequest, taskText = 'Receiving objects'): Promise<void> {
  ctx.emit({ type: 'TaskBegin', text: taskText });
  try {
    await pull(repoPath, req, {
      stallTimeoutMs: ctx.config.downloadTimeout * 1000,
      onProgress: (p) => ctx.emit({ type: 'DownloadProgress', ...p }),
    });
  } catch (e) {
    ctx.emit({ type: 'ProgressEnd' });
    // libostree refuses a commit whose signature does not verify (gpg-verify=true): nothing was written to a ref.
    if (e instanceof OstreeCallError && /GPG|signature/i.test(e.detail)) {
      throw new OperationError('SignatureInvalid', `${e.detail} (remote ${req.remote}: import its key with \`ostree remote gpg-import\`, or check the source)`);
    }
    if (e instanceof PullStalledError) {
      throw new OperationError('Failed', `${e.what}: no data received for ${ctx.config.downloadTimeout} s (DownloadTimeout); download cancelled`);
    }
    throw e;
  }
  ctx.emit({ type: 'ProgressEnd' });
  // A remote with gpg-verify: libostree verified the pulled commits; say whose signatures they carry.
  for (const { commit, signatures } of pulledSignatures(repoPath, req.remote, req.refs)) ctx.emit({ type: 'SignatureProgress', commit, signatures });
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
