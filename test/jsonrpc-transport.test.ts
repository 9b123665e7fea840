import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { exchange, lines } from './support/raw-socket.js';

const PREFIX = 'org.projectatomic.aptostree1.Error.';

describe('JSON-RPC 2.0 transport (real daemon, real sysroot)', () => {
  let daemon: DaemonHandle;
  const dir = tempSysrootDir();

  before(async () => {
    buildStandardSysroot(dir);
    daemon = await startDaemon({ sysroot: dir });
  });
  after(() => daemon?.stop());

  /** The daemon still answers a normal request. */
  async function stillServes(): Promise<void> {
    const reply = lines((await exchange(daemon.socket, '{"jsonrpc":"2.0","id":"ok","method":"Sysroot.GetDeployments"}\n')).text);
    assert.equal(reply.length, 1);
    assert.equal(reply[0].id, 'ok');
    assert.ok(Array.isArray((reply[0].result as { deployments: unknown[] }).deployments));
  }

  it('answers -32700 for a line that is not JSON and keeps the connection working', async () => {
    const { text } = await exchange(daemon.socket, 'this is not json\n{"jsonrpc":"2.0","id":7,"method":"Sysroot.GetDeployments"}\n');
    const [parseError, answer] = lines(text);
    assert.deepEqual(parseError.id, null);
    assert.equal((parseError.error as { code: number }).code, -32700);
    assert.equal((parseError.error as { data: { name: string } }).data.name, PREFIX + 'ParseError');
    assert.equal(answer.id, 7);
    assert.equal((answer.result as { deployments: unknown[] }).deployments.length, 3);
  });

  it('answers -32600 for malformed requests, with the id when it is usable', async () => {
    const cases: [string, unknown][] = [
      ['{"jsonrpc":"1.0","id":1,"method":"Sysroot.GetDeployments"}', 1],
      ['{"jsonrpc":"2.0","id":2,"method":42}', 2],
      ['{"jsonrpc":"2.0","id":3,"method":"Sysroot.GetDeployments","params":"x"}', 3],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"Sysroot.GetDeployments"}', null],
      ['"just a string"', null],
      ['[]', null],
    ];
    for (const [request, id] of cases) {
      const [reply] = lines((await exchange(daemon.socket, request + '\n')).text);
      assert.equal((reply.error as { code: number }).code, -32600, request);
      assert.deepEqual(reply.id, id, request);
    }
    await stillServes();
  });

  it('answers -32601 for an unknown method', async () => {
    const [reply] = lines((await exchange(daemon.socket, '{"jsonrpc":"2.0","id":1,"method":"Sysroot.Explode"}\n')).text);
    assert.equal((reply.error as { code: number }).code, -32601);
    assert.match((reply.error as { message: string }).message, /Sysroot\.Explode/);
  });

  it('answers -32602 with the validation details in error.data', async () => {
    const bad = [
      { method: 'Sysroot.GetOS', params: { name: 5 }, path: '/name' },
      { method: 'Sysroot.GetDeployments', params: { verbose: true }, path: '/' },
      { method: 'OS.Deploy', params: {}, path: '/' },
      { method: 'Transaction.History', params: { limit: 0 }, path: '/limit' },
      { method: 'OS.Cleanup', params: { elements: ['everything'] }, path: '/elements/0' },
    ];
    for (const { method, params, path } of bad) {
      const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) + '\n';
      const [reply] = lines((await exchange(daemon.socket, request)).text);
      const error = reply.error as { code: number; data: { name: string; errors: { path: string }[] } };
      assert.equal(error.code, -32602, method);
      assert.equal(error.data.name, PREFIX + 'InvalidParams');
      assert.ok(
        error.data.errors.some((e) => e.path === path),
        `${method}: ${JSON.stringify(error.data.errors)}`,
      );
    }
    const [positional] = lines((await exchange(daemon.socket, '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetOS","params":["debian"]}\n')).text);
    assert.equal((positional.error as { code: number }).code, -32602);
  });

  it('handles batches: an array of replies, none for notifications, errors per entry', async () => {
    const batch = JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'Sysroot.GetDeployments' },
      { jsonrpc: '2.0', method: 'Sysroot.Reload' },
      { jsonrpc: '2.0', id: 'b', method: 'Nope' },
      { jsonrpc: '2.0', id: 'c', method: 'Sysroot.GetOS', params: { name: '' } },
      42,
    ]);
    const [reply] = lines((await exchange(daemon.socket, batch + '\n')).text);
    assert.ok(Array.isArray(reply));
    const byId = new Map((reply as unknown as { id: unknown }[]).map((r) => [r.id, r as unknown]));
    assert.equal(byId.size, 4);
    assert.ok('result' in (byId.get('a') as object));
    assert.equal((byId.get('b') as { error: { code: number } }).error.code, -32601);
    assert.deepEqual((byId.get('c') as { result: unknown }).result, {
      name: 'debian',
      objectPath: '/org/projectatomic/aptostree1/debian',
    });
    assert.equal((byId.get(null) as { error: { code: number } }).error.code, -32600);

    const single = JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'Sysroot.GetOS' }]);
    const [one] = lines((await exchange(daemon.socket, single + '\n')).text);
    assert.ok(Array.isArray(one), 'a batch of one is answered with an array of one');

    const notificationsOnly = JSON.stringify([{ jsonrpc: '2.0', method: 'Sysroot.Reload' }]);
    const { text } = await exchange(daemon.socket, notificationsOnly + '\n');
    assert.equal(text, '', 'a batch of notifications gets no reply');
  });

  it('sends nothing for a notification, even an erroneous one', async () => {
    const { text, closedByServer } = await exchange(
      daemon.socket,
      '{"jsonrpc":"2.0","method":"Sysroot.Reload"}\n{"jsonrpc":"2.0","method":"Nope"}\n{"jsonrpc":"2.0","method":"Sysroot.GetOS","params":{"name":7}}\n',
    );
    assert.equal(text, '');
    assert.ok(closedByServer, 'the connection ends after the client half-closed');
  });

  it('refuses a message over 1 MiB with MessageTooLarge, closes that connection and serves others', async () => {
    const huge = '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetOS","params":{"name":"' + 'x'.repeat(1024 * 1024 + 10) + '"}}\n';
    const { text, closedByServer } = await exchange(daemon.socket, huge, { keepOpen: true });
    const [reply] = lines(text);
    assert.equal((reply.error as { data: { name: string } }).data.name, PREFIX + 'MessageTooLarge');
    assert.ok(closedByServer);
    // Same without any newline at all.
    const unterminated = await exchange(daemon.socket, 'y'.repeat(1024 * 1024 + 10), { keepOpen: true });
    assert.ok(unterminated.closedByServer);
    await stillServes();
  });

  it('replies to a client that half-closed, including a last line without newline', async () => {
    const { text, closedByServer } = await exchange(daemon.socket, '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}');
    assert.equal(lines(text)[0].id, 1);
    assert.ok(closedByServer);
  });

  it('serves many connections with many requests in flight each', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => JsonRpcClient.connect(daemon.socket)));
    try {
      const results = await Promise.all(
        clients.flatMap((c) =>
          Array.from({ length: 24 }, (_, i) =>
            i % 2 === 0 ? c.call<{ deployments: unknown[] }>('Sysroot.GetDeployments') : c.call<{ name: string }>('Sysroot.GetOS'),
          ),
        ),
      );
      assert.equal(results.length, 480);
      for (const [i, r] of results.entries()) {
        if (i % 2 === 0) assert.equal((r as { deployments: unknown[] }).deployments.length, 3);
        else assert.equal((r as { name: string }).name, 'debian');
      }
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('survives clients that disconnect abruptly mid-message and mid-request', async () => {
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const s = createConnection(daemon.socket, () => {
          s.write(i % 2 === 0 ? '{"jsonrpc":"2.0","id":1,"meth' : '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}\n');
          s.destroy();
          resolve();
        });
      });
    }
    await stillServes();
    assert.equal(daemon.process.exitCode, null, 'daemon still running');
  });
});
