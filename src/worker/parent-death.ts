import { koffi } from '../backends/ostree/koffi.js';

/** <sys/prctl.h> */
const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;

/**
 * Asks the kernel to SIGKILL this worker when the daemon dies, so a crashed daemon never
 * leaves a worker writing to the sysroot behind the back of its successor. If the daemon
 * is already gone (we were re-parented), exit at once.
 */
export function dieWithParent(): void {
  // The daemon's pid comes from the daemon itself: if it died before prctl() below, ppid is
  // already someone else's and comparing with it would prove nothing.
  const parent = Number(process.env.APT_OSTREED_PARENT_PID ?? process.ppid);
  const libc = koffi().load('libc.so.6');
  const prctl = libc.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)');
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (process.ppid !== parent) process.exit(1);
}
