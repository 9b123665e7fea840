import { closeSync, fstatSync } from 'node:fs';
import { JsonRpcCode, ProtocolError } from '../../api/errors.js';
import type { PassedFds } from '../../dispatcher/call-context.js';
import { statusFlags } from '../../util/scm-rights.js';

/** <fcntl.h> */
const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;
const O_PATH = 0o10000000;

/** Closes descriptors, ignoring ones already closed. */
export function closeAll(fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // Already closed: nothing to release.
    }
  }
}

/** Why a received descriptor is refused, or null: it must be a regular file opened for reading. */
export function refusal(fd: number): string | null {
  const flags = statusFlags(fd);
  if (flags < 0) return 'not an open descriptor';
  if ((flags & O_PATH) !== 0) return 'an O_PATH descriptor (open the file for reading)';
  if ((flags & O_ACCMODE) === O_WRONLY) return 'not opened for reading';
  try {
    if (!fstatSync(fd).isFile()) return 'not a regular file';
  } catch {
    return 'not an open descriptor';
  }
  return null;
}

/**
 * The descriptors that came with one request, in the order received. A handler takes the
 * ones its params name (ownership passes to it); the rest are closed when the request is
 * answered (release) or its connection closes.
 */
export class ReceivedFds implements PassedFds {
  private readonly fds: (number | null)[];
  private released = false;

  private constructor(
    fds: number[],
    private readonly signal: AbortSignal,
  ) {
    this.fds = fds;
    signal.addEventListener('abort', this.release, { once: true });
  }

  /** Checks every descriptor; on a refusal all are closed and the reason is returned. */
  static accept(fds: number[], signal: AbortSignal): ReceivedFds | string {
    for (const [i, fd] of fds.entries()) {
      const why = refusal(fd);
      if (why !== null) {
        closeAll(fds);
        return `descriptor ${i}: ${why}`;
      }
    }
    if (signal.aborted) {
      closeAll(fds);
      return 'connection closed';
    }
    return new ReceivedFds(fds, signal);
  }

  get count(): number {
    return this.fds.length;
  }

  take(index: number): number {
    const fd = Number.isInteger(index) && index >= 0 && !this.released ? this.fds[index] : undefined;
    if (fd === undefined || fd === null) {
      const why = fd === null ? 'was already taken' : `is not one of the ${this.fds.length} passed with the request`;
      throw new ProtocolError(JsonRpcCode.InvalidParams, `Invalid params: descriptor ${index} ${why}`);
    }
    this.fds[index] = null;
    return fd;
  }

  /** Closes what no handler took. */
  readonly release = (): void => {
    if (this.released) return;
    this.released = true;
    this.signal.removeEventListener('abort', this.release);
    closeAll(this.fds.filter((fd): fd is number => fd !== null));
    this.fds.fill(null);
  };
}
