/**
 * How a process of the daemon reaches the host's mount namespace, where the running system's
 * /usr is. The service runs with PrivateMounts=yes: its mounts are its own and the host's reach
 * it as a slave copy; a mount made in there (the overlay over /usr) would be seen by nobody, and
 * joining PID 1's namespace directly needs CAP_SYS_PTRACE, which the service does not have. So,
 * as rpm-ostreed does, such a process is started by systemd as a transient unit (systemd-run),
 * which runs in the host's namespace. A daemon that is in a namespace that propagates its
 * mounts (started by hand, or a test's sandbox) runs the process directly.
 */
import { readFileSync } from 'node:fs';

/**
 * True when the daemon's root mount receives the host's mounts without sharing its own
 * (`master:N` without `shared:N` in /proc/self/mountinfo): a slave namespace such as
 * PrivateMounts=yes makes.
 */
export function inSlaveMountNamespace(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): boolean {
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields[4] !== '/') continue;
    const optional = fields.slice(6, fields.indexOf('-'));
    return optional.some((f) => f.startsWith('master:')) && !optional.some((f) => f.startsWith('shared:'));
  }
  return false;
}

/** argv that runs `argv` in the host's mount namespace, stdin, stdout and stderr passed through. */
export function inHostNamespace(argv: string[], unitName: string, slave = inSlaveMountNamespace()): string[] {
  if (!slave) return argv;
  return ['systemd-run', '--quiet', '--wait', '--pipe', '--collect', '--service-type=exec', `--unit=${unitName}`, '--', ...argv];
}
