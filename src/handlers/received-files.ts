/**
 * Files a request passed as open descriptors (docs/fd-passing.md), taken into the daemon's own
 * storage before its transaction starts: read through the descriptor only (never a path the
 * client named), checked to be a Debian binary package of bounded size, and kept as
 * `<dir>/<sha256>.deb` (root's, 0600) for the worker, which imports it into the repository; the
 * daemon removes it when the request lets go of it (received-file-holds.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { JsonRpcCode, ProtocolError } from '../api/errors.js';
import type { CallContext } from '../dispatcher/call-context.js';
import { takeFd } from '../dispatcher/fd-params.js';
import type { ReceivedFileHolds } from './received-file-holds.js';

/** The largest .deb taken (Debian's largest binary packages are a few hundred MiB). */
export const MAX_DEB_BYTES = 1024 * 1024 * 1024;

/** ar(1)'s magic, then the first member's 16-byte name field: a .deb starts with debian-binary. */
const DEB_START = Buffer.from('!<arch>\ndebian-binary   ', 'latin1');

function refused(param: string, why: string): ProtocolError {
  return new ProtocolError(JsonRpcCode.InvalidParams, `Invalid params: ${param}: ${why}`);
}

/** Copies the file behind `fd` into `dir` as `<sha256>.deb`; returns the sha256. */
function storeDeb(fd: number, dir: string, param: string): string {
  const size = fstatSync(fd).size;
  if (size > MAX_DEB_BYTES) throw refused(param, `${size} bytes, more than the ${MAX_DEB_BYTES} a package may have`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const partial = join(dir, `.partial-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const out = openSync(partial, 'wx', 0o600);
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1024 * 1024);
  let position = 0;
  try {
    // pread at explicit offsets: the descriptor's offset is the client's.
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      if (position === 0 && (n < DEB_START.length || !chunk.subarray(0, DEB_START.length).equals(DEB_START))) {
        throw refused(param, 'not a Debian binary package (a .deb starts with an ar archive whose first member is debian-binary)');
      }
      position += n;
      if (position > MAX_DEB_BYTES) throw refused(param, `more than the ${MAX_DEB_BYTES} bytes a package may have`);
      hash.update(chunk.subarray(0, n));
      writeSync(out, chunk, 0, n);
    }
    if (position === 0) throw refused(param, 'an empty file is not a Debian package');
  } catch (e) {
    closeSync(out);
    rmSync(partial, { force: true });
    throw e;
  }
  closeSync(out);
  const sha256 = hash.digest('hex');
  renameSync(partial, join(dir, `${sha256}.deb`));
  return sha256;
}

/**
 * Takes the descriptors `refs` name (`{"fd": N}`) from the request and stores each file under
 * `holds.dir`, held by the caller (received-file-holds.ts), who releases them; returns their
 * sha256s in order. Every descriptor taken is closed. When one fails, those stored before it are
 * released.
 */
export function receiveDebs(ctx: Pick<CallContext, 'fds'>, refs: readonly unknown[], holds: ReceivedFileHolds, param: string): string[] {
  const stored: string[] = [];
  try {
    refs.forEach((ref, i) => {
      const fd = takeFd(ctx, ref, `${param}[${i}]`);
      try {
        const sha256 = storeDeb(fd, holds.dir, `${param}[${i}]`);
        holds.hold([sha256]);
        stored.push(sha256);
      } finally {
        closeSync(fd);
      }
    });
  } catch (e) {
    holds.release(stored);
    throw e;
  }
  return stored;
}
