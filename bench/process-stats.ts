/**
 * What /proc says about a process tree: resident memory, CPU time and wake-ups (context
 * switches), summed over its threads where that matters.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size of `pid` in MB (0 once it has exited). */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The direct children of `pid` (every thread's children). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text !== '') out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // exited meanwhile
  }
  return out;
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
 * Samples the RSS of `pid` plus its direct children (the daemon and its worker) every
 * `everyMs` until stopped; `stop()` returns the peak of the sum, in MB.
 */
export function peakRssSampler(pid: number, everyMs = 10): { stop(): number } {
  let peak = 0;
  const sample = () => {
    const total = rssMb(pid) + childrenOf(pid).reduce((sum, c) => sum + rssMb(c), 0);
    peak = Math.max(peak, total);
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
