/**
 * GLib, GObject and GIO functions through koffi, declared once per process on first use.
 *
 * Conventions: objects are `void *` (bigint or null);
 * a `char *` the caller must free is declared `void *` and freed with {@link takeString},
 * because a `char *` return type makes koffi copy the text and drop the pointer (a leak);
 * a `const char *` owned by the callee is declared `const char *` and copied by koffi.
 */
import { koffi, type Ptr } from './koffi.js';

/** `GError **` out-parameter: pass `[null]`, read `[0]` after the call. */
export type GErrorOut = [Ptr | null];

/** Typed GLib/GObject/GIO entry points used by the OSTree backend. */
interface GLib {
  g_free(p: Ptr | null): void;
  g_error_free(err: Ptr): void;
  g_quark_to_string(quark: number): string | null;
  g_object_ref(obj: Ptr): Ptr;
  g_object_unref(obj: Ptr): void;
  g_ptr_array_unref(arr: Ptr): void;
  g_key_file_to_data(keyfile: Ptr, length: null, err: null): Ptr | null;
  g_file_new_for_path(path: string): Ptr;
  g_variant_unref(v: Ptr): void;
  g_variant_get_child_value(v: Ptr, index: number): Ptr;
  g_variant_n_children(v: Ptr): number;
  /** `expected_type` is a GVariantType, which is a type string such as "s" or "as". */
  g_variant_lookup_value(dict: Ptr, key: string, expectedType: string | null): Ptr | null;
  g_variant_get_string(v: Ptr, length: null): string;
  g_variant_get_boolean(v: Ptr): number;
  /** Decodes `struct GError { GQuark domain; gint code; gchar *message; }`. */
  decodeError(err: Ptr): { domain: number; code: number; message: string };
  /** Decodes `struct GPtrArray { gpointer *pdata; guint len; }` into its elements. */
  ptrArrayItems(arr: Ptr): Ptr[];
  /** Copies a NUL-terminated string at `p` into JavaScript (no free). */
  decodeString(p: Ptr): string;
}

let cached: GLib | undefined;

/** The GLib bindings, loaded on first call (libraries are dlopen'd once per process). */
export function glib(): GLib {
  return (cached ??= load());
}

function load(): GLib {
  const k = koffi();
  const libglib = k.load('libglib-2.0.so.0');
  const libgobject = k.load('libgobject-2.0.so.0');
  const libgio = k.load('libgio-2.0.so.0');
  // Anonymous structs: named koffi types are process-global and another module
  // (the write path) may declare its own `GError`.
  const GErrorStruct = k.struct({ domain: 'uint32_t', code: 'int32_t', message: 'const char *' });
  const GPtrArrayStruct = k.struct({ pdata: 'void *', len: 'uint32_t' });
  return {
    g_free: libglib.func('void g_free(void *p)'),
    g_error_free: libglib.func('void g_error_free(void *err)'),
    g_quark_to_string: libglib.func('const char *g_quark_to_string(uint32_t quark)'),
    g_object_ref: libgobject.func('void *g_object_ref(void *obj)'),
    g_object_unref: libgobject.func('void g_object_unref(void *obj)'),
    g_ptr_array_unref: libglib.func('void g_ptr_array_unref(void *arr)'),
    g_key_file_to_data: libglib.func('void *g_key_file_to_data(void *kf, void *length, void *err)'),
    g_file_new_for_path: libgio.func('void *g_file_new_for_path(const char *path)'),
    g_variant_unref: libglib.func('void g_variant_unref(void *v)'),
    g_variant_get_child_value: libglib.func('void *g_variant_get_child_value(void *v, size_t index)'),
    g_variant_n_children: libglib.func('size_t g_variant_n_children(void *v)'),
    g_variant_lookup_value: libglib.func('void *g_variant_lookup_value(void *dict, const char *key, const char *expected_type)'),
    g_variant_get_string: libglib.func('const char *g_variant_get_string(void *v, void *length)'),
    g_variant_get_boolean: libglib.func('int g_variant_get_boolean(void *v)'),
    decodeError(err) {
      const e = k.decode(err, GErrorStruct) as { domain: number; code: number; message: string | null };
      return { domain: e.domain, code: e.code, message: e.message ?? '' };
    },
    ptrArrayItems(arr) {
      const a = k.decode(arr, GPtrArrayStruct) as { pdata: Ptr | null; len: number };
      if (a.len === 0 || a.pdata === null) return [];
      return k.decode(a.pdata, 'void *', a.len) as Ptr[];
    },
    decodeString(p) {
      return k.decode(p, 'char', -1) as string;
    },
  };
}

/** Copies a caller-owned `char *` into JavaScript and frees it; NULL gives null. */
export function takeString(p: Ptr | null): string | null {
  if (p === null) return null;
  const g = glib();
  try {
    return g.decodeString(p);
  } finally {
    g.g_free(p);
  }
}

/** A GError taken out of a `GError **`: decoded, then freed. */
interface TakenError {
  domain: string;
  code: number;
  message: string;
}

/** Decodes and frees the GError left in `out[0]`; null when none was set. */
export function takeError(out: GErrorOut): TakenError | null {
  const p = out[0];
  if (p === null) return null;
  out[0] = null;
  const g = glib();
  try {
    const e = g.decodeError(p);
    return { domain: g.g_quark_to_string(e.domain) ?? '', code: e.code, message: e.message };
  } finally {
    g.g_error_free(p);
  }
}
