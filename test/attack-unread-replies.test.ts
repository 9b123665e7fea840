/**
 * Attack: clients that never read pile up memory. Unsent reply bytes have a
 * budget per uid and over all users; a connection over it is not read (back-pressure), so the
 * daemon's RSS stays bounded, and root is still answered.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { createTestUser } from './support/system-bus.js';
import { floodAsUser } from './support/user-flood.js';

const USER = 'aoatk-fld-noread';

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

describe('attack: clients that never read their replies', () => {
  const dir = tempSysrootDir();
  let daemon: DaemonHandle;
  const cleanups: (() => void)[] = [];

  before(async () => {
    cleanups.push(createTestUser(USER, USER));
    daemon = await startDaemon({ sysroot: buildStandardSysroot(join(dir, 'sysroot')).sysroot });
  });
  after(async () => {
    await daemon?.stop();
    for (const cleanup of cleanups.reverse()) cleanup();
  });

  it('200 connections sending batches of GetDeployments and never reading keep the daemon bounded', async (t) => {
    const pid = daemon.process.pid as number;
    const start = rssMb(pid);
    let peak = start;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    // Each connection: 30 lines of 100 GetDeployments (~3 MB of replies), never read.
    const flood = floodAsUser(USER, ['noread', daemon.socket, 'Sysroot.GetDeployments', '{}', 100, 200, 30, 6000]);
    await flood.ready;
    const root = await JsonRpcClient.connect(daemon.socket);
    const latencies: number[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await root.call('Sysroot.GetDeployments');
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      root.close();
    }
    await flood.result;
    clearInterval(sampler);
    t.diagnostic(`RSS ${start.toFixed(0)} -> peak ${peak.toFixed(0)} MB; root read max ${Math.max(...latencies).toFixed(1)} ms`);
    // Measured: +50-70 MB (the budget is 16 MiB of unsent replies; V8 frees the rest lazily); before the fix +350 MB.
    assert.ok(peak - start < 150, `RSS grew from ${start.toFixed(0)} MB to ${peak.toFixed(0)} MB`);
    assert.ok(Math.max(...latencies) < 2000, `root's read took up to ${Math.max(...latencies).toFixed(0)} ms`);
  });

  it('the same over Varlink: 200 connections pipelining calls and never reading keep the daemon bounded', async (t) => {
    const pid = daemon.process.pid as number;
    const start = rssMb(pid);
    let peak = start;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    // Each connection: 3000 calls (~4 MB of replies), never read.
    const flood = floodAsUser(USER, ['noread-varlink', daemon.socket, 'org.projectatomic.aptostree1.Sysroot.GetDeployments', 200, 3000, 6000]);
    await flood.ready;
    const root = await JsonRpcClient.connect(daemon.socket);
    try {
      await root.call('Sysroot.GetDeployments');
    } finally {
      root.close();
    }
    await flood.result;
    clearInterval(sampler);
    t.diagnostic(`RSS ${start.toFixed(0)} -> peak ${peak.toFixed(0)} MB`);
    assert.ok(peak - start < 150, `RSS grew from ${start.toFixed(0)} MB to ${peak.toFixed(0)} MB`);
  });
});
