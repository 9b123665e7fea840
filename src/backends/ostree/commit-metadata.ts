/**
 * Commit metadata read through libostree (ostree_repo_load_commit + GVariant lookups),
 * cached per checksum: a commit is content-addressed, so its metadata never changes.
 *
 * Layered commits (docs/design-decisions.md) carry `aptostree.clientlayer` (b),
 * `aptostree.base-commit` (s), `aptostree.requested-packages` (as) and
 * `aptostree.packages` (as, entries `name=version:arch`).
 */
import { glib, takeError, type GErrorOut } from './glib.js';
import { libostree } from './libostree.js';
import type { Ptr } from './koffi.js';

/** What the reader needs from one commit. */
export interface CommitInfo {
  checksum: string;
  /** Metadata `version`, null when absent. */
  version: string | null;
  /** Commit timestamp, seconds since the epoch. */
  timestamp: number;
  /** Metadata `aptostree.clientlayer` is true. */
  clientLayer: boolean;
  /** Metadata `aptostree.base-commit`, null when absent. */
  baseCommit: string | null;
  /** Metadata `aptostree.requested-packages`, [] when absent. */
  requestedPackages: string[];
  /** Metadata `aptostree.packages` verbatim (`name=version:arch`), [] when absent. */
  packages: string[];
}

/** Thrown when libostree cannot load a commit; the message is libostree's. */
export class CommitLoadError extends Error {
  constructor(
    readonly checksum: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommitLoadError';
  }
}

/** Package name of an `aptostree.packages` entry (`name=version:arch` → `name`). */
export function layeredPackageName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** Loads one commit's metadata from `repo` (an OstreeRepo*). Throws CommitLoadError. */
export function loadCommitInfo(repo: Ptr, checksum: string): CommitInfo {
  const g = glib();
  const ost = libostree();
  const out: [Ptr | null] = [null];
  const err: GErrorOut = [null];
  if (!ost.ostree_repo_load_commit(repo, checksum, out, null, err) || out[0] === null) {
    throw new CommitLoadError(checksum, takeError(err)?.message ?? `cannot load commit ${checksum}`);
  }
  const commit = out[0];
  try {
    const meta = g.g_variant_get_child_value(commit, 0);
    try {
      return {
        checksum,
        version: lookupString(meta, 'version'),
        timestamp: Number(ost.ostree_commit_get_timestamp(commit)),
        clientLayer: lookupBoolean(meta, 'aptostree.clientlayer') ?? false,
        baseCommit: lookupString(meta, 'aptostree.base-commit'),
        requestedPackages: lookupStringArray(meta, 'aptostree.requested-packages'),
        packages: lookupStringArray(meta, 'aptostree.packages'),
      };
    } finally {
      g.g_variant_unref(meta);
    }
  } finally {
    g.g_variant_unref(commit);
  }
}

/**
 * Per-checksum cache of {@link loadCommitInfo}. {@link retainOnly} bounds it to the
 * commits still deployed so a long-running daemon does not accumulate old entries.
 */
export class CommitMetadataCache {
  private readonly entries = new Map<string, CommitInfo>();

  /** Cached metadata for `checksum`, loading it from `repo` on a miss. Throws CommitLoadError. */
  get(repo: Ptr, checksum: string): CommitInfo {
    let info = this.entries.get(checksum);
    if (info === undefined) {
      info = loadCommitInfo(repo, checksum);
      this.entries.set(checksum, info);
    }
    return info;
  }

  /** Drops every entry whose checksum is not in `keep`. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const k of this.entries.keys()) if (!keep.has(k)) this.entries.delete(k);
  }

  /** Number of cached commits (for tests). */
  get size(): number {
    return this.entries.size;
  }
}

// A typed lookup returns NULL both when the key is missing and when its value has
// another type; either way the field is treated as absent.
function lookupString(dict: Ptr, key: string): string | null {
  const g = glib();
  const v = g.g_variant_lookup_value(dict, key, 's');
  if (v === null) return null;
  try {
    return g.g_variant_get_string(v, null);
  } finally {
    g.g_variant_unref(v);
  }
}

function lookupBoolean(dict: Ptr, key: string): boolean | null {
  const g = glib();
  const v = g.g_variant_lookup_value(dict, key, 'b');
  if (v === null) return null;
  try {
    return g.g_variant_get_boolean(v) !== 0;
  } finally {
    g.g_variant_unref(v);
  }
}

function lookupStringArray(dict: Ptr, key: string): string[] {
  const g = glib();
  const v = g.g_variant_lookup_value(dict, key, 'as');
  if (v === null) return [];
  try {
    const n = Number(g.g_variant_n_children(v));
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      const child = g.g_variant_get_child_value(v, i);
      try {
        items.push(g.g_variant_get_string(child, null));
      } finally {
        g.g_variant_unref(child);
      }
    }
    return items;
  } finally {
    g.g_variant_unref(v);
  }
}
