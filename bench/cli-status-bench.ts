/**
 * `apt-ostree status` as a whole process — node's start, loading the CLI, the two calls to a
 * running daemon, printing — beside `node -e 0` (the floor of any node CLI; the target: ≤ 1.1×)
 * and beside `ostree admin status` on the same sysroot (C, no daemon: for information); and a
 * bare node client making the same two calls beside `node -e 0`. The
 * four alternate in random order, round by round; stdout is a pipe, as in `status | less`;
 * everything runs on every CPU (the bench pins itself to CPU 0 otherwise).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import type { BenchTools } from './bench-tools.js';

const ROUNDS = 50;

/**
 * The floor of any node client of the daemon, run as `node -e` (a CommonJS script, as the CLI's
 * bundle): connect, make status's two calls one after the other, print the raw replies.
 */
const BARE_STATUS_CLIENT = `
const calls = ['Sysroot.GetProperties', 'OS.GetProperties'];
const socket = require('node:net').createConnection(process.argv[1]);
let buffered = '';
let answered = 0;
const call = (i) => socket.write(JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: calls[i], params: {} }) + '\\n');
socket.setEncoding('utf8');
socket.on('connect', () => call(0));
socket.on('data', (chunk) => {
  buffered += chunk;
  for (let nl; (nl = buffered.indexOf('\\n')) !== -1; buffered = buffered.slice(nl + 1)) {
    process.stdout.write(JSON.stringify(JSON.parse(buffered.slice(0, nl))) + '\\n');
    if (++answered < calls.length) call(answered);
    else socket.end();
  }
});`;
const run = promisify(execFile);

export async function cliStatusFigures(dir: string, t: BenchTools): Promise<void> {
  const sysroot = join(dir, 'cli-status-sysroot');
  buildStandardSysroot(sysroot);
  const sock = join(dir, 'cli-status.sock');
  // Every CPU, as in production, for the daemon and for each command (they inherit the bench's
  // placement): pinned to one CPU with its own threads, a node start measures that contention.
  const cpus = availableParallelism();
  if (cpus >= 2) spawnSync('taskset', ['-cp', `0-${cpus - 1}`, String(process.pid)], { stdio: 'ignore' });
  const daemon = spawn(
    process.execPath,
    [t.daemonBin, '--sysroot', sysroot, '--socket', sock, '--config', '/dev/null', '--state-dir', join(dir, 'cli-status-state')],
    {
      stdio: 'ignore',
    },
  );
  try {
    await t.waitForSocket(sock);
    const sides = [
      () => run(process.execPath, ['-e', '0']),
      () => run(process.execPath, [t.cliBin, '--socket', sock, 'status']),
      () => run('ostree', ['admin', 'status', `--sysroot=${sysroot}`]),
      () => run(process.execPath, ['-e', BARE_STATUS_CLIENT, sock]),
    ];
    // Warm the page cache and the daemon's read model (libostree loaded, the sysroot read).
    for (const side of sides) for (let i = 0; i < 3; i++) await side();
    const times: number[][] = sides.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const k of t.shuffled(sides.length)) times[k].push(await t.timed(sides[k]));
    }
    const [node, cli, ostree, bareClient] = times.map(t.median);
    t.add('apt-ostree status as a whole process (against a running daemon) vs a bare `node -e 0`', cli, node, 'ms', 1.1);
    t.add('apt-ostree status as a whole process vs ostree admin status (C, reads the sysroot itself)', cli, ostree, 'ms', null);
    t.add("a bare node client making status's two calls (the floor of a node CLI) vs a bare `node -e 0`", bareClient, node, 'ms', null);
  } finally {
    await t.stop(daemon);
    if (cpus >= 2) spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
  }
}
