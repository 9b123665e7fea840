/**
 * libostree-1 functions through koffi (read path), declared once per process on first use.
 *
 * Ownership follows libostree's annotations: getters marked "transfer none" return
 * pointers we must not free; `load_commit`'s out_commit and `get_deployments`'s array
 * (transfer container) are ours to release. See glib.ts for the string conventions.
 */
import { koffi, type Ptr } from './koffi.js';
import type { GErrorOut } from './glib.js';

/** Typed libostree entry points used by the sysroot reader. */
interface LibOstree {
  ostree_sysroot_new(path: Ptr): Ptr;
  ostree_sysroot_load_if_changed(self: Ptr, outChanged: [number], cancellable: null, err: GErrorOut): number;
  /** transfer container: release with g_ptr_array_unref, not the elements. */
  ostree_sysroot_get_deployments(self: Ptr): Ptr;
  ostree_sysroot_get_booted_deployment(self: Ptr): Ptr | null;
  /** transfer none. */
  ostree_sysroot_repo(self: Ptr): Ptr;
  ostree_deployment_get_osname(d: Ptr): string;
  ostree_deployment_get_csum(d: Ptr): string;
  ostree_deployment_get_deployserial(d: Ptr): number;
  ostree_deployment_get_index(d: Ptr): number;
  /** GKeyFile, transfer none; null when the deployment has no origin. */
  ostree_deployment_get_origin(d: Ptr): Ptr | null;
  /** OstreeBootconfigParser, transfer none. */
  ostree_deployment_get_bootconfig(d: Ptr): Ptr | null;
  ostree_deployment_is_pinned(d: Ptr): number;
  ostree_deployment_is_staged(d: Ptr): number;
  ostree_deployment_get_unlocked(d: Ptr): number;
  ostree_deployment_unlocked_state_to_string(state: number): string;
  ostree_bootconfig_parser_get(parser: Ptr, key: string): string | null;
  ostree_repo_load_commit(repo: Ptr, checksum: string, outCommit: [Ptr | null], outState: null, err: GErrorOut): number;
  /** Already converted from the big-endian stored value. */
  ostree_commit_get_timestamp(commit: Ptr): bigint | number;
}

let cached: LibOstree | undefined;

/** The libostree bindings, loaded on first call. */
export function libostree(): LibOstree {
  return (cached ??= load());
}

function load(): LibOstree {
  const lib = koffi().load('libostree-1.so.1');
  return {
    ostree_sysroot_new: lib.func('void *ostree_sysroot_new(void *path)'),
    ostree_sysroot_load_if_changed: lib.func('int ostree_sysroot_load_if_changed(void *self, _Out_ int *out_changed, void *cancellable, _Out_ void **error)'),
    ostree_sysroot_get_deployments: lib.func('void *ostree_sysroot_get_deployments(void *self)'),
    ostree_sysroot_get_booted_deployment: lib.func('void *ostree_sysroot_get_booted_deployment(void *self)'),
    ostree_sysroot_repo: lib.func('void *ostree_sysroot_repo(void *self)'),
    ostree_deployment_get_osname: lib.func('const char *ostree_deployment_get_osname(void *d)'),
    ostree_deployment_get_csum: lib.func('const char *ostree_deployment_get_csum(void *d)'),
    ostree_deployment_get_deployserial: lib.func('int ostree_deployment_get_deployserial(void *d)'),
    ostree_deployment_get_index: lib.func('int ostree_deployment_get_index(void *d)'),
    ostree_deployment_get_origin: lib.func('void *ostree_deployment_get_origin(void *d)'),
    ostree_deployment_get_bootconfig: lib.func('void *ostree_deployment_get_bootconfig(void *d)'),
    ostree_deployment_is_pinned: lib.func('int ostree_deployment_is_pinned(void *d)'),
    ostree_deployment_is_staged: lib.func('int ostree_deployment_is_staged(void *d)'),
    ostree_deployment_get_unlocked: lib.func('int ostree_deployment_get_unlocked(void *d)'),
    ostree_deployment_unlocked_state_to_string: lib.func('const char *ostree_deployment_unlocked_state_to_string(int state)'),
    ostree_bootconfig_parser_get: lib.func('const char *ostree_bootconfig_parser_get(void *parser, const char *key)'),
    ostree_repo_load_commit: lib.func(
      'int ostree_repo_load_commit(void *repo, const char *checksum, _Out_ void **out_commit, void *out_state, _Out_ void **error)',
    ),
    ostree_commit_get_timestamp: lib.func('uint64_t ostree_commit_get_timestamp(void *commit)'),
  };
}
