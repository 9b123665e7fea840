import type { Socket } from 'node:net';
import { koffi } from '../backends/ostree/koffi.js';
import { processStartTime } from '../authorization/process-start-time.js';
import type { PeerCredentials } from '../dispatcher/call-context.js';

/** <sys/socket.h> */
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

type GetPeerCred = (fd: number) => PeerCredentials | null;
let getPeerCred: GetPeerCred | undefined;

function load(): GetPeerCred {
  const k = koffi();
  // Anonymous struct: koffi's named types are process-global.
  const ucred = k.struct({ pid: 'int32_t', uid: 'uint32_t', gid: 'uint32_t' });
  const getsockopt = k
    .load('libc.so.6')
    .func('int getsockopt(int fd, int level, int name, _Out_ void *value, _Inout_ uint32_t *length)');
  return (fd) => {
    const buf = Buffer.alloc(k.sizeof(ucred));
    const length = [buf.length];
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, buf, length) !== 0) return null;
    const cred = k.decode(buf, ucred) as { pid: number; uid: number; gid: number };
    let startTime: bigint | undefined;
    try {
      startTime = processStartTime(cred.pid);
    } catch {
      // The client is already gone; polkit will find nothing to authorize.
    }
    return { pid: cred.pid, uid: cred.uid, gid: cred.gid, startTime };
  };
}

/**
 * Who is on the other end of a Unix socket, from the kernel (SO_PEERCRED): the pid, uid and
 * gid of the process that connected. Null if the kernel would not tell (not a Unix socket).
 */
export function peerCredentials(socket: Socket): PeerCredentials | null {
  // Node keeps the descriptor on the internal handle; there is no public accessor.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return null;
  getPeerCred ??= load();
  return getPeerCred(fd);
}
