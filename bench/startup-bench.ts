/**
 * Transaction start-up: from an OS.Upgrade request to the worker's first `TaskBegin` (the
 * target: < 100 ms), for the first transaction of a fresh daemon (its worker is forked on
 * demand) and for a following one (a spare worker waits, libostree loaded). Baseline: what
 * any process-per-transaction design pays at least — fork a bare node child and receive its
 * first IPC message.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import type { BenchTools } from './bench-tools.js';

const ROUNDS = 5;

/** ms from the call until the first `Transaction.TaskBegin`; waits for the transaction's end. */
async function untilFirstTask(socket: string, method: string): Promise<number> {
  let t0 = 0n;
  let firstTask: number | null = null;
  const client = await JsonRpcClient.connect(socket, (m) => {
    if (m === 'Transaction.TaskBegin' && firstTask === null) firstTask = Number(process.hrtime.bigint() - t0) / 1e6;
  });
  try {
    t0 = process.hrtime.bigint();
    await client.call(method);
  } finally {
    client.close();
  }
  if (firstTask === null) throw new Error(`${method} reported no task`);
  return firstTask;
}

/** ms from spawning a bare node child to its first IPC message. */
function bareFork(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', 'process.send("ready", () => process.exit(0))'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    child.once('message', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
    child.once('error', reject);
  });
}

export async function startupFigures(dir: string, t: BenchTools): Promise<void> {
  const first: number[] = [];
  const next: number[] = [];
  const fork: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const remote = await buildRemoteSysroot(join(dir, `startup-${round}`));
    const sock = join(dir, `startup-${round}.sock`);
    // Every CPU, as in production (the bench pins itself, and what it starts, to CPU 0): the
    // worker starts while the daemon resolves the request.
    const daemon = spawn(
      'taskset',
      [
        '-c',
        `0-${cpus().length - 1}`,
        process.execPath,
        t.daemonBin,
        '--sysroot',
        remote.sysroot,
        '--socket',
        sock,
        '--config',
        '/dev/null',
        '--state-dir',
        join(dir, `startup-state-${round}`),
      ],
      {
        stdio: 'ignore',
      },
    );
    try {
      await t.waitForSocket(sock);
      addServerCommit(remote, { version: '12.3' });
      fork.push(await bareFork());
      first.push(await untilFirstTask(sock, 'OS.Upgrade'));
      // The spare worker is forked when a transaction ends; give it the moment it needs.
      await new Promise((r) => setTimeout(r, 500));
      addServerCommit(remote, { version: '12.4' });
      next.push(await untilFirstTask(sock, 'OS.Upgrade'));
    } finally {
      await t.stop(daemon);
      await remote.destroy();
    }
  }
  const forkMs = t.median(fork);
  t.addWithLimit(
    'transaction start-up: OS.Upgrade request → first TaskBegin, first transaction (worker forked) vs fork of a bare node child',
    t.median(first),
    forkMs,
    'ms',
    100,
  );
  t.addWithLimit(
    'transaction start-up: OS.Upgrade request → first TaskBegin, next transaction (spare worker) vs fork of a bare node child',
    t.median(next),
    forkMs,
    'ms',
    100,
  );
}
