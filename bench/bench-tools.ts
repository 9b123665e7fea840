/** What bench.ts lends the benchmark parts: its helpers and the table's `add`. */
import type { ChildProcess } from 'node:child_process';

export interface BenchTools {
  /** The checkout's root. */
  root: string;
  daemonBin: string;
  cliBin: string;
  waitForSocket(path: string): Promise<void>;
  stop(child: ChildProcess): Promise<void>;
  timed(step: () => Promise<unknown>): Promise<number>;
  shuffled(n: number): number[];
  median(xs: number[]): number;
  add(figure: string, value: number, baseline: number, unit: string, target: number | null): void;
}
