/**
 * The daemon never crashes on input: a seeded stream of random and half-valid messages, every
 * request answered with a well-formed response, the daemon alive and serving afterwards.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METHODS } from '../src/api/method-table.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { exchange, lines } from './support/raw-socket.js';

/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('random input', () => {
  const dir = tempSysrootDir();
  let daemon: DaemonHandle;
  before(async () => {
    daemon = await startDaemon({ sysroot: buildStandardSysroot(join(dir, 'sysroot')).sysroot });
  });
  after(() => daemon?.stop());

  it('answers every request of 2000 random messages with a well-formed response and keeps serving', async () => {
    const rand = prng(20261125);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const values: unknown[] = [null, true, 0, -1, 1e308, '', 'x', '-oAPT::Get=1', [], {}, [1, 'a'], { a: { b: [] } }, '\u0000', 'é'.repeat(50)];
    const randomValue = (): unknown => pick(values);
    const randomParams = (method: string): unknown => {
      const m = METHODS.find((x) => x.name === method) ?? pick(METHODS);
      const params: Record<string, unknown> = {};
      for (const key of Object.keys(m.params.props)) if (rand() < 0.5) params[key] = randomValue();
      // Transaction methods always get an unknown field: this test is about input handling, and
      // a valid one would really change the sysroot (the engine has tests of its own).
      if (rand() < 0.2 || m.kind === 'transaction') params[`extra${Math.floor(rand() * 3)}`] = randomValue();
      return rand() < 0.1 && m.kind !== 'transaction' ? randomValue() : params;
    };
    const messages: string[] = [];
    let requests = 0;
    for (let i = 0; i < 2000; i++) {
      const kind = rand();
      if (kind < 0.1) {
        // Random bytes after a '#', which no JSON text starts with: exactly one parse error each.
        const bytes = Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 255)).filter((b) => b !== 10 && b !== 0);
        messages.push('#' + Buffer.from(bytes).toString('latin1'));
        requests++;
      } else {
        const message: Record<string, unknown> = { jsonrpc: rand() < 0.9 ? '2.0' : randomValue(), method: rand() < 0.8 ? pick(METHODS).name : randomValue() };
        const named = METHODS.find((m) => m.name === message.method);
        if (rand() < 0.7 || named?.kind === 'transaction') message.params = randomParams(String(message.method));
        if (rand() < 0.85) message.id = i;
        // Invalid envelopes are answered (id null) even without an id: only a valid one is a notification.
        const validEnvelope =
          message.jsonrpc === '2.0' &&
          typeof message.method === 'string' &&
          (!('params' in message) || (typeof message.params === 'object' && message.params !== null));
        if ('id' in message || !validEnvelope) requests++;
        messages.push(JSON.stringify(message));
      }
    }
    const { text } = await exchange(daemon.socket, messages.join('\n') + '\n', { timeoutMs: 20_000 });
    const replies = lines(text);
    for (const r of replies) {
      assert.equal(r.jsonrpc, '2.0');
      assert.ok('id' in r);
      assert.ok('result' in r !== 'error' in r, JSON.stringify(r));
      if ('error' in r) {
        const e = r.error as { code: number; message: string; data: { name: string } };
        assert.ok(Number.isInteger(e.code) && e.code !== -32603, `no internal errors: ${JSON.stringify(r)}`);
        assert.ok(typeof e.message === 'string' && e.data.name.startsWith('org.projectatomic.aptostree1.Error.'));
      }
    }
    // Exactly one reply per request and per unparsable line; none for notifications.
    assert.equal(replies.length, requests);
    assert.equal(daemon.process.exitCode, null);
    const [ok] = lines((await exchange(daemon.socket, '{"jsonrpc":"2.0","id":"after","method":"Sysroot.GetDeployments"}\n')).text);
    assert.equal((ok.result as { deployments: unknown[] }).deployments.length, 3);
    assert.doesNotMatch(daemon.stderr(), /internal error/);
  });
});
