/**
 * Extended attributes of a path, never following a symbolic link (libc's llistxattr,
 * lgetxattr, lsetxattr, lremovexattr through koffi: Node has none). For the overlay merge
 * (overlay-merge.ts), which carries a tree's attributes over and strips overlayfs's own.
 */
import { koffi } from '../ostree/koffi.js';

interface XattrCalls {
  list(path: string, buf: Buffer | null, size: number): number;
  get(path: string, name: string, buf: Buffer | null, size: number): number;
  set(path: string, name: string, value: Buffer, size: number, flags: number): number;
  remove(path: string, name: string): number;
}

let calls: XattrCalls | undefined;

function load(): XattrCalls {
  const libc = koffi().load('libc.so.6');
  const list = libc.func('long llistxattr(const char *path, _Out_ void *list, unsigned long size)');
  const get = libc.func('long lgetxattr(const char *path, const char *name, _Out_ void *value, unsigned long size)');
  const set = libc.func('int lsetxattr(const char *path, const char *name, const void *value, unsigned long size, int flags)');
  const remove = libc.func('int lremovexattr(const char *path, const char *name)');
  return {
    list: (path, buf, size) => Number(list(path, buf, size)),
    get: (path, name, buf, size) => Number(get(path, name, buf, size)),
    set: (path, name, value, size, flags) => Number(set(path, name, value, size, flags)),
    remove: (path, name) => Number(remove(path, name)),
  };
}

const x = (): XattrCalls => (calls ??= load());

/** <errno.h> */
const ERANGE = 34;
const ENODATA = 61;

function failed(call: string, path: string, name?: string): Error {
  const errno = koffi().errno();
  const e = new Error(`${call} ${path}${name === undefined ? '' : ` ${name}`}: errno ${errno}`) as NodeJS.ErrnoException;
  e.errno = errno;
  return e;
}

/** Calls `fill(buf, size)` (size 0: the length needed) until the answer fits; the bytes. */
function sized(fill: (buf: Buffer | null, size: number) => number, fail: () => Error): Buffer {
  for (;;) {
    const need = fill(null, 0);
    if (need < 0) throw fail();
    const buf = Buffer.alloc(Math.max(need, 1));
    const got = fill(buf, need);
    if (got >= 0) return buf.subarray(0, got);
    if (koffi().errno() !== ERANGE) throw fail();
  }
}

/** The names of `path`'s extended attributes (of the link itself for a symbolic link). */
export function listXattrs(path: string): string[] {
  const raw = sized(
    (b, n) => x().list(path, b, n),
    () => failed('llistxattr', path),
  );
  return raw
    .toString('latin1')
    .split('\0')
    .filter((n) => n !== '');
}

/** Attribute `name` of `path`; null when it has none. */
export function getXattr(path: string, name: string): Buffer | null {
  try {
    return sized(
      (b, n) => x().get(path, name, b, n),
      () => failed('lgetxattr', path, name),
    );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).errno === ENODATA) return null;
    throw e;
  }
}

/** Every attribute of `path` with its value. */
export function readXattrs(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of listXattrs(path)) {
    const value = getXattr(path, name);
    if (value !== null) out.set(name, value);
  }
  return out;
}

export function setXattr(path: string, name: string, value: Buffer): void {
  if (x().set(path, name, value, value.length, 0) !== 0) throw failed('lsetxattr', path, name);
}

export function removeXattr(path: string, name: string): void {
  if (x().remove(path, name) !== 0 && koffi().errno() !== ENODATA) throw failed('lremovexattr', path, name);
}
