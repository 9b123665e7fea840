/**
 * The floods, run by the fuzzer after its hostile inputs: one unprivileged user
 * sends batch floods, holds hundreds of idle connections, or never reads its replies, while a
 * root client reads. Each flood is checked against a bound on the daemon's RSS and on the root
 * reader's latency, and its figures go into the report.
 */
import { floodAsUser } from '../test/support/user-flood.js';
import { rssBytes } from './memory-monitor.js';
import { startRootReader, type LatencyFigures } from '../test/support/root-reader.js';

export interface FloodFigures {
  name: string;
  rootLatency: LatencyFigures;
  rssStart: number;
  rssPeak: number;
  /** What the flooding client printed (connections, refused, closed, replies by outcome). */
  client: Record<string, unknown>;
}

export interface FloodOptions {
  socket: string;
  pid: number;
  user: string;
  /** How long each flood lasts. */
  holdMs: number;
}

/** The floods: name → flood-client arguments (after the mode's socket). */
function floods(holdMs: number): [string, (socket: string) => (string | number)[]][] {
  const search = JSON.stringify({ names: ['hello'] });
  return [
    // Batches at the length limit on 20 connections (each read), and over it.
    ['batch flood (GetDeployments x100 x20 lines x20 conns)', (s) => ['batch', s, 'Sysroot.GetDeployments', '{}', 100, 20, 20, holdMs]],
    // Searches run apt-cache (~0.1 s each, 3 at a time): few, and all answered before the next flood.
    ['batch flood (OS.Search x50 x2 conns: apt-cache)', (s) => ['batch', s, 'OS.Search', search, 50, 2, 1]],
    ['batch flood (Sysroot.Reload x10000, refused)', (s) => ['batch', s, 'Sysroot.Reload', '{}', 10_000, 4, 1, holdMs]],
    ['idle-connection flood (600 conns)', (s) => ['idle', s, 600, holdMs]],
    ['non-reading flood (GetDeployments x100 x30 lines x200 conns)', (s) => ['noread', s, 'Sysroot.GetDeployments', '{}', 100, 200, 30, holdMs]],
  ];
}

export async function runFloods(options: FloodOptions, log: (line: string) => void): Promise<FloodFigures[]> {
  const out: FloodFigures[] = [];
  for (const [name, args] of floods(options.holdMs)) {
    const rssStart = rssBytes(options.pid) ?? 0;
    let rssPeak = rssStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(options.pid) ?? 0)), 50);
    const flood = floodAsUser(options.user, args(options.socket));
    await flood.ready;
    const reader = startRootReader(options.socket);
    let client: Record<string, unknown>;
    try {
      client = await flood.result;
    } catch (err) {
      client = { error: (err as Error).message };
    }
    const rootLatency = await reader.stop();
    clearInterval(sampler);
    out.push({ name, rootLatency, rssStart, rssPeak, client });
    log(`  ${name}: root read p99 ${rootLatency.p99.toFixed(1)} ms, RSS peak ${(rssPeak / 1024 / 1024).toFixed(0)} MB`);
    // Let the daemon settle (queued work of the gone clients) before the next flood.
    await new Promise((r) => setTimeout(r, 500));
  }
  return out;
}
