/**
 * An idle daemon beside an idle bare node process, over the same 30 s: the CPU time each used
 * (the seed asks < 5 % for the daemon) and how often its threads woke up (the goal: never).
 */
import type { BenchTools } from './bench-tools.js';
import { cpuAndWakeups } from './process-stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function idleFigures(daemonPid: number, barePid: number, t: BenchTools, seconds = 30): Promise<void> {
  const before = [cpuAndWakeups(daemonPid), cpuAndWakeups(barePid)];
  await sleep(seconds * 1000);
  const after = [cpuAndWakeups(daemonPid), cpuAndWakeups(barePid)];
  const cpuPercent = (k: number) => ((after[k].cpuNs - before[k].cpuNs) / (seconds * 1e9)) * 100;
  const wakeups = (k: number) => after[k].wakeups - before[k].wakeups;
  t.addWithLimit(`idle CPU over ${seconds} s (baseline: a bare idle node process)`, cpuPercent(0), cpuPercent(1), '%', 5);
  // Wake-ups: the goal is none; a bare node process wakes for nothing either.
  t.addWithLimit(`idle wake-ups (context switches of all threads) over ${seconds} s`, wakeups(0), wakeups(1), 'wake-ups', 0);
}
