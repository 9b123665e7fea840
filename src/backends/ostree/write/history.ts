/**
 * Walking a branch's history through commit objects, fetching missing ones from the remote
 * in growing batches (commit objects only), as rpm-ostree's `deploy VERSION` does: a system
 * repo is pruned at depth 0, so older commits are usually not there.
 */
import { glib, takeError, takeString, type GErrorOut } from '../glib.js';
import type { Ptr } from '../koffi.js';
import { loadCommitInfo, type CommitInfo } from '../commit-metadata.js';
import { GIoErrorCode, OstreeCallError } from './errors.js';
import { writeFfi } from './ffi.js';

/** One commit of a history walk. */
export interface CommitNode extends CommitInfo {
  /** Parent checksum (may be absent from the repo), null for the first commit. */
  parent: string | null;
  /** Only the commit object is there (COMMIT_ONLY pull, or an interrupted one): its content is not. */
  partial: boolean;
}

/** Loads `checksum` from `repo`; null when the commit object is not in the repo. */
export function loadCommitNode(repo: Ptr, checksum: string): CommitNode | null {
  const out: [Ptr | null] = [null];
  const state: [number] = [0];
  const err: GErrorOut = [null];
  if (!writeFfi().ostree_repo_load_commit_with_state(repo, checksum, out, state, err) || out[0] === null) {
    const e = takeError(err);
    if (e !== null && e.domain === 'g-io-error-quark' && e.code === GIoErrorCode.NOT_FOUND) return null;
    throw new OstreeCallError(`Loading commit ${checksum}`, e?.message ?? 'failed', e?.domain, e?.code);
  }
  let parent: string | null;
  try {
    parent = takeString(writeFfi().ostree_commit_get_parent(out[0]));
  } finally {
    glib().g_variant_unref(out[0]);
  }
  return { ...loadCommitInfo(repo, checksum), parent, partial: (state[0] & 1) !== 0 };
}

/** Options of {@link findInHistory}. */
interface HistorySearch {
  /** The sysroot repo. */
  repo: Ptr;
  /** Newest commit to start from. */
  start: string;
  /** True for the commit searched for. */
  match: (c: CommitNode) => boolean;
  /**
   * Fetches commit objects `checksum` and `depth` of its ancestors (commit objects only),
   * e.g. a COMMIT_ONLY pull; null when there is no remote to fetch from.
   */
  fetch: ((checksum: string, depth: number) => Promise<void>) | null;
  /** First batch size (default 10); it doubles each time, like rpm-ostree's. */
  batch?: number;
}

/** Walks parents from `start` until `match`; null when the history ends first. */
export async function findInHistory(s: HistorySearch): Promise<CommitNode | null> {
  let batch = s.batch ?? 10;
  const seen = new Set<string>();
  let csum: string | null = s.start;
  while (csum !== null && !seen.has(csum)) {
    seen.add(csum);
    let node = loadCommitNode(s.repo, csum);
    if (node === null && s.fetch !== null) {
      await s.fetch(csum, batch);
      batch *= 2;
      node = loadCommitNode(s.repo, csum);
    }
    if (node === null) {
      throw new OstreeCallError(`Walking history from ${s.start}`, `commit ${csum} is not available`);
    }
    if (s.match(node)) return node;
    csum = node.parent;
  }
  return null;
}
