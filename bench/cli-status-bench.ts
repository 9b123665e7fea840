/**
 * `apt-ostree status` as a whole process — node's start, loading the CLI, the two calls to a
 * running daemon, printing — beside `node -e 0` (the floor of any node CLI; the target: ≤ 1.1×)
 * and beside `ostree admin status` on the same sysroot (C, no daemon: for information). The
 * three alternate in random order, round by round; stdout is a pipe, as in `status | less`.
 */
import { execFile, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import type { BenchTools } from './bench-tools.js';

const ROUNDS = 30;
const run = promisify(execFile);

export async function cliStatusFigures(dir: string, t: BenchTools): Promise<void> {
  const sysroot = join(dir, 'cli-status-sysroot');
  buildStandardSysroot(sysroot);
  const sock = join(dir, 'cli-status.sock');
  // On CPU 1, as every server of the bench; the commands run on the bench's CPU 0.
  const daemonArgv = [
    process.execPath,
    t.daemonBin,
    '--sysroot',
    sysroot,
    '--socket',
    sock,
    '--config',
    '/dev/null',
    '--state-dir',
    join(dir, 'cli-status-state'),
  ];
  const [cmd, ...args] = availableParallelism() >= 2 ? ['taskset', '-c', '1', ...daemonArgv] : daemonArgv;
  const daemon = spawn(cmd, args, { stdio: 'ignore' });
  try {
    await t.waitForSocket(sock);
    const sides = [
      () => run(process.execPath, ['-e', '0']),
      () => run(process.execPath, [t.cliBin, '--socket', sock, 'status']),
      () => run('ostree', ['admin', 'status', `--sysroot=${sysroot}`]),
    ];
    // Warm the page cache and the daemon's read model (libostree loaded, the sysroot read).
    for (const side of sides) for (let i = 0; i < 3; i++) await side();
    const times: number[][] = sides.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const k of t.shuffled(sides.length)) times[k].push(await t.timed(sides[k]));
    }
    const [node, cli, ostree] = times.map(t.median);
    t.add('apt-ostree status as a whole process (against a running daemon) vs a bare `node -e 0`', cli, node, 'ms', 1.1);
    t.add('apt-ostree status as a whole process vs ostree admin status (C, reads the sysroot itself)', cli, ostree, 'ms', null);
  } finally {
    await t.stop(daemon);
  }
}
