/**
 * What /proc says about a process tree: resident memory, CPU time and wake-ups (context
 * switches), summed over its threads where that matters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { childPids } from '../test/support/processes.js';

/** Resident set size of `pid` in MB (0 once it has exited). */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** CPU time (ns, from schedstat) and wake-ups (context switches) of every thread of `pid`. */
export function cpuAndWakeups(pid: number): { cpuNs: number; wakeups: number } {
  let cpuNs = 0;
  let wakeups = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      cpuNs += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      wakeups += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      wakeups += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // a thread ended meanwhile
    }
  }
  return { cpuNs, wakeups };
}

/**
 * Resident memory of a group of processes in MB with the file pages they share counted once:
 * per file mapping (path and offset), the largest resident size among the processes; plus
 * every process's anonymous memory. Summing VmRSS instead counts the node binary and
 * libostree (~50 MB resident in each node process) once per process.
 */
export function groupResidentMb(pids: number[]): number {
  const fileKb = new Map<string, number>();
  let anonKb = 0;
  for (const pid of pids) {
    let smaps: string;
    try {
      smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    let key: string | null = null;
    let rss = 0;
    const flush = () => {
      if (key !== null) fileKb.set(key, Math.max(fileKb.get(key) ?? 0, rss));
    };
    for (const line of smaps.split('\n')) {
      const header = /^[0-9a-f]+-[0-9a-f]+ \S+ ([0-9a-f]+) \S+ (\d+)\s*(.*)$/.exec(line);
      if (header !== null) {
        flush();
        // File-backed when it has an inode; its copied-on-write pages count as anonymous below.
        key = header[2] === '0' ? null : `${header[3]}@${header[1]}`;
        rss = 0;
        continue;
      }
      const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
      if (field === null) continue;
      const kb = Number(field[2]);
      if (field[1] === 'Anonymous') {
        anonKb += kb;
        rss -= kb;
      } else if (key !== null) {
        rss += kb;
      } else {
        // Anonymous mapping: counted by its Anonymous line.
      }
    }
    flush();
  }
  let total = anonKb;
  for (const kb of fileKb.values()) total += kb;
  return total / 1024;
}

/**
 * Samples `pid` and its direct children (the daemon and its worker) every `everyMs` until
 * stopped; `stop()` returns the peaks of the summed VmRSS and of {@link groupResidentMb}, in MB.
 */
export function peakMemorySampler(pid: number, everyMs = 50): { stop(): { rssSum: number; group: number } } {
  const peak = { rssSum: 0, group: 0 };
  const sample = () => {
    const pids = [pid, ...childPids(pid)];
    peak.rssSum = Math.max(
      peak.rssSum,
      pids.reduce((sum, p) => sum + rssMb(p), 0),
    );
    peak.group = Math.max(peak.group, groupResidentMb(pids));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
