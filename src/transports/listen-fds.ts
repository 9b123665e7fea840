/**
 * systemd socket activation (sd_listen_fds(3)), done inline: the npm `systemd-socket`
 * package ignores LISTEN_PID and LISTEN_FDNAMES and never clears the environment.
 */

/** First passed file descriptor, as sd-daemon.h defines it. */
export const SD_LISTEN_FDS_START = 3;

export interface ListenFd {
  fd: number;
  name: string;
}

/**
 * The sockets systemd passed to this process, or [] when it was not socket-activated.
 * The variables are removed so child processes do not think the fds are theirs.
 */
export function takeListenFds(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): ListenFd[] {
  const listenPid = env.LISTEN_PID;
  const listenFds = env.LISTEN_FDS;
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  if (listenPid === undefined || listenFds === undefined) return [];
  if (Number(listenPid) !== pid) return [];
  const count = Number(listenFds);
  if (!Number.isInteger(count) || count <= 0) return [];
  return Array.from({ length: count }, (_, i) => ({
    fd: SD_LISTEN_FDS_START + i,
    name: names[i] !== undefined && names[i] !== '' ? names[i] : 'unknown',
  }));
}
