/** Samples a process's resident memory (VmRSS) from /proc while the fuzzer runs. */
import { readFileSync } from 'node:fs';

/** The resident set of `pid` in bytes; null when it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

export class MemoryMonitor {
  readonly start: number;
  peak: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 50,
  ) {
    this.start = rssBytes(pid) ?? 0;
    this.peak = this.start;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): number | null {
    const rss = rssBytes(this.pid);
    if (rss !== null && rss > this.peak) this.peak = rss;
    return rss;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
