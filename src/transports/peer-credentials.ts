import type { Socket } from 'node:net';
import { koffi } from '../backends/ostree/koffi.js';
import { goneProcess, pinWithPidfd, pinWithProc, type PinnedProcess } from '../authorization/pinned-process.js';
import type { PeerCredentials } from '../dispatcher/call-context.js';

/** <sys/socket.h>, <asm-generic/socket.h> */
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const SO_PEERPIDFD = 77;
/** <errno.h>: the kernel does not know the option (SO_PEERPIDFD before Linux 6.5). */
const ENOPROTOOPT = 92;

/**
 * `APT_OSTREED_PEER_PIDFD=0` pins peers through /proc even where SO_PEERPIDFD exists: the
 * path of kernels before 6.5, for tests.
 */
let pidfdSupported = process.env.APT_OSTREED_PEER_PIDFD !== '0';

interface SocketOptions {
  peerCred(fd: number): { pid: number; uid: number; gid: number } | null;
  /** The peer's pidfd; 'unsupported' when the kernel lacks SO_PEERPIDFD; null when it would not give one (the peer is gone). */
  peerPidfd(fd: number): number | 'unsupported' | null;
}
let options: SocketOptions | undefined;

function load(): SocketOptions {
  const k = koffi();
  // Anonymous struct: koffi's named types are process-global.
  const ucred = k.struct({ pid: 'int32_t', uid: 'uint32_t', gid: 'uint32_t' });
  const getsockopt = k.load('libc.so.6').func('int getsockopt(int fd, int level, int name, _Out_ void *value, _Inout_ uint32_t *length)');
  return {
    peerCred: (fd) => {
      const buf = Buffer.alloc(k.sizeof(ucred));
      if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, buf, [buf.length]) !== 0) return null;
      return k.decode(buf, ucred) as { pid: number; uid: number; gid: number };
    },
    peerPidfd: (fd) => {
      const buf = Buffer.alloc(4);
      if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, buf, [buf.length]) !== 0) return k.errno() === ENOPROTOOPT ? 'unsupported' : null;
      return buf.readInt32LE(0);
    },
  };
}

function pin(sockets: SocketOptions, fd: number, pid: number, uid: number): PinnedProcess {
  if (pidfdSupported) {
    const pidfd = sockets.peerPidfd(fd);
    if (typeof pidfd === 'number') return pinWithPidfd(pid, pidfd);
    if (pidfd === null) return goneProcess();
    pidfdSupported = false;
  }
  return pinWithProc(pid, uid);
}

/**
 * Who is on the other end of a Unix socket, from the kernel (SO_PEERCRED): the pid, uid and
 * gid of the process that connected, and that process pinned (SO_PEERPIDFD, else /proc; see
 * pinned-process.ts) so that its pid is never taken for a later process's. The pin is
 * released when the socket closes. Null if the kernel would not tell (not a Unix socket).
 */
export function peerCredentials(socket: Socket): PeerCredentials | null {
  // Node keeps the descriptor on the internal handle; there is no public accessor.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return null;
  options ??= load();
  const cred = options.peerCred(fd);
  if (cred === null) return null;
  const pinned = pin(options, fd, cred.pid, cred.uid);
  socket.once('close', () => pinned.close());
  return { pid: cred.pid, uid: cred.uid, gid: cred.gid, startTime: pinned.startTime, process: pinned };
}
