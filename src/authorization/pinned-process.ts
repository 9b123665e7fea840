import { closeSync, readFileSync } from 'node:fs';
import { koffi } from '../backends/ostree/koffi.js';
import { processStartTime } from './process-start-time.js';

/**
 * The process at the other end of a connection, pinned when the connection is taken, so that
 * its pid is never taken for another process's (a pid is reused once its process is gone).
 *
 * With a pidfd (SO_PEERPIDFD, Linux ≥ 6.5) the kernel itself names the process that
 * connected: it is the caller as long as the pidfd does not report its exit. Without one
 * (older kernels), /proc is read when the connection is accepted and read again at each
 * check: the euid must still be the connecting uid and the start time unchanged. That
 * fallback cannot tell the caller from a process of the same uid that took its pid before the
 * connection was accepted (it gains nothing a process of that uid does not have).
 */
export interface PinnedProcess {
  /** The start time (clock ticks since boot) of the pinned process; undefined when it was gone already. */
  readonly startTime: bigint | undefined;
  /** null while the pid still names the process that connected; else why not. */
  check(): string | null;
  /** Releases the pidfd. */
  close(): void;
}

const GONE = 'has exited';
const REPLACED = 'is gone: its pid now names another process';

/** <poll.h> */
const POLLIN = 0x1;
type Poll = (fds: Buffer, nfds: number, timeout: number) => number;
let poll: Poll | undefined;

/** True once the process of `pidfd` has exited (a pidfd polls readable then). */
function exited(pidfd: number): boolean {
  poll ??= koffi().load('libc.so.6').func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)') as Poll;
  const fds = Buffer.alloc(8); // struct pollfd { int fd; short events; short revents; }
  fds.writeInt32LE(pidfd, 0);
  fds.writeInt16LE(POLLIN, 4);
  // Non-blocking: 0 ready means still running; an error (EBADF) counts as gone.
  const ready = poll(fds, 1, 0);
  return ready !== 0 && (ready < 0 || (fds.readInt16LE(6) & POLLIN) !== 0);
}

/** The effective uid in /proc/PID/status, or null when the process is gone. */
function effectiveUid(pid: number): number | null {
  try {
    const line = /^Uid:\s+\d+\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line === null ? null : Number(line[1]);
  } catch {
    return null;
  }
}

function startTimeOf(pid: number): bigint | undefined {
  try {
    return processStartTime(pid);
  } catch {
    return undefined;
  }
}

/** Pins with the pidfd the kernel gave for the peer (the pidfd is owned, and closed, by the pin). */
export function pinWithPidfd(pid: number, pidfd: number): PinnedProcess {
  // Read /proc, then make sure the pidfd's process was alive after the read: then what was
  // read is that process's, not a successor's.
  const read = startTimeOf(pid);
  const startTime = exited(pidfd) ? undefined : read;
  let open = true;
  return {
    startTime,
    check: () => (startTime === undefined || !open || exited(pidfd) ? GONE : null),
    close: () => {
      if (!open) return;
      open = false;
      closeSync(pidfd);
    },
  };
}

/** Pins by /proc only (no pidfd): the euid and start time read now must hold at each check. */
export function pinWithProc(pid: number, uid: number): PinnedProcess {
  const startTime = startTimeOf(pid);
  const changedAtAccept = startTime !== undefined && effectiveUid(pid) !== uid;
  return {
    startTime: changedAtAccept ? undefined : startTime,
    check: () => {
      if (changedAtAccept) return REPLACED;
      if (startTime === undefined) return GONE;
      const now = startTimeOf(pid);
      if (now === undefined) return GONE;
      if (now !== startTime || effectiveUid(pid) !== uid) return REPLACED;
      return null;
    },
    close: () => {},
  };
}

/** A peer that was gone before it could be pinned (e.g. the kernel would not give its pidfd). */
export function goneProcess(): PinnedProcess {
  return { startTime: undefined, check: () => GONE, close: () => {} };
}
