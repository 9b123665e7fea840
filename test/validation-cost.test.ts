/**
 * Invalid params cost the daemon little, however many problems they have (found by npm run
 * fuzz): a message just under 1 MiB can hold half a million bad array items, one validation
 * problem each. The validator collected them in quadratic time (minutes of a blocked event
 * loop: no client was answered) into ~120 MB, and the reply listed every one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METHODS } from '../src/api/method-table.js';
import type { AnyType, Field } from '../src/api/schema-builder.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { MAX_REPORTED_ISSUES } from '../src/dispatcher/params-validation.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { exchange, lines } from './support/raw-socket.js';

interface ErrorReply {
  id: number;
  error: { code: number; message: string; data: { errors: { path: string; keyword: string }[] } };
}

/** Every array type reachable from a params type, with its path. */
function arrays(field: Field, path: string): { path: string; maxItems: number | undefined }[] {
  const t: AnyType = field.kind === 'optional' ? field.inner : field;
  if (t.kind === 'ref') return arrays(t.target, path);
  if (t.kind === 'nullable') return arrays(t.inner, path);
  if (t.kind === 'array') return [{ path, maxItems: t.maxItems }, ...arrays(t.items, `${path}/[]`)];
  if (t.kind === 'object') return Object.entries(t.props).flatMap(([k, f]) => arrays(f, `${path}/${k}`));
  return [];
}

describe('the cost of invalid params', () => {
  const dir = tempSysrootDir();
  let daemon: DaemonHandle;
  before(async () => {
    daemon = await startDaemon({ sysroot: buildStandardSysroot(join(dir, 'sysroot')).sysroot, extraArgs: ['--no-dbus'] });
  });
  after(() => daemon?.stop());

  /** Sends one request line on a new connection and returns the reply and its size. */
  async function ask(method: string, params: unknown): Promise<{ reply: ErrorReply; bytes: number }> {
    const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) + '\n';
    assert.ok(request.length < 1024 * 1024, 'under the message limit');
    // Generous: the quadratic validator took minutes on such messages; the check takes milliseconds.
    const { text } = await exchange(daemon.socket, request, { timeoutMs: 30_000 });
    return { reply: lines(text)[0] as unknown as ErrorReply, bytes: text.length };
  }

  it('bounds every array parameter of every method', () => {
    for (const m of METHODS) {
      for (const a of arrays(m.params, '')) assert.ok(a.maxItems !== undefined, `${m.name} ${a.path} has no maxItems`);
    }
  });

  it('answers half a million bad items with one maxItems problem, while serving others', async () => {
    const t0 = Date.now();
    const [{ reply, bytes }, { text }] = await Promise.all([
      ask('OS.Search', { names: new Array(500_000).fill(5) }),
      exchange(daemon.socket, '{"jsonrpc":"2.0","id":2,"method":"Sysroot.GetDeployments"}\n', { timeoutMs: 30_000 }),
    ]);
    // Both answered at once (the quadratic validator blocked everyone for minutes); generous
    // for a loaded machine: sending and parsing the ~1 MB message is most of it.
    const ms = Date.now() - t0;
    assert.ok(ms < 3000, `both answered after ${ms} ms`);
    assert.equal(reply.error.code, -32602);
    assert.deepEqual(
      reply.error.data.errors.map((e) => [e.path, e.keyword]),
      [['/names', 'maxItems']],
    );
    assert.ok(bytes < 4096, `reply of ${bytes} bytes`);
    assert.equal((lines(text)[0] as { result: { deployments: unknown[] } }).result.deployments.length, 3);
  });

  it(`lists the first ${MAX_REPORTED_ISSUES} problems and counts the rest`, async () => {
    // 256 items (the limit), each of the wrong type: one problem per item. Invalid, so nothing runs.
    const { reply, bytes } = await ask('OS.PkgChange', { add: new Array(256).fill(5) });
    assert.equal(reply.error.code, -32602);
    assert.equal(reply.error.data.errors.length, MAX_REPORTED_ISSUES);
    assert.equal(reply.error.data.errors[0].path, '/add/0');
    assert.match(reply.error.message, new RegExp(`and ${256 - MAX_REPORTED_ISSUES} more$`));
    assert.ok(bytes < 16 * 1024, `reply of ${bytes} bytes`);
  });
});
