/**
 * An upgrade to a debootstrap-sized tree (Debian minbase, ~130 MB) from a 127.0.0.1 remote:
 * OS.Upgrade through the daemon (the target: < 2 minutes) beside `ostree pull` + `ostree
 * admin deploy` by hand, on two identical fresh client sysroots pulling from the same server,
 * in each of three rounds (the median counts).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { debootstrapTree } from '../src/demo/debootstrap-tree.js';
import { buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { commitTree } from '../src/demo/sysroot-builder.js';
import type { BenchTools } from './bench-tools.js';

const execFileAsync = promisify(execFile);

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const ROUNDS = 3;

/** A fresh client sysroot (deployments v2, v1 of the small fixture) whose remote is `url`. */
async function clientOf(dir: string, url: string): Promise<RemoteSysroot> {
  const client = await buildRemoteSysroot(dir);
  run('ostree', ['config', `--repo=${client.repo}`, 'set', `remote "${client.remote}".url`, url]);
  return client;
}

export async function bigUpgradeFigures(dir: string, t: BenchTools): Promise<void> {
  const tree = debootstrapTree();
  const sizeMb = Number(run('du', ['-sm', '--', tree]).split('\t')[0]);
  // The server: the small fixture's branch, then the debootstrap tree as its next commit.
  const server = await buildRemoteSysroot(join(dir, 'big-server'));
  const times: number[][] = [[], []];
  try {
    commitTree(server.serverRepo, server.ref, tree, { subject: 'Debian 12 minbase', version: '12.9', timestamp: server.timestamps.v2 + 86_400 });
    run('ostree', ['summary', `--repo=${server.serverRepo}`, '--update']);
    for (let round = 0; round < ROUNDS; round++) {
      const [viaDaemon, byHand] = await Promise.all(['daemon', 'hand'].map((side) => clientOf(join(dir, `big-${side}-${round}`), server.server.url)));
      const sock = join(dir, `big-${round}.sock`);
      const daemon = spawn(
        process.execPath,
        [t.daemonBin, '--sysroot', viaDaemon.sysroot, '--socket', sock, '--config', '/dev/null', '--state-dir', join(dir, `big-state-${round}`)],
        {
          stdio: 'ignore',
        },
      );
      try {
        await t.waitForSocket(sock);
        const upgradeViaDaemon = () =>
          t.timed(async () => {
            const client = await JsonRpcClient.connect(sock);
            try {
              await client.call('OS.Upgrade');
            } finally {
              client.close();
            }
          });
        const upgradeByHand = () =>
          t.timed(async () => {
            await execFileAsync('ostree', ['pull', `--repo=${byHand.repo}`, byHand.remote, byHand.ref]);
            await execFileAsync('ostree', ['admin', 'deploy', `--sysroot=${byHand.sysroot}`, `--os=${byHand.osname}`, byHand.refspec]);
          });
        for (const k of t.shuffled(2)) times[k].push(await (k === 0 ? upgradeViaDaemon() : upgradeByHand()));
      } finally {
        await t.stop(daemon);
        await viaDaemon.destroy();
        await byHand.destroy();
      }
    }
  } finally {
    await server.destroy();
  }
  const [daemonMs, handMs] = times.map(t.median);
  t.addWithLimit(
    `upgrade to a ${sizeMb} MB debootstrap tree from 127.0.0.1 via the daemon vs ostree pull + admin deploy by hand`,
    daemonMs / 1000,
    handMs / 1000,
    's',
    120,
  );
}
