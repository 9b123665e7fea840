/** What bench.ts lends the benchmark parts: its helpers and the table's `add`. */
import type { ChildProcess } from 'node:child_process';

export interface BenchTools {
  /** The checkout's root. */
  root: string;
  daemonBin: string;
  cliBin: string;
  /** The bare node NDJSON echo server (dist/bench/baseline-echo.js): a process doing nothing else. */
  echoBin: string;
  waitForSocket(path: string): Promise<void>;
  stop(child: ChildProcess): Promise<void>;
  timed(step: () => Promise<unknown>): Promise<number>;
  shuffled(n: number): number[];
  median(xs: number[]): number;
  /** A row whose target is a ratio to the baseline (`null`: for information). */
  add(figure: string, value: number, baseline: number, unit: string, target: number | null): void;
  /** A row whose target is an absolute limit on the value (a target such as "< 100 ms"). */
  addWithLimit(figure: string, value: number, baseline: number, unit: string, limit: number): void;
}
