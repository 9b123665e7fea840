/**
 * A root read's latency while one unprivileged user floods the daemon, beside the
 * same read without the flood, measured in the same run on the same daemon. The user (created
 * for the run, then removed) runs test/support/flood-client.js through runuser.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startRootReader, type LatencyFigures } from '../test/support/root-reader.js';
import { createTestUser } from '../test/support/system-bus.js';
import { floodAsUser } from '../test/support/user-flood.js';
import type { BenchTools } from './bench-tools.js';

const USER = 'aptostree-bench';
const MEASURE_MS = 6000;
/** The goal for a root read's p99 while one user floods. */
const P99_GOAL_MS = 50;

async function rootReads(socket: string, during?: () => Promise<unknown>): Promise<LatencyFigures> {
  const reader = startRootReader(socket);
  await (during?.() ?? new Promise((r) => setTimeout(r, MEASURE_MS)));
  return reader.stop();
}

export async function floodFigures(dir: string, t: BenchTools): Promise<void> {
  const sysroot = join(dir, 'flood-sysroot');
  buildStandardSysroot(sysroot);
  // The bench's dir is private (0700): the socket goes where the user can reach it.
  const socketDir = mkdtempSync(join(tmpdir(), 'apt-ostreed-flood-'));
  chmodSync(socketDir, 0o755);
  const socket = join(socketDir, 'flood.sock');
  const removeUser = createTestUser(USER, USER);
  const daemon = spawn(process.execPath, [t.daemonBin, '--sysroot', sysroot, '--config', '/dev/null', '--socket', socket, '--no-dbus'], { stdio: 'ignore' });
  try {
    await t.waitForSocket(socket);
    await rootReads(socket, () => new Promise((r) => setTimeout(r, 1000))); // warm up
    const floods: [string, (string | number)[]][] = [
      ['batches of 100 GetDeployments on 20 connections', ['batch', socket, 'Sysroot.GetDeployments', '{}', 100, 20, 1000, MEASURE_MS]],
      ['200 connections never reading their replies', ['noread', socket, 'Sysroot.GetDeployments', '{}', 100, 200, 30, MEASURE_MS]],
      ['600 idle connections', ['idle', socket, 600, MEASURE_MS]],
    ];
    for (const [what, args] of floods) {
      // Baseline and flood alternate per flood, so both see the same machine state.
      const baseline = await rootReads(socket);
      const flood = floodAsUser(USER, args);
      await flood.ready;
      const flooded = await rootReads(socket, () => flood.result.catch(() => undefined));
      const seen = await flood.result.catch((err: unknown) => ({ error: (err as Error).message }));
      if ('error' in seen || seen.connections === 0) throw new Error(`the flood (${what}) did not run: ${JSON.stringify(seen)}`);
      t.add(`root GetDeployments p50 while one user floods (${what}) vs no flood`, flooded.p50, baseline.p50, 'ms', null);
      t.addWithLimit(`root GetDeployments p99 while one user floods (${what}) vs no flood`, flooded.p99, baseline.p99, 'ms', P99_GOAL_MS);
    }
  } finally {
    await t.stop(daemon);
    removeUser();
    rmSync(socketDir, { recursive: true, force: true });
  }
}
