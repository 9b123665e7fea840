import { readFileSync } from 'node:fs';

/**
 * A process's start time in clock ticks since boot (/proc/PID/stat, field 22). polkit pairs
 * it with the pid so that a recycled pid cannot borrow the rights of the process it replaced.
 */
export function processStartTime(pid: number): bigint {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 is fields[19].
  return BigInt(fields[19]);
}
