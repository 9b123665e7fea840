/**
 * GPG verification of a pulled commit against its remote's keyring, through libostree
 * (`ostree_repo_verify_commit_for_remote`): whether the remote verifies at all
 * (`gpg-verify`), and each signature's details as libostree's
 * `ostree_gpg_verify_result_get_all` gives them — the tuple rpm-ostree's `SignatureProgress`
 * signal and its status carry.
 */
import { glib, takeError, takeString, type GErrorOut } from '../glib.js';
import { koffi, type Ptr } from '../koffi.js';
import { OstreeCallError } from './errors.js';

/** One signature, libostree's OstreeGpgSignatureAttr order (`(bbbbbsxxsssssxx)`). */
export interface CommitSignature {
  valid: boolean;
  sigExpired: boolean;
  keyExpired: boolean;
  keyRevoked: boolean;
  keyMissing: boolean;
  fingerprint: string;
  timestamp: number;
  expTimestamp: number;
  pubkeyAlgorithm: string;
  hashAlgorithm: string;
  userName: string;
  userEmail: string;
  fingerprintPrimary: string;
  keyExpTimestamp: number;
  keyExpTimestampPrimary: number;
}

interface GpgFfi {
  ostree_repo_new(path: Ptr): Ptr;
  ostree_repo_open(self: Ptr, cancellable: null, err: GErrorOut): number;
  ostree_repo_remote_get_gpg_verify(self: Ptr, name: string, out: [number], err: GErrorOut): number;
  ostree_repo_verify_commit_for_remote(self: Ptr, commit: string, remote: string, cancellable: null, err: GErrorOut): Ptr | null;
  ostree_repo_resolve_rev(self: Ptr, refspec: string, allowNoent: number, out: [Ptr | null], err: GErrorOut): number;
  ostree_gpg_verify_result_count_all(result: Ptr): number;
  ostree_gpg_verify_result_get_all(result: Ptr, index: number): Ptr;
  g_file_new_for_path(path: string): Ptr;
  g_variant_get_child_value(v: Ptr, index: number): Ptr;
  g_variant_get_boolean(v: Ptr): number;
  g_variant_get_int64(v: Ptr): bigint | number;
  g_variant_get_string(v: Ptr, length: null): string;
  g_variant_unref(v: Ptr): void;
}

let cached: GpgFfi | undefined;

function ffi(): GpgFfi {
  if (cached !== undefined) return cached;
  const k = koffi();
  const libglib = k.load('libglib-2.0.so.0');
  const gio = k.load('libgio-2.0.so.0');
  const ost = k.load('libostree-1.so.1');
  cached = {
    ostree_repo_new: ost.func('void *ostree_repo_new(void *path)'),
    ostree_repo_open: ost.func('int ostree_repo_open(void *self, void *cancellable, _Out_ void **error)'),
    ostree_repo_remote_get_gpg_verify: ost.func('int ostree_repo_remote_get_gpg_verify(void *self, const char *name, _Out_ int *out, _Out_ void **error)'),
    ostree_repo_verify_commit_for_remote: ost.func(
      'void *ostree_repo_verify_commit_for_remote(void *self, const char *commit, const char *remote, void *cancellable, _Out_ void **error)',
    ),
    ostree_repo_resolve_rev: ost.func('int ostree_repo_resolve_rev(void *self, const char *refspec, int allow_noent, _Out_ void **out, _Out_ void **error)'),
    ostree_gpg_verify_result_count_all: ost.func('unsigned int ostree_gpg_verify_result_count_all(void *result)'),
    ostree_gpg_verify_result_get_all: ost.func('void *ostree_gpg_verify_result_get_all(void *result, unsigned int index)'),
    g_file_new_for_path: gio.func('void *g_file_new_for_path(const char *path)'),
    g_variant_get_child_value: libglib.func('void *g_variant_get_child_value(void *v, size_t index)'),
    g_variant_get_boolean: libglib.func('int g_variant_get_boolean(void *v)'),
    g_variant_get_int64: libglib.func('int64_t g_variant_get_int64(void *v)'),
    g_variant_get_string: libglib.func('const char *g_variant_get_string(void *v, void *length)'),
    g_variant_unref: libglib.func('void g_variant_unref(void *v)'),
  } as GpgFfi;
  return cached;
}

function openRepo(f: GpgFfi, repoPath: string): Ptr {
  const file = f.g_file_new_for_path(repoPath);
  const repo = f.ostree_repo_new(file);
  glib().g_object_unref(file);
  const err: GErrorOut = [null];
  const ok = f.ostree_repo_open(repo, null, err);
  const e = takeError(err);
  if (ok === 0) {
    glib().g_object_unref(repo);
    throw new OstreeCallError(`Opening ${repoPath}`, e?.message ?? 'failed');
  }
  return repo;
}

/** Whether `remote` of the repository verifies GPG signatures (its `gpg-verify`). */
export function remoteVerifiesGpg(repoPath: string, remote: string): boolean {
  const f = ffi();
  const repo = openRepo(f, repoPath);
  try {
    const out: [number] = [0];
    const err: GErrorOut = [null];
    const ok = f.ostree_repo_remote_get_gpg_verify(repo, remote, out, err);
    const e = takeError(err);
    if (ok === 0) throw new OstreeCallError(`Reading the gpg-verify setting of ${remote}`, e?.message ?? 'failed');
    return out[0] !== 0;
  } finally {
    glib().g_object_unref(repo);
  }
}

/**
 * After a pull of `refs` (branch names or checksums) from `remote`: each pulled commit and its
 * signatures, when the remote verifies them (none otherwise).
 */
export function pulledSignatures(repoPath: string, remote: string, refs: readonly string[]): { commit: string; signatures: CommitSignature[] }[] {
  if (!remoteVerifiesGpg(repoPath, remote)) return [];
  const f = ffi();
  const repo = openRepo(f, repoPath);
  const commits: string[] = [];
  try {
    for (const ref of refs) {
      if (/^[0-9a-f]{64}$/.test(ref)) {
        commits.push(ref);
        continue;
      }
      const out: [Ptr | null] = [null];
      const err: GErrorOut = [null];
      const ok = f.ostree_repo_resolve_rev(repo, `${remote}:${ref}`, 1, out, err);
      takeError(err);
      const rev = takeString(out[0]);
      if (ok !== 0 && rev !== null) commits.push(rev);
    }
  } finally {
    glib().g_object_unref(repo);
  }
  return commits.map((commit) => ({ commit, signatures: commitSignatures(repoPath, commit, remote) }));
}

/** The signatures of `commit` checked against `remote`'s keyring; throws when none verifies (libostree's rule). */
export function commitSignatures(repoPath: string, commit: string, remote: string): CommitSignature[] {
  const f = ffi();
  const repo = openRepo(f, repoPath);
  try {
    const err: GErrorOut = [null];
    const result = f.ostree_repo_verify_commit_for_remote(repo, commit, remote, null, err);
    const e = takeError(err);
    if (result === null) throw new OstreeCallError(`Verifying the signature of ${commit}`, e?.message ?? 'failed', e?.domain, e?.code);
    try {
      const out: CommitSignature[] = [];
      const n = f.ostree_gpg_verify_result_count_all(result);
      for (let i = 0; i < n; i++) {
        const v = f.ostree_gpg_verify_result_get_all(result, i);
        try {
          const at = <T>(index: number, read: (child: Ptr) => T): T => {
            const child = f.g_variant_get_child_value(v, index);
            try {
              return read(child);
            } finally {
              f.g_variant_unref(child);
            }
          };
          const b = (index: number) => at(index, (c) => f.g_variant_get_boolean(c) !== 0);
          const s = (index: number) => at(index, (c) => f.g_variant_get_string(c, null));
          const x = (index: number) => at(index, (c) => Number(f.g_variant_get_int64(c)));
          out.push({
            valid: b(0),
            sigExpired: b(1),
            keyExpired: b(2),
            keyRevoked: b(3),
            keyMissing: b(4),
            fingerprint: s(5),
            timestamp: x(6),
            expTimestamp: x(7),
            pubkeyAlgorithm: s(8),
            hashAlgorithm: s(9),
            userName: s(10),
            userEmail: s(11),
            fingerprintPrimary: s(12),
            keyExpTimestamp: x(13),
            keyExpTimestampPrimary: x(14),
          });
        } finally {
          f.g_variant_unref(v);
        }
      }
      return out;
    } finally {
      glib().g_object_unref(result);
    }
  } finally {
    glib().g_object_unref(repo);
  }
}
