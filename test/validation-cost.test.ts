/**
 * Invalid params cost the daemon little, however many problems they have (found by npm run
 * fuzz): a message just under 1 MiB can hold half a million bad array items, one validation
 * problem each. The validator collected them in quadratic time (minutes of a blocked event
 * loop: no client was answered) and the reply listed every one (~70 times the request).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { MAX_REPORTED_ISSUES } from '../src/dispatcher/params-validation.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { exchange, lines } from './support/raw-socket.js';

describe('the cost of invalid params', () => {
  const dir = tempSysrootDir();
  let daemon: DaemonHandle;
  before(async () => {
    daemon = await startDaemon({ sysroot: buildStandardSysroot(join(dir, 'sysroot')).sysroot, extraArgs: ['--no-dbus'] });
  });
  after(() => daemon?.stop());

  it('answers an array of half a million bad items with one bounded -32602, while serving others', async () => {
    const items = 500_000;
    const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'OS.Search', params: { names: new Array(items).fill(5) } }) + '\n';
    assert.ok(request.length < 1024 * 1024, 'under the message limit');
    // Generous: the quadratic validator took minutes here; the linear one takes a fraction of a second.
    const answer = exchange(daemon.socket, request, { timeoutMs: 30_000 });
    const other = exchange(daemon.socket, '{"jsonrpc":"2.0","id":2,"method":"Sysroot.GetDeployments"}\n', { timeoutMs: 30_000 });
    const [{ text }, { text: otherText }] = await Promise.all([answer, other]);
    const [reply] = lines(text) as { id: number; error: { code: number; message: string; data: { errors: { path: string }[] } } }[];
    assert.equal(reply.id, 1);
    assert.equal(reply.error.code, -32602);
    assert.equal(reply.error.data.errors.length, MAX_REPORTED_ISSUES);
    assert.ok(reply.error.data.errors.some((e) => e.path === '/names/0'), 'an item is named');
    assert.match(reply.error.message, new RegExp(`and ${items + 1 - MAX_REPORTED_ISSUES} more$`), 'the rest are counted');
    assert.ok(text.length < 64 * 1024, `reply of ${text.length} bytes`);
    assert.equal((lines(otherText)[0] as { id: number; result: { deployments: unknown[] } }).result.deployments.length, 3);
  });
});
