/**
 * Files of /etc in the initramfs (rpm-ostree's `initramfs-etc`): the tracked files, as the merge
 * deployment's /etc has them, go into a small newc cpio archive that is appended to the tree's
 * `usr/lib/modules/KVER/initramfs.img`. The kernel unpacks concatenated archives in order
 * (compressed or not; NUL bytes between them are skipped, and an uncompressed one must start at
 * a multiple of 4), so the files land over whatever the image itself has at those paths.
 *
 * The image in a checkout is a hardlink into the repository: the new one is a copy next to it,
 * with the archive appended, that then replaces it by rename. The /etc files are read without
 * following links (../fs/in-tree.ts): each directory on the way must be a real one, the file a
 * regular file, and the file opened is checked to be the one looked at.
 */
import { closeSync, constants, copyFileSync, fstatSync, openSync, readFileSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { absentInTree, directoryInTree, lstatInTree, PlantedPathError, regularFileInTree } from '../fs/in-tree.js';
import { InitramfsError, treeKernel } from './regenerate.js';

/** Why `path` cannot be tracked (syntax only: absolute, under /etc, plain components), or null. */
export function etcPathProblem(path: string): string | null {
  if (!path.startsWith('/')) return `Path must be absolute: ${path}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f;]/.test(path)) return `Path has a control character or ';': ${JSON.stringify(path)}`;
  const parts = path.split('/').slice(1);
  if (parts.includes('..')) return `Path must not contain '..': ${path}`;
  if (parts[0] !== 'etc' || parts.length < 2) return `Path outside /etc forbidden: ${path}`;
  if (parts.some((p) => p === '' || p === '.')) return `Path must be canonical (no empty or '.' components): ${path}`;
  return null;
}

/** The largest file put into the initramfs (each is read into memory whole). */
const MAX_FILE_SIZE = 64 * 1024 * 1024;

/** One tracked file read from an /etc. */
interface EtcFile {
  /** Relative to the root, e.g. `etc/crypttab`. */
  rel: string;
  stat: Stats;
  data: Buffer;
}

/**
 * `path` (e.g. `/etc/crypttab`) as `root`'s /etc has it: a regular file, reached through real
 * directories only. A string says why not (missing, a link, another kind of file).
 */
export function readEtcFile(root: string, path: string): EtcFile | string {
  const rel = path.slice(1);
  let st: Stats | null;
  try {
    st = lstatInTree(root, rel);
  } catch (e) {
    if (e instanceof PlantedPathError) return `${path}: /${e.path} is ${e.found}, not a directory`;
    throw e;
  }
  if (st === null) return `${path}: no such file`;
  if (!st.isFile()) return `${path}: not a regular file`;
  if (st.size > MAX_FILE_SIZE) return `${path}: larger than ${MAX_FILE_SIZE / 1024 / 1024} MiB`;
  const fd = openSync(join(root, rel), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const opened = fstatSync(fd);
    if (opened.ino !== st.ino || opened.dev !== st.dev || opened.size > MAX_FILE_SIZE) return `${path}: changed while it was read`;
    return { rel, stat: opened, data: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

/** One newc entry: header, name (NUL-terminated) and data, each padded to 4 bytes. */
function entry(ino: number, name: string, mode: number, st: { uid: number; gid: number; mtime: number }, data: Buffer, nlink: number): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const fields = [ino, mode, st.uid, st.gid, nlink, st.mtime, data.length, 0, 0, 0, 0, nameBytes.length, 0];
  const header = Buffer.from(`070701${fields.map(hex).join('')}`, 'ascii');
  return Buffer.concat([header, nameBytes, pad4(header.length + nameBytes.length), data, pad4(data.length)]);
}

/** A newc archive of `files` and the directories above them (taken from `root`), ending with the trailer. */
export function newcArchive(root: string, files: EtcFile[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const dirs = new Set<string>();
  for (const f of files) {
    const segments = f.rel.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      const st = lstatInTree(root, dir);
      const owner = st === null ? { uid: 0, gid: 0, mtime: 0 } : { uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
      parts.push(entry(ino++, dir, st === null ? 0o40755 : st.mode, owner, Buffer.alloc(0), 2));
    }
    parts.push(entry(ino++, f.rel, f.stat.mode, { uid: f.stat.uid, gid: f.stat.gid, mtime: Math.floor(f.stat.mtimeMs / 1000) }, f.data, 1));
  }
  parts.push(entry(0, 'TRAILER!!!', 0, { uid: 0, gid: 0, mtime: 0 }, Buffer.alloc(0), 1));
  return Buffer.concat(parts);
}

/** What {@link appendEtcOverlay} did. */
export interface EtcOverlay {
  kernelVersion: string;
  /** The files put into the image. */
  included: string[];
  /** Tracked files left out, each with the reason (gone from /etc since it was tracked, say). */
  skipped: string[];
}

/**
 * Appends the tracked `paths` of `etcRoot`'s /etc (a deployment's root) to the initramfs of
 * `tree`'s one kernel, as a newc archive; the image is replaced, never written in place.
 */
export function appendEtcOverlay(tree: string, etcRoot: string, paths: string[]): EtcOverlay {
  const kver = treeKernel(tree, 'adding /etc files to the initramfs');
  const image = `usr/lib/modules/${kver}/initramfs.img`;
  const current = regularFileInTree(tree, image);
  if (current === null) throw new InitramfsError(`The tree has no ${image} to add /etc files to`);
  const files: EtcFile[] = [];
  const skipped: string[] = [];
  for (const path of paths) {
    const f = readEtcFile(etcRoot, path);
    if (typeof f === 'string') skipped.push(f);
    else files.push(f);
  }
  if (files.length === 0) return { kernelVersion: kver, included: [], skipped };
  const fresh = absentInTree(tree, `${image}.apt-ostree-new`);
  copyFileSync(current, fresh, constants.COPYFILE_EXCL);
  try {
    const fd = openSync(fresh, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
    try {
      const size = fstatSync(fd).size;
      writeSync(fd, Buffer.concat([pad4(size), newcArchive(etcRoot, files)]));
    } finally {
      closeSync(fd);
    }
    renameSync(fresh, join(directoryInTree(tree, `usr/lib/modules/${kver}`), 'initramfs.img'));
  } catch (e) {
    rmSync(fresh, { force: true });
    throw e;
  }
  return { kernelVersion: kver, included: files.map((f) => `/${f.rel}`), skipped };
}
