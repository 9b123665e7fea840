/**
 * An idle daemon beside an idle bare node process, side by side: the CPU time each used over
 * 30 s (the target: < 5 % for the daemon) and how often its threads woke up (the goal:
 * never). V8 runs one memory-reducing garbage collection ~8 s after the last activity (a
 * burst of wake-ups on the main and GC threads, then silence, and the heap trimmed by ~2 MB);
 * the idle RSS is read and the window starts after it, and the settling period is reported on a
 * row of its own.
 */
import type { BenchTools } from './bench-tools.js';
import { cpuAndWakeups, rssMb } from './process-stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SETTLE_S = 15;

export async function idleFigures(daemonPid: number, barePid: number, t: BenchTools, seconds = 30): Promise<void> {
  const snapshot = () => [cpuAndWakeups(daemonPid), cpuAndWakeups(barePid)];
  const start = snapshot();
  await sleep(SETTLE_S * 1000);
  const settled = snapshot();
  t.addWithLimit('idle RSS after a status query, settled, vs a bare node process', rssMb(daemonPid), rssMb(barePid), 'MB', 60);
  await sleep(seconds * 1000);
  const end = snapshot();
  const wakeups = (from: typeof start, to: typeof start, k: number) => to[k].wakeups - from[k].wakeups;
  const cpuPercent = (k: number) => ((end[k].cpuNs - settled[k].cpuNs) / (seconds * 1e9)) * 100;
  t.add(
    `wake-ups in the first ${SETTLE_S} s after the last request (V8's one memory-reducing GC)`,
    wakeups(start, settled, 0),
    wakeups(start, settled, 1),
    'wake-ups',
    null,
  );
  t.addWithLimit(`idle CPU over the next ${seconds} s (baseline: a bare idle node process)`, cpuPercent(0), cpuPercent(1), '%', 5);
  t.addWithLimit(
    `idle wake-ups (context switches of all threads) over the same ${seconds} s`,
    wakeups(settled, end, 0),
    wakeups(settled, end, 1),
    'wake-ups',
    0,
  );
}
