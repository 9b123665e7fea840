/** One file of a commit, read without checking the commit out (`ostree cat`). */
import { runCommandBuffer } from '../../util/run-command.js';

export function readCommitFile(repo: string, commit: string, path: string): Promise<Buffer> {
  return runCommandBuffer('ostree', ['cat', `--repo=${repo}`, commit, path]);
}
