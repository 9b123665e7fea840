/**
 * libostree, GLib and GIO functions of the write path (lock, pull, deploy, write the boot
 * list, clean up) through koffi, declared once per process on first use. The read path's
 * declarations (../glib.ts, ../libostree.ts) are reused, not repeated.
 *
 * Conventions as in ../glib.ts: objects are `void *` (bigint or null); out-parameters are
 * `_Out_` pointers passed as one-element arrays; a returned `char *` the caller owns is
 * declared `void *` and released with takeString. Struct types are anonymous because named
 * koffi types are process-global. Ownership notes repeat libostree's annotations.
 */
import { koffi, type Ptr } from '../koffi.js';
import type { GErrorOut } from '../glib.js';

/** `OstreeRepoPullFlags`. */
export const PullFlags = { NONE: 0, MIRROR: 1, COMMIT_ONLY: 2 } as const;

/** `OstreeSysrootSimpleWriteDeploymentFlags`. */
export const WriteFlags = { NONE: 0, RETAIN: 1, NOT_DEFAULT: 2, NO_CLEAN: 4, RETAIN_PENDING: 8, RETAIN_ROLLBACK: 16 } as const;

/** `OstreeRepoPruneFlags`. */
export const PruneFlags = { NONE: 0, NO_PRUNE: 1, REFS_ONLY: 2, COMMIT_ONLY: 4 } as const;

/** `OstreeSysrootWriteDeploymentsOpts` (2022.7): only `do_postclean` is meaningful. */
/** `ostree_sysroot_deploy_tree` and `ostree_sysroot_stage_tree` share this signature. */
type DeployTree = (
  self: Ptr,
  osname: string,
  revision: string,
  origin: Ptr,
  mergeDeployment: Ptr | null,
  overrideKernelArgv: Ptr | null,
  outNewDeployment: [Ptr | null],
  cancellable: null,
  err: GErrorOut,
) => number;

interface WriteDeploymentsOpts {
  do_postclean: number;
}

/** `OstreeRepoPruneOptions` (2022.7): flags and the reachable set. */
interface PruneOptions {
  flags: number;
  reachable: Ptr;
}

/** A koffi function's `.async` form: the C arguments, then a Node-style callback. */
type AsyncCall<A extends unknown[]> = (...args: [...A, (err: unknown, result: number) => void]) => void;

/** Typed entry points of the write path. */
interface WriteFfi {
  // --- GLib / GIO
  /** transfer floating; NULL on a parse error. */
  g_variant_parse(type: null, text: string, limit: null, endptr: null, err: GErrorOut): Ptr | null;
  g_variant_ref_sink(v: Ptr): Ptr;
  g_key_file_new(): Ptr;
  /** `length` (gsize)-1 means NUL-terminated. */
  g_key_file_load_from_data(kf: Ptr, data: string, length: bigint, flags: number, err: GErrorOut): number;
  g_key_file_set_string(kf: Ptr, group: string, key: string, value: string): void;
  g_key_file_remove_group(kf: Ptr, group: string, err: null): number;
  g_key_file_remove_key(kf: Ptr, group: string, key: string, err: null): number;
  g_key_file_unref(kf: Ptr): void;
  g_ptr_array_new(): Ptr;
  g_ptr_array_add(arr: Ptr, p: Ptr): void;
  g_strfreev(v: Ptr | null): void;
  g_hash_table_unref(t: Ptr): void;
  g_cancellable_new(): Ptr;
  /** Thread-safe: cancels an operation running on another thread. */
  g_cancellable_cancel(c: Ptr): void;

  // --- OstreeSysroot
  ostree_sysroot_try_lock(self: Ptr, acquired: [number], err: GErrorOut): number;
  ostree_sysroot_unlock(self: Ptr): void;
  ostree_sysroot_load(self: Ptr, cancellable: null, err: GErrorOut): number;
  ostree_sysroot_is_booted(self: Ptr): number;
  /** transfer full (g_object_unref), NULL when the OS has no deployment. */
  ostree_sysroot_get_merge_deployment(self: Ptr, osname: string): Ptr | null;
  /** transfer full (g_free). */
  ostree_sysroot_get_deployment_dirpath(self: Ptr, d: Ptr): Ptr;
  /** `overrideKernelArgv`: a NULL-terminated `char **` (e.g. from ostree_kernel_args_to_strv) or NULL. */
  ostree_sysroot_deploy_tree: DeployTree;
  /** As deploy_tree, but staged: finalized into the boot list at shutdown (booted systems only). */
  ostree_sysroot_stage_tree: DeployTree;
  /** transfer none; NULL when nothing is staged. */
  ostree_sysroot_get_staged_deployment(self: Ptr): Ptr | null;
  ostree_sysroot_simple_write_deployment(
    self: Ptr,
    osname: string,
    newDeployment: Ptr,
    mergeDeployment: Ptr | null,
    flags: number,
    cancellable: null,
    err: GErrorOut,
  ): number;
  ostree_sysroot_write_deployments_with_options(self: Ptr, deployments: Ptr, opts: WriteDeploymentsOpts, cancellable: null, err: GErrorOut): number;
  ostree_sysroot_prepare_cleanup(self: Ptr, cancellable: null, err: GErrorOut): number;
  ostree_sysroot_cleanup_prune_repo(
    self: Ptr,
    opts: PruneOptions,
    outTotal: [number],
    outPruned: [number],
    outSize: [bigint | number],
    cancellable: null,
    err: GErrorOut,
  ): number;

  // --- OstreeDeployment, kernel arguments
  ostree_deployment_origin_remove_transient_state(origin: Ptr): void;
  /** Caller frees with ostree_kernel_args_free. */
  ostree_kernel_args_from_string(options: string): Ptr;
  /** transfer full: a NULL-terminated `char **` (g_strfreev). */
  ostree_kernel_args_to_strv(kargs: Ptr): Ptr;
  ostree_kernel_args_free(kargs: Ptr): void;

  // --- OstreeRepo
  ostree_repo_new(path: Ptr): Ptr;
  ostree_repo_open(self: Ptr, cancellable: null, err: GErrorOut): number;
  /** `outRev[0]`: a `char *` the caller frees (takeString). */
  ostree_repo_resolve_rev(self: Ptr, refspec: string, allowNoent: number, outRev: [Ptr | null], err: GErrorOut): number;
  ostree_repo_set_ref_immediate(self: Ptr, remote: string | null, ref: string, checksum: string | null, cancellable: null, err: GErrorOut): number;
  ostree_repo_traverse_new_reachable(): Ptr;
  /** Adds the objects `commit` reaches (a partial commit: those present) to `reachable`. */
  ostree_repo_traverse_commit_union(self: Ptr, commit: string, maxDepth: number, reachable: Ptr, cancellable: null, err: GErrorOut): number;
  /** `outState[0]`: OstreeRepoCommitState bits (PARTIAL = 1). `outCommit[0]` owned (g_variant_unref). */
  ostree_repo_load_commit_with_state(self: Ptr, checksum: string, outCommit: [Ptr | null], outState: [number], err: GErrorOut): number;
  /** transfer full `char *` (takeString); NULL for a commit without parent. */
  ostree_commit_get_parent(commit: Ptr): Ptr | null;
  /** Out strings are caller-owned `char *` (takeString); the remote is NULL for a local ref. */
  ostree_parse_refspec(refspec: string, outRemote: [Ptr | null], outRef: [Ptr | null], err: GErrorOut): number;
  /** Blocking form; the pull itself uses {@link pullWithOptionsAsync}. */
  ostree_repo_pull_with_options(self: Ptr, remote: string, options: Ptr, progress: Ptr | null, cancellable: null, err: GErrorOut): number;
  /** The same call on koffi's worker thread; `err` is filled before the callback runs. */
  pullWithOptionsAsync: AsyncCall<[Ptr, string, Ptr, Ptr | null, Ptr | null, GErrorOut]>;

  // --- OstreeAsyncProgress (its getters take a lock: safe while the pull runs on another thread)
  ostree_async_progress_new(): Ptr;
  ostree_async_progress_get_uint(self: Ptr, key: string): number;
  ostree_async_progress_get_uint64(self: Ptr, key: string): bigint | number;
  /** Destroys the idle source it may have queued on the default main context (nobody iterates it here). */
  ostree_async_progress_finish(self: Ptr): void;
}

let cached: WriteFfi | undefined;

/** The write-path bindings, loaded on first call. */
export function writeFfi(): WriteFfi {
  return (cached ??= load());
}

function load(): WriteFfi {
  const k = koffi();
  const glib = k.load('libglib-2.0.so.0');
  const gio = k.load('libgio-2.0.so.0');
  const ost = k.load('libostree-1.so.1');

  const writeOpts = k.struct({
    do_postclean: 'int',
    unused_bools: k.array('int', 7),
    unused_ints: k.array('int', 7),
    unused_ptrs: k.array('void *', 7),
  });
  const pruneOpts = k.struct({
    flags: 'int',
    reachable: 'void *',
    unused_bools: k.array('int', 6),
    unused_ints: k.array('int', 6),
    unused_ptrs: k.array('void *', 7),
  });
  // Sizes libostree 2022.7 was built with (x86_64): a mismatch would corrupt the stack.
  if (k.sizeof(writeOpts) !== 120 || k.sizeof(pruneOpts) !== 120) {
    throw new Error(`unexpected libostree option struct sizes ${k.sizeof(writeOpts)}/${k.sizeof(pruneOpts)}`);
  }

  const pull = ost.func(
    'int ostree_repo_pull_with_options(void *self, const char *remote, void *options, void *progress, void *cancellable, _Out_ void **error)',
  );
  const writeDeployments = ost.func('ostree_sysroot_write_deployments_with_options', 'int', [
    'void *',
    'void *',
    k.pointer(writeOpts),
    'void *',
    k.out(k.pointer('void *')),
  ]);
  const pruneRepo = ost.func('ostree_sysroot_cleanup_prune_repo', 'int', [
    'void *',
    k.pointer(pruneOpts),
    k.out(k.pointer('int')),
    k.out(k.pointer('int')),
    k.out(k.pointer('uint64_t')),
    'void *',
    k.out(k.pointer('void *')),
  ]);

  // Fill the unused members so koffi's struct conversion sees every field.
  const zeroWrite = { unused_bools: new Array<number>(7).fill(0), unused_ints: new Array<number>(7).fill(0), unused_ptrs: new Array<null>(7).fill(null) };
  const zeroPrune = { unused_bools: new Array<number>(6).fill(0), unused_ints: new Array<number>(6).fill(0), unused_ptrs: new Array<null>(7).fill(null) };

  return {
    g_variant_parse: glib.func('void *g_variant_parse(void *type, const char *text, void *limit, void *endptr, _Out_ void **error)'),
    g_variant_ref_sink: glib.func('void *g_variant_ref_sink(void *v)'),
    g_key_file_new: glib.func('void *g_key_file_new(void)'),
    g_key_file_load_from_data: glib.func('int g_key_file_load_from_data(void *kf, const char *data, size_t length, int flags, _Out_ void **error)'),
    g_key_file_set_string: glib.func('void g_key_file_set_string(void *kf, const char *group, const char *key, const char *value)'),
    g_key_file_remove_group: glib.func('int g_key_file_remove_group(void *kf, const char *group, void *err)'),
    g_key_file_remove_key: glib.func('int g_key_file_remove_key(void *kf, const char *group, const char *key, void *error)'),
    g_key_file_unref: glib.func('void g_key_file_unref(void *kf)'),
    g_ptr_array_new: glib.func('void *g_ptr_array_new(void)'),
    g_ptr_array_add: glib.func('void g_ptr_array_add(void *arr, void *p)'),
    g_strfreev: glib.func('void g_strfreev(void *v)'),
    g_hash_table_unref: glib.func('void g_hash_table_unref(void *t)'),
    g_cancellable_new: gio.func('void *g_cancellable_new(void)'),
    g_cancellable_cancel: gio.func('void g_cancellable_cancel(void *c)'),

    ostree_sysroot_try_lock: ost.func('int ostree_sysroot_try_lock(void *self, _Out_ int *acquired, _Out_ void **error)'),
    ostree_sysroot_unlock: ost.func('void ostree_sysroot_unlock(void *self)'),
    ostree_sysroot_load: ost.func('int ostree_sysroot_load(void *self, void *cancellable, _Out_ void **error)'),
    ostree_sysroot_is_booted: ost.func('int ostree_sysroot_is_booted(void *self)'),
    ostree_sysroot_get_merge_deployment: ost.func('void *ostree_sysroot_get_merge_deployment(void *self, const char *osname)'),
    ostree_sysroot_get_deployment_dirpath: ost.func('void *ostree_sysroot_get_deployment_dirpath(void *self, void *d)'),
    ostree_sysroot_deploy_tree: ost.func(
      'int ostree_sysroot_deploy_tree(void *self, const char *osname, const char *revision, void *origin, void *merge, void *kargv, _Out_ void **out_new, void *cancellable, _Out_ void **error)',
    ),
    ostree_sysroot_stage_tree: ost.func(
      'int ostree_sysroot_stage_tree(void *self, const char *osname, const char *revision, void *origin, void *merge, void *kargv, _Out_ void **out_new, void *cancellable, _Out_ void **error)',
    ),
    ostree_sysroot_get_staged_deployment: ost.func('void *ostree_sysroot_get_staged_deployment(void *self)'),
    ostree_sysroot_simple_write_deployment: ost.func(
      'int ostree_sysroot_simple_write_deployment(void *self, const char *osname, void *new_deployment, void *merge, int flags, void *cancellable, _Out_ void **error)',
    ),
    ostree_sysroot_write_deployments_with_options: (self, deployments, opts, cancellable, err) =>
      writeDeployments(self, deployments, { ...zeroWrite, ...opts }, cancellable, err) as number,
    ostree_sysroot_prepare_cleanup: ost.func('int ostree_sysroot_prepare_cleanup(void *self, void *cancellable, _Out_ void **error)'),
    ostree_sysroot_cleanup_prune_repo: (self, opts, total, pruned, size, cancellable, err) =>
      pruneRepo(self, { ...zeroPrune, ...opts }, total, pruned, size, cancellable, err) as number,

    ostree_deployment_origin_remove_transient_state: ost.func('void ostree_deployment_origin_remove_transient_state(void *origin)'),
    ostree_kernel_args_from_string: ost.func('void *ostree_kernel_args_from_string(const char *options)'),
    ostree_kernel_args_to_strv: ost.func('void *ostree_kernel_args_to_strv(void *kargs)'),
    ostree_kernel_args_free: ost.func('void ostree_kernel_args_free(void *kargs)'),

    ostree_repo_new: ost.func('void *ostree_repo_new(void *path)'),
    ostree_repo_open: ost.func('int ostree_repo_open(void *self, void *cancellable, _Out_ void **error)'),
    ostree_repo_resolve_rev: ost.func(
      'int ostree_repo_resolve_rev(void *self, const char *refspec, int allow_noent, _Out_ void **out_rev, _Out_ void **error)',
    ),
    ostree_repo_set_ref_immediate: ost.func(
      'int ostree_repo_set_ref_immediate(void *self, const char *remote, const char *ref, const char *checksum, void *cancellable, _Out_ void **error)',
    ),
    ostree_repo_traverse_new_reachable: ost.func('void *ostree_repo_traverse_new_reachable(void)'),
    ostree_repo_traverse_commit_union: ost.func(
      'int ostree_repo_traverse_commit_union(void *self, const char *commit, int maxdepth, void *reachable, void *cancellable, _Out_ void **error)',
    ),
    ostree_repo_load_commit_with_state: ost.func('ostree_repo_load_commit', 'int', [
      'void *',
      'const char *',
      k.out(k.pointer('void *')),
      k.out(k.pointer('uint32_t')),
      k.out(k.pointer('void *')),
    ]),
    ostree_commit_get_parent: ost.func('void *ostree_commit_get_parent(void *commit)'),
    ostree_parse_refspec: ost.func('int ostree_parse_refspec(const char *refspec, _Out_ void **out_remote, _Out_ void **out_ref, _Out_ void **error)'),
    ostree_repo_pull_with_options: pull,
    pullWithOptionsAsync: (...args) => {
      pull.async(...args);
    },

    ostree_async_progress_new: ost.func('void *ostree_async_progress_new(void)'),
    ostree_async_progress_get_uint: ost.func('uint32_t ostree_async_progress_get_uint(void *self, const char *key)'),
    ostree_async_progress_get_uint64: ost.func('uint64_t ostree_async_progress_get_uint64(void *self, const char *key)'),
    ostree_async_progress_finish: ost.func('void ostree_async_progress_finish(void *self)'),
  };
}
