/**
 * Kernel argument editing with libostree's own OstreeKernelArgs, so quoting and key/value
 * handling are exactly what libostree's deploy code expects (rpm-ostree does the same).
 */
import { takeError, takeString, type GErrorOut } from '../glib.js';
import { koffi, type Ptr } from '../koffi.js';

interface KernelArgsFfi {
  from_string(options: string): Ptr;
  free(kargs: Ptr): void;
  append(kargs: Ptr, arg: string): void;
  append_if_missing(kargs: Ptr, arg: string): void;
  new_replace(kargs: Ptr, arg: string, err: GErrorOut): number;
  delete(kargs: Ptr, arg: string, err: GErrorOut): number;
  delete_if_present(kargs: Ptr, arg: string, err: GErrorOut): number;
  /** transfer full: g_free. */
  to_string(kargs: Ptr): Ptr | null;
}

let cached: KernelArgsFfi | undefined;

function ffi(): KernelArgsFfi {
  if (cached !== undefined) return cached;
  const lib = koffi().load('libostree-1.so.1');
  cached = {
    from_string: lib.func('void *ostree_kernel_args_from_string(const char *options)'),
    free: lib.func('void ostree_kernel_args_free(void *kargs)'),
    append: lib.func('void ostree_kernel_args_append(void *kargs, const char *arg)'),
    append_if_missing: lib.func('void ostree_kernel_args_append_if_missing(void *kargs, const char *arg)'),
    new_replace: lib.func('int ostree_kernel_args_new_replace(void *kargs, const char *arg, _Out_ void **error)'),
    delete: lib.func('int ostree_kernel_args_delete(void *kargs, const char *arg, _Out_ void **error)'),
    delete_if_present: lib.func('int ostree_kernel_args_delete_if_present(void *kargs, const char *arg, _Out_ void **error)'),
    to_string: lib.func('void *ostree_kernel_args_to_string(void *kargs)'),
  };
  return cached;
}

/** The edits of OS.KernelArgs: deletions first, then replacements, then appends. */
export interface KernelArgsEdit {
  append?: string[];
  replace?: string[];
  delete?: string[];
  appendIfMissing?: string[];
  deleteIfPresent?: string[];
}

/** A refused edit (e.g. deleting an argument that is not there), with libostree's message. */
export class KernelArgsError extends Error {}

/** Applies `edit` to the command line `options`; returns the new command line. */
export function editKernelArgs(options: string, edit: KernelArgsEdit): string {
  const f = ffi();
  const kargs = f.from_string(options);
  const checked = (ok: number, err: GErrorOut, what: string) => {
    if (!ok) throw new KernelArgsError(`${what}: ${takeError(err)?.message ?? 'refused'}`);
  };
  try {
    for (const arg of edit.deleteIfPresent ?? []) {
      const err: GErrorOut = [null];
      checked(f.delete_if_present(kargs, arg, err), err, `Deleting ${arg}`);
    }
    for (const arg of edit.delete ?? []) {
      const err: GErrorOut = [null];
      checked(f.delete(kargs, arg, err), err, `Deleting ${arg}`);
    }
    for (const arg of edit.replace ?? []) {
      const err: GErrorOut = [null];
      checked(f.new_replace(kargs, arg, err), err, `Replacing ${arg}`);
    }
    for (const arg of edit.append ?? []) f.append(kargs, arg);
    for (const arg of edit.appendIfMissing ?? []) f.append_if_missing(kargs, arg);
    return takeString(f.to_string(kargs)) ?? '';
  } finally {
    f.free(kargs);
  }
}
