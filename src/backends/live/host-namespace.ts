/**
 * How a process of the daemon reaches the host's mount namespace, where the running system's
 * /usr is. The service runs with PrivateMounts=yes: its mounts are its own; a mount made in
 * there (the overlay over /usr) would be seen by nobody, and joining PID 1's namespace needs
 * CAP_SYS_PTRACE, which the service does not have (even reading /proc/1/ns/mnt is refused). So,
 * as rpm-ostreed does, such a process is started by systemd as a transient unit (systemd-run),
 * which runs in the host's namespace. A daemon that is in PID 1's namespace (started by hand,
 * or inside a test's sandbox, whose PID 1 is the sandbox's) runs the process directly.
 */
import { existsSync, readlinkSync } from 'node:fs';

/** Whether this process's mount namespace is PID 1's: yes, no, or unknown (PID 1's cannot be read). */
export function mountNamespaceOfPid1(read: (path: string) => string = readlinkSync): 'same' | 'other' | 'unknown' {
  try {
    return read('/proc/self/ns/mnt') === read('/proc/1/ns/mnt') ? 'same' : 'other';
  } catch {
    return 'unknown';
  }
}

/**
 * argv that runs `argv` in the host's mount namespace, stdin, stdout and stderr passed through:
 * through systemd when PID 1's namespace is another, or cannot be read and systemd is running
 * (a service's sandbox); directly otherwise.
 */
export function inHostNamespace(argv: string[], unitName: string, where = mountNamespaceOfPid1(), systemd = existsSync('/run/systemd/system')): string[] {
  if (where === 'same' || (where === 'unknown' && !systemd)) return argv;
  return ['systemd-run', '--quiet', '--wait', '--pipe', '--collect', '--service-type=exec', `--unit=${unitName}`, '--', ...argv];
}
