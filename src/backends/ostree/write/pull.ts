/**
 * `ostree_repo_pull_with_options` on koffi's worker thread, with an OstreeAsyncProgress
 * polled from the JavaScript thread (its getters are thread-safe; GLib signals
 * must not be connected from JS). The pull gets its own OstreeRepo object: two pulls on one
 * object, or a pull racing other calls on the sysroot's repo, crashed libostree.
 *
 * Options of 2022.7 used here: refs, flags, subdirs, depth, override-commit-ids,
 * timestamp-check-from-rev, n-network-retries, update-frequency. 2022.7 has no option for a
 * request timeout or for the number of parallel fetches (libcurl's connect timeout is fixed
 * at 30 s, no low-speed limit is set, and at most 8 fetches are outstanding:
 * _OSTREE_MAX_OUTSTANDING_FETCHER_REQUESTS). A stall timeout is therefore enforced here: when
 * none of the progress counters moves for `stallTimeoutMs`, the pull is cancelled through
 * its GCancellable and {@link PullStalledError} is thrown. libostree acts on the cancellation
 * when control comes back to its loop: a request that hangs in the initial summary/config
 * fetch is waited for (killing the worker, as the daemon's Cancel does, always works).
 */
import { glib, type GErrorOut } from '../glib.js';
import type { Ptr } from '../koffi.js';
import { check } from './errors.js';
import { writeFfi } from './ffi.js';
import { newOptionsVariant, type OptionValue } from './variant.js';

/** Progress of one pull, in the names of the API's DownloadProgress event. */
interface PullProgress {
  bytesTransferred: number;
  /** Over the last ~2 s while running; the average of the whole pull in the final sample. */
  bytesPerSecond: number;
  objectsFetched: number;
  objectsRequested: number;
  outstandingFetches: number;
  metadataFetched: number;
}

/** What to pull. */
export interface PullRequest {
  /** Remote name as configured in the repo. */
  remote: string;
  /** Branch names or commit checksums (a checksum writes no ref). */
  refs: string[];
  /** OstreeRepoPullFlags (e.g. PullFlags.COMMIT_ONLY). */
  flags?: number;
  /** History depth: 0 = the commit only (default), -1 = all. */
  depth?: number;
  /** Fetch these commits for `refs` (same length) instead of the remote's tips; the refs are set to them. */
  overrideCommitIds?: string[];
  /** Refuse (before fetching content) any commit older than this one. */
  timestampCheckFromRev?: string;
  /** Retries of each fetch on transient network errors (libostree's default: 5). */
  networkRetries?: number;
  /** Fetch only these directories of the commit (`subdirs`; the commit stays partial). */
  subdirs?: string[];
}

/** Options of {@link pull}. */
interface PullOptions {
  /** Called with every changed sample, and exactly once with `final` true after the pull returned. */
  onProgress?: (p: PullProgress, final: boolean) => void;
  /** Sampling period in ms (default 250); also passed to libostree as `update-frequency`. */
  pollMs?: number;
  /** Cancel the pull when no progress counter changed for this long (ms); default: never. */
  stallTimeoutMs?: number;
}

/** The pull made no progress for {@link PullOptions.stallTimeoutMs} and was cancelled. */
export class PullStalledError extends Error {
  constructor(
    readonly what: string,
    readonly stalledMs: number,
  ) {
    super(`${what}: no progress for ${Math.round(stalledMs / 1000)} s; download cancelled`);
    this.name = 'PullStalledError';
  }
}

/** Builds the `a{sv}` options of a request (exported for tests). */
function pullOptions(req: PullRequest, pollMs: number): Record<string, OptionValue> {
  const o: Record<string, OptionValue> = {
    refs: { type: 'as', value: req.refs },
    flags: { type: 'i', value: req.flags ?? 0 },
    'update-frequency': { type: 'u', value: pollMs },
  };
  if (req.depth !== undefined) o.depth = { type: 'i', value: req.depth };
  if (req.overrideCommitIds !== undefined) o['override-commit-ids'] = { type: 'as', value: req.overrideCommitIds };
  if (req.timestampCheckFromRev !== undefined) o['timestamp-check-from-rev'] = { type: 's', value: req.timestampCheckFromRev };
  if (req.networkRetries !== undefined) o['n-network-retries'] = { type: 'u', value: req.networkRetries };
  if (req.subdirs !== undefined) o.subdirs = { type: 'as', value: req.subdirs };
  return o;
}

/** Opens a separate OstreeRepo object on `repoPath` (owned: g_object_unref). */
function openRepo(repoPath: string): Ptr {
  const g = glib();
  const ffi = writeFfi();
  const file = g.g_file_new_for_path(repoPath);
  let repo: Ptr;
  try {
    repo = ffi.ostree_repo_new(file);
  } finally {
    g.g_object_unref(file);
  }
  const err: GErrorOut = [null];
  try {
    check(ffi.ostree_repo_open(repo, null, err), err, `Opening repository ${repoPath}`);
  } catch (e) {
    g.g_object_unref(repo);
    throw e;
  }
  return repo;
}

/** Counters that move whenever the pull does anything (network, writes, scanning). */
function activity(progress: Ptr): string {
  const ffi = writeFfi();
  return [
    ffi.ostree_async_progress_get_uint64(progress, 'bytes-transferred'),
    ...['fetched', 'requested', 'outstanding-writes', 'scanned-metadata', 'fetched-delta-parts'].map((k) => ffi.ostree_async_progress_get_uint(progress, k)),
  ].join(',');
}

function sample(progress: Ptr): Omit<PullProgress, 'bytesPerSecond'> {
  const ffi = writeFfi();
  return {
    bytesTransferred: Number(ffi.ostree_async_progress_get_uint64(progress, 'bytes-transferred')),
    objectsFetched: ffi.ostree_async_progress_get_uint(progress, 'fetched'),
    objectsRequested: ffi.ostree_async_progress_get_uint(progress, 'requested'),
    outstandingFetches: ffi.ostree_async_progress_get_uint(progress, 'outstanding-fetches'),
    metadataFetched: ffi.ostree_async_progress_get_uint(progress, 'metadata-fetched'),
  };
}

/**
 * Pulls `req` into the repository at `repoPath` without blocking the event loop. Throws
 * OstreeCallError (libostree's message, prefixed with what was pulled) on failure; the final
 * progress sample is reported in every case.
 */
export async function pull(repoPath: string, req: PullRequest, opts: PullOptions = {}): Promise<void> {
  const g = glib();
  const ffi = writeFfi();
  const pollMs = opts.pollMs ?? 250;
  const what = `Pulling ${req.refs.map((r) => `${req.remote}:${r}`).join(', ')}`;
  const options = newOptionsVariant(pullOptions(req, pollMs));
  let repo: Ptr | null = null;
  const progress = ffi.ostree_async_progress_new();
  const cancellable = ffi.g_cancellable_new();
  let stalledFor = 0;
  try {
    repo = openRepo(repoPath);
    const start = performance.now();
    const window: { t: number; bytes: number }[] = [];
    let last = '';
    const report = (final: boolean): void => {
      const s = sample(progress);
      const now = performance.now();
      let rate: number;
      if (final) {
        rate = now > start ? Math.round((s.bytesTransferred * 1000) / (now - start)) : 0;
      } else {
        window.push({ t: now, bytes: s.bytesTransferred });
        while (window.length > 1 && now - window[0].t > 2000) window.shift();
        const first = window[0];
        rate = now > first.t ? Math.round(((s.bytesTransferred - first.bytes) * 1000) / (now - first.t)) : 0;
      }
      const key = JSON.stringify(s);
      if (!final && key === last) return;
      last = key;
      opts.onProgress?.({ ...s, bytesPerSecond: rate }, final);
    };

    let lastActivity = activity(progress);
    let lastChange = start;
    const watch = (): void => {
      report(false);
      if (opts.stallTimeoutMs === undefined || stalledFor > 0) return;
      const now = performance.now();
      const a = activity(progress);
      if (a !== lastActivity) {
        lastActivity = a;
        lastChange = now;
      } else if (now - lastChange >= opts.stallTimeoutMs) {
        stalledFor = now - lastChange;
        ffi.g_cancellable_cancel(cancellable);
      }
    };

    const err: GErrorOut = [null];
    const ok = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(watch, pollMs);
      ffi.pullWithOptionsAsync(repo as Ptr, req.remote, options, progress, cancellable, err, (e, result) => {
        clearInterval(timer);
        if (e) reject(e instanceof Error ? e : new Error(String(e)));
        else resolve(result);
      });
    });
    report(true);
    // Frees the GError; a stall's "Operation was cancelled" becomes PullStalledError below.
    check(ok, err, what);
  } catch (e) {
    if (stalledFor > 0) throw new PullStalledError(what, stalledFor);
    throw e;
  } finally {
    // finish() destroys the idle source the progress may have attached to the default main
    // context, which nothing iterates in Node; freeing without it would leave it dangling.
    ffi.ostree_async_progress_finish(progress);
    g.g_object_unref(progress);
    g.g_object_unref(cancellable);
    if (repo !== null) g.g_object_unref(repo);
    g.g_variant_unref(options);
  }
}
