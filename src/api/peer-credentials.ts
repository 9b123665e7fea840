/** Who is calling: the connection's peer credentials (SO_PEERCRED), or the D-Bus sender's. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /**
   * The caller's start time (clock ticks since boot, /proc/PID/stat) read when it connected:
   * with the pid, it names that very process for polkit even if the pid is reused later.
   */
  startTime?: bigint;
  /**
   * The process pinned when the connection was taken (socket peers): `check()` is null while
   * `pid` still names it, else why not. Authorization refuses a caller whose check fails.
   */
  process?: { check(): string | null };
  /**
   * D-Bus callers: the sender's unique name on the system bus. polkit is asked about it
   * (subject `system-bus-name`, as rpm-ostree does) rather than about a pid.
   */
  busName?: string;
}
