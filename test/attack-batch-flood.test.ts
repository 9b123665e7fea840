/**
 * Attack: one JSON-RPC batch line stalls the daemon and spawns unbounded root
 * processes. A batch has a maximum length; every element counts toward the in-flight limits;
 * the read methods that run apt-cache share a few slots; a root read stays prompt meanwhile.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { childPids } from './support/processes.js';
import { exchange, lines } from './support/raw-socket.js';
import { createTestUser } from './support/system-bus.js';
import { floodAsUser } from './support/user-flood.js';

const USER = 'aoatk-fld-batch';
/** Another user: the first one's searches are still queued (up to 512) after its test. */
const LIMIT_EXCEEDED = 'org.projectatomic.aptostree1.Error.LimitExceeded';

const SEARCH = { names: ['hello'] };

function batch(method: string, size: number, params: Record<string, unknown> = {}): string {
  return JSON.stringify(Array.from({ length: size }, (_, i) => ({ jsonrpc: '2.0', id: i, method, params }))) + '\n';
}

/** apt-cache processes the daemon runs now. */
function aptCacheChildren(pid: number): number {
  return childPids(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'apt-cache';
    } catch {
      return false;
    }
  }).length;
}

/** read() calls the process made so far. */
function readSyscalls(pid: number): number {
  return Number(/^syscr: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
}

/**
 * Waits until the daemon has no child processes (the searches of an earlier flood still
 * running in their slots read their output through pipes, which counts) and its read() count
 * holds still for 200 ms.
 */
async function quiescent(pid: number): Promise<void> {
  // Within seconds: the searches of a client that left are dropped (peer-hangup.ts), only those
  // already running finish.
  const deadline = Date.now() + 20_000;
  let last = -1;
  for (;;) {
    const now = readSyscalls(pid);
    const children = childPids(pid);
    if (children.length === 0 && now === last) return;
    if (Date.now() > deadline) throw new Error(`daemon ${pid} did not settle: ${children.length} children still run`);
    last = children.length === 0 ? now : -1;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('attack: one batch line floods the daemon', () => {
  const dir = tempSysrootDir();
  let daemon: DaemonHandle;
  const cleanups: (() => void)[] = [];

  before(async () => {
    cleanups.push(createTestUser(USER, USER));
    const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    daemon = await startDaemon({ sysroot });
  });
  after(async () => {
    await daemon?.stop();
    for (const cleanup of cleanups.reverse()) cleanup();
  });

  it('refuses a batch longer than the limit whole, with -32600 naming the limit', async () => {
    // (Searches: 300, not 10,000: before the fix each one was a root apt-cache, all at once.)
    const floods: [string, Record<string, unknown>, number][] = [
      ['OS.Search', SEARCH, 300],
      ['Sysroot.Reload', {}, 10_000],
      ['Transaction.Watch', { id: 'none' }, 9000],
    ];
    for (const [method, params, size] of floods) {
      const { text } = await exchange(daemon.socket, batch(method, size, params), { timeoutMs: 60_000 });
      const replies = lines(text);
      assert.equal(replies.length, 1, `${method}: one reply line`);
      const reply = replies[0] as { id: unknown; error?: { code: number; message: string; data: { limit: number } } };
      assert.ok(!Array.isArray(reply), `${method}: the batch is not answered element by element`);
      assert.equal(reply.id, null);
      assert.equal(reply.error?.code, -32600);
      assert.match(reply.error?.message ?? '', /at most 100 /);
      assert.equal(reply.error?.data.limit, 100);
    }
    // A batch at the limit is answered in full.
    const { text } = await exchange(daemon.socket, batch('Sysroot.GetOS', 100));
    assert.equal((lines(text)[0] as unknown as unknown[]).length, 100);
  });

  it('runs a few apt-cache at most while a user floods OS.Search in batches; batch elements count as requests in flight; root reads stay prompt', async () => {
    const pid = daemon.process.pid as number;
    // 6 connections x 1 batch of 100: 600 searches at once, over the per-uid limit of 512.
    // Each search takes ~0.1 s of apt-cache: the client gives up after 6 s and disconnects.
    const flood = floodAsUser(USER, ['batch', daemon.socket, 'OS.Search', JSON.stringify(SEARCH), 100, 6, 1, 6000]);
    let maxAptCache = 0;
    const sampler = setInterval(() => (maxAptCache = Math.max(maxAptCache, aptCacheChildren(pid))), 5);
    await flood.ready;
    const root = await JsonRpcClient.connect(daemon.socket);
    const latencies: number[] = [];
    let rootSearchMs = 0;
    try {
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await root.call('Sysroot.GetOS', {});
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The user's ~500 searches wait for the apt-cache slots; root's takes the next free one.
      const t0 = performance.now();
      await root.call('OS.Search', SEARCH);
      rootSearchMs = performance.now() - t0;
    } finally {
      root.close();
    }
    const result = (await flood.result) as { counts: Record<string, number> };
    clearInterval(sampler);
    assert.ok(maxAptCache <= 4, `at most 4 apt-cache at once, saw ${maxAptCache}`);
    assert.ok(maxAptCache >= 1, 'the flood did run apt-cache');
    // Batches are admitted whole while the uid's requests in flight stay within 512: the sixth is refused.
    assert.equal(result.counts[LIMIT_EXCEEDED], 100, JSON.stringify(result));
    // Not a latency benchmark (the machine is shared): the goal is < 50 ms, the attack took 19.6 s.
    assert.ok(Math.max(...latencies) < 2000, `root Sysroot.GetOS took up to ${Math.max(...latencies).toFixed(0)} ms`);
    assert.ok(rootSearchMs < 5000, `root's OS.Search took ${rootSearchMs.toFixed(0)} ms behind the user's queue`);
  });

  it('runs overlapping Sysroot.Reload calls as one reload', async () => {
    // 5 batches of 100 at once (root's 512 in flight hold them): 500 reloads; one reload of this
    // sysroot takes ~0.5 ms of blocked event loop, so run one by one they block it ~0.25 s, shared a few ms.
    const pid = daemon.process.pid as number;
    await quiescent(pid);
    const root = await JsonRpcClient.connect(daemon.socket);
    // What one reload costs: read() calls of the daemon (libostree reads the boot entries,
    // origins, refs...) beside the few of one request; the least of five, once warm (the first
    // reads more).
    let one = Infinity;
    for (let i = 0; i < 6; i++) {
      const before = readSyscalls(pid);
      await root.call('Sysroot.Reload', {});
      if (i > 0) one = Math.min(one, readSyscalls(pid) - before);
    }
    root.close();
    const start = readSyscalls(pid);
    // Root floods: Sysroot.Reload needs reload-daemon, which root holds without asking polkit.
    const flood = floodAsUser('root', ['batch', daemon.socket, 'Sysroot.Reload', '{}', 100, 5, 1]);
    await flood.ready;
    const result = (await flood.result) as { counts: Record<string, number> };
    const spent = readSyscalls(pid) - start;
    assert.equal(result.counts.result, 500, JSON.stringify(result));
    // Shared: a reload per batch at most (5), not one per call (500).
    assert.ok(spent < 100 * one, `500 reloads cost ${spent} read() calls; one costs ${one}`);
  });
});
