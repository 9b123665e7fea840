/**
 * argv that runs a program so that it gets SIGKILL when the process that started it dies
 * (util-linux's `setpriv --pdeathsig`, PR_SET_PDEATHSIG): apt-get, ostree and dpkg-deb started
 * by a worker never outlive it — the worker itself dies with the daemon — so a daemon killed
 * mid-transaction leaves nothing writing behind the back of its successor. bwrap has its own
 * `--die-with-parent`.
 */
export function dyingWithParent(cmd: string, args: string[]): [string, string[]] {
  return ['setpriv', ['--pdeathsig', 'KILL', '--', cmd, ...args]];
}
