/**
 * One client cannot hold unbounded memory or block the others: a client that stalls in the
 * middle of a message, one that never reads its replies, one that pipelines thousands of
 * requests, and too many connections.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { exchange, lines } from './support/raw-socket.js';

const REQUEST = '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}\n';

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path, () => resolve(s));
    s.once('error', reject);
  });
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

describe('connection limits', () => {
  const dir = tempSysrootDir();
  let daemon: DaemonHandle;

  before(async () => {
    const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    daemon = await startDaemon({ sysroot, extraArgs: ['--client-timeout', '1', '--max-connections', '40'] });
  });
  after(() => daemon?.stop());

  /** Round trip of one request on a fresh connection, in ms. */
  async function served(): Promise<number> {
    const t0 = performance.now();
    const { text } = await exchange(daemon.socket, REQUEST);
    assert.equal(lines(text)[0].id, 1);
    return performance.now() - t0;
  }

  it('disconnects a client stalled in the middle of a message; others are served meanwhile', async () => {
    const stalled = await open(daemon.socket);
    let closed = false;
    stalled.on('close', () => (closed = true));
    stalled.on('error', () => {});
    stalled.write('{"jsonrpc":"2.0","id":1,"meth');
    assert.ok((await served()) < 500);
    await until(() => closed, 5000, 'the stalled connection to be closed');
    // An idle connection with no partial message is not a stalled one.
    const idle = await JsonRpcClient.connect(daemon.socket);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await idle.call<{ deployments: unknown[] }>('Sysroot.GetDeployments')).deployments.length, 3);
    idle.close();
  });

  it('a client that never reads its replies does not grow the daemon without bound nor block others', async () => {
    const hog = await open(daemon.socket);
    hog.on('error', () => {});
    hog.pause(); // never read
    const rssBefore = rssKb(daemon.process.pid as number);
    const burst = REQUEST.repeat(2000);
    for (let i = 0; i < 20; i++) hog.write(burst); // 40000 requests, ~4 MB of replies each 100
    await new Promise((r) => setTimeout(r, 1500));
    const times: number[] = [];
    for (let i = 0; i < 10; i++) times.push(await served());
    assert.ok(Math.max(...times) < 500, `others served in ${Math.max(...times).toFixed(0)} ms at worst`);
    const grown = rssKb(daemon.process.pid as number) - rssBefore;
    assert.ok(grown < 64 * 1024, `RSS grew by ${grown} kB`);
    hog.destroy();
  });

  it('answers thousands of pipelined requests from one client, all of them, in order of completion', async () => {
    const { text } = await exchange(daemon.socket, Array.from({ length: 3000 }, (_, i) => REQUEST.replace('"id":1', `"id":${i}`)).join(''), {
      timeoutMs: 30_000,
    });
    const ids = new Set(lines(text).map((r) => r.id));
    assert.equal(ids.size, 3000);
  });

  it('refuses connections beyond the limit with LimitExceeded, and serves again when they close', async () => {
    const held: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const s = await open(daemon.socket);
      s.on('error', () => {});
      held.push(s);
    }
    await new Promise((r) => setTimeout(r, 200));
    // Even a client that keeps its side open is answered and then disconnected.
    const refused = await exchange(daemon.socket, REQUEST, { keepOpen: true, timeoutMs: 5000 });
    const [reply] = lines(refused.text);
    assert.equal((reply.error as { data: { name: string } }).data.name, 'org.projectatomic.aptostree1.Error.LimitExceeded');
    assert.ok(refused.closedByServer);
    for (const s of held) s.destroy();
    await until(() => true);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok((await served()) < 500);
  });
});
