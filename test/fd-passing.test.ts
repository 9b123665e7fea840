/**
 * Descriptor passing (docs/fd-passing.md) at the transport level: the daemon's socket server
 * with a stand-in dispatcher whose one method reads the files a request passed. The method
 * exists only here; the public API has none.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, closeSync, fstatSync, mkdtempSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcClient, RemoteError } from '../src/client/jsonrpc-client.js';
import { writeWithFds } from '../src/client/fd-sending.js';
import type { CallContext } from '../src/dispatcher/call-context.js';
import type { Dispatcher } from '../src/dispatcher/dispatcher.js';
import { takeFd } from '../src/dispatcher/fd-params.js';
import { DEFAULT_LIMITS } from '../src/transports/connection-limits.js';
import { JsonRpcEndpoint } from '../src/transports/jsonrpc/jsonrpc-endpoint.js';
import { SocketServer } from '../src/transports/socket-server.js';
import type { VarlinkCall, VarlinkEndpoint, VarlinkReply } from '../src/transports/varlink/varlink-endpoint.js';
import { createLogger } from '../src/util/logger.js';
import { REPO_ROOT } from './support/repo-root.js';

const FD_CLIENT = join(REPO_ROOT, 'dist', 'test', 'support', 'fd-client.js');

/**
 * Reads every file the params name (`files: [{fd}]`) through the descriptors passed, from
 * offset 0 with pread: the client shares the file offset, which is neither trusted nor moved.
 */
async function readFiles(params: unknown, ctx: Pick<CallContext, 'fds'>): Promise<{ contents: string[] }> {
  const files = (params as { files?: unknown[] }).files ?? [];
  const contents = files.map((ref) => {
    const fd = takeFd(ctx, ref, 'files');
    try {
      const buf = Buffer.alloc(fstatSync(fd).size);
      readSync(fd, buf, 0, buf.length, 0);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  });
  return { contents };
}

const dispatcher = {
  call: async (name: string, params: unknown, ctx: CallContext) => (name === 'Test.ReadFiles' ? readFiles(params, ctx) : { pong: true }),
} as unknown as Dispatcher;

const varlink = {
  handle: async (call: VarlinkCall, ctx: Pick<CallContext, 'fds'>, reply: (r: VarlinkReply) => void) => {
    try {
      reply({ parameters: await readFiles(call.parameters, ctx) });
    } catch (err) {
      reply({ error: 'org.example.Failed', parameters: { message: (err as Error).message } });
    }
  },
} as unknown as VarlinkEndpoint;

const openFds = () => readdirSync('/proc/self/fd').length;

/** The descriptor count once the previous test's connections are closed (closing is asynchronous). */
async function steady(): Promise<number> {
  let last = -1;
  for (let same = 0; same < 5; await new Promise((r) => setTimeout(r, 20))) {
    const now = openFds();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/** Waits until the process holds `count` descriptors (closing is asynchronous). */
async function settlesTo(count: number): Promise<void> {
  for (let i = 0; i < 100 && openFds() !== count; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(openFds(), count, 'no descriptor leaked');
}

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path, () => resolve(s));
    s.once('error', reject);
  });
}

/** Reads delimited messages from a raw socket. */
function reader(socket: Socket, delimiter = '\n'): { next(): Promise<Record<string, unknown> | 'closed'> } {
  let buffered = '';
  let closed = false;
  const waiting: (() => void)[] = [];
  const wake = () => waiting.splice(0).forEach((w) => w());
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => ((buffered += d), wake()));
  socket.on('close', () => ((closed = true), wake()));
  return {
    async next() {
      for (;;) {
        const at = buffered.indexOf(delimiter);
        if (at !== -1) {
          const text = buffered.slice(0, at);
          buffered = buffered.slice(at + 1);
          return JSON.parse(text) as Record<string, unknown>;
        }
        if (closed) return 'closed';
        await new Promise<void>((r) => waiting.push(r));
      }
    },
  };
}

describe('descriptor passing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-passing-'));
  const path = join(dir, 'daemon.sock');
  const fileA = join(dir, 'a.deb');
  const fileB = join(dir, 'b.deb');
  let server: SocketServer;
  before(async () => {
    chmodSync(dir, 0o755);
    writeFileSync(fileA, 'contents of a');
    writeFileSync(fileB, 'contents of b'.repeat(1000));
    server = new SocketServer(new JsonRpcEndpoint(dispatcher), varlink, createLogger('error'), {
      maxMessageBytes: 1 << 20,
      limits: { ...DEFAULT_LIMITS, partialMessageTimeoutMs: 1000 },
    });
    await server.listenPath(path);
  });
  after(() => server.close());

  it('hands the daemon two open files with a JSON-RPC request; it reads them through the descriptors', async () => {
    const base = await steady();
    const client = await JsonRpcClient.connect(path);
    const fds = [openSync(fileA, 'r'), openSync(fileB, 'r')];
    const result = await client.call('Test.ReadFiles', { files: [{ fd: 1 }, { fd: 0 }] }, { fds });
    assert.deepEqual(result, { contents: ['contents of b'.repeat(1000), 'contents of a'] });
    // Plain calls go on as before on the same connection, and calls made meanwhile wait their turn.
    const [again, plain] = await Promise.all([client.call('Test.ReadFiles', { files: [{ fd: 0 }] }, { fds: [fds[0]] }), client.call('Test.Ping')]);
    assert.deepEqual(again, { contents: ['contents of a'] });
    assert.deepEqual(plain, { pong: true });
    fds.forEach((fd) => closeSync(fd));
    client.close();
    await settlesTo(base);
  });

  it("passes another user's files the same way (its requests wait their turn)", async () => {
    // Asynchronously: the server answering it runs in this process.
    const run = await promisify(execFile)('runuser', ['-u', 'nobody', '--', process.execPath, FD_CLIENT, path, 'Test.ReadFiles', fileA, fileB], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.deepEqual(JSON.parse(run.stdout), { contents: ['contents of a', 'contents of b'.repeat(1000)] });
  });

  it('closes the descriptors no param named once the request is answered', async () => {
    const client = await JsonRpcClient.connect(path);
    const base = await steady();
    const fds = [openSync(fileA, 'r'), openSync(fileB, 'r'), openSync(fileA, 'r')];
    const result = await client.call('Test.ReadFiles', { files: [{ fd: 2 }] }, { fds });
    assert.deepEqual(result, { contents: ['contents of a'] });
    fds.forEach((fd) => closeSync(fd));
    await settlesTo(base);
    client.close();
  });

  it('refuses more than 64 descriptors, in the announcement or in the message', async () => {
    const base = await steady();
    const client = await JsonRpcClient.connect(path);
    const many = Array.from({ length: 65 }, () => openSync(fileA, 'r'));
    await assert.rejects(client.call('Test.ReadFiles', { files: [{ fd: 0 }] }, { fds: many }), /at most 64 descriptors/);
    client.close();
    // Announcing 64 and sending 65: the connection is closed and none of them is kept.
    const socket = await connect(path);
    const replies = reader(socket);
    socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rpc.passFds', params: { count: 64 } }) + '\n');
    assert.deepEqual(await replies.next(), { jsonrpc: '2.0', id: 1, result: { count: 64 } });
    await writeWithFds(socket, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'Test.ReadFiles', params: {} }) + '\n', many);
    assert.equal(await replies.next(), 'closed');
    many.forEach((fd) => closeSync(fd));
    await settlesTo(base);
  });

  it('closes a connection whose message brings another number of descriptors than announced', async () => {
    const base = await steady();
    const file = openSync(fileA, 'r');
    for (const sent of [[file], [file, file, file], []]) {
      const socket = await connect(path);
      const replies = reader(socket);
      socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rpc.passFds', params: { count: 2 } }) + '\n');
      await replies.next();
      const line = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'Test.ReadFiles', params: { files: [{ fd: 0 }] } }) + '\n';
      if (sent.length > 0) await writeWithFds(socket, line, sent);
      else socket.write(line);
      assert.equal(await replies.next(), 'closed', `${sent.length} sent`);
    }
    closeSync(file);
    await settlesTo(base);
  });

  it('refuses a descriptor that is not a regular file opened for reading', async () => {
    const base = await steady();
    const client = await JsonRpcClient.connect(path);
    const other = await connect(path);
    const otherFd = (other as unknown as { _handle: { fd: number } })._handle.fd;
    const writeOnly = openSync(join(dir, 'w'), 'w');
    const file = openSync(fileA, 'r');
    for (const bad of [otherFd, writeOnly]) {
      const err = await client.call('Test.ReadFiles', { files: [{ fd: 0 }] }, { fds: [file, bad] }).catch((e: unknown) => e);
      assert.ok(err instanceof RemoteError && err.code === -32600, String(err));
      assert.match(err.message, bad === otherFd ? /descriptor 1: not a regular file/ : /descriptor 1: not opened for reading/);
    }
    // The connection still serves.
    assert.deepEqual(await client.call('Test.ReadFiles', { files: [{ fd: 0 }] }, { fds: [file] }), { contents: ['contents of a'] });
    [writeOnly, file].forEach((fd) => closeSync(fd));
    other.destroy();
    client.close();
    await settlesTo(base);
  });

  it('drops descriptors sent with a line nobody announced: the request has none', async () => {
    const base = await steady();
    const socket = await connect(path);
    const replies = reader(socket);
    const file = openSync(fileA, 'r');
    await writeWithFds(socket, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'Test.ReadFiles', params: { files: [{ fd: 0 }] } }) + '\n', [file]);
    const reply = (await replies.next()) as { error: { code: number; message: string } };
    assert.equal(reply.error.code, -32602);
    assert.match(reply.error.message, /the request carried none/);
    closeSync(file);
    socket.destroy();
    await settlesTo(base);
  });

  it('closes a connection that goes away in the middle of a message with descriptors, keeping none', async () => {
    const base = await steady();
    const socket = await connect(path);
    const replies = reader(socket);
    const fds = [openSync(fileA, 'r'), openSync(fileB, 'r')];
    socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rpc.passFds', params: { count: 2 } }) + '\n');
    await replies.next();
    await writeWithFds(socket, '{"jsonrpc":"2.0","id":2,"method":"Test.ReadFiles","par', fds);
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    fds.forEach((fd) => closeSync(fd));
    await settlesTo(base);
    // A client that stalls instead is closed after the partial-message timeout.
    const stalled = await connect(path);
    const stalledReplies = reader(stalled);
    stalled.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rpc.passFds', params: { count: 1 } }) + '\n');
    await stalledReplies.next();
    assert.equal(await stalledReplies.next(), 'closed');
    await settlesTo(base);
  });

  it('refuses an announcement followed by more before its answer', async () => {
    const socket = await connect(path);
    const replies = reader(socket);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'Test.Ping' });
    socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rpc.passFds', params: { count: 1 } }) + '\n' + ping + '\n');
    const first = (await replies.next()) as { id: number; error?: { message: string } };
    assert.equal(first.id, 1);
    assert.match(first.error?.message ?? '', /send nothing more/);
    assert.deepEqual(await replies.next(), { jsonrpc: '2.0', id: 2, result: { pong: true } });
    socket.destroy();
  });

  it('passes descriptors with a Varlink call', async () => {
    const base = await steady();
    const socket = await connect(path);
    const replies = reader(socket, '\0');
    const fds = [openSync(fileA, 'r'), openSync(fileB, 'r')];
    socket.write(JSON.stringify({ method: 'org.projectatomic.aptostree1.Transport.PassFds', parameters: { count: 2 } }) + '\0');
    assert.deepEqual(await replies.next(), { parameters: { count: 2 } });
    await writeWithFds(socket, JSON.stringify({ method: 'org.example.Test.ReadFiles', parameters: { files: [{ fd: 0 }, { fd: 1 }] } }) + '\0', fds);
    assert.deepEqual(await replies.next(), { parameters: { contents: ['contents of a', 'contents of b'.repeat(1000)] } });
    // Without an announcement the call has no descriptors.
    socket.write(JSON.stringify({ method: 'org.example.Test.ReadFiles', parameters: { files: [{ fd: 0 }] } }) + '\0');
    const refused = (await replies.next()) as { error: string; parameters: { message: string } };
    assert.match(refused.parameters.message, /carried none/);
    fds.forEach((fd) => closeSync(fd));
    socket.destroy();
    await settlesTo(base);
  });

  it('never gives a server without descriptor passing a client that was not announced (plain sockets untouched)', async () => {
    // A plain Node server: a descriptor sent without announcement is dropped by the kernel.
    const plainPath = join(dir, 'plain.sock');
    const base = await steady();
    const got = new Promise<string>((resolve) => {
      const plain = createServer((s) => s.setEncoding('utf8').on('data', (d: string) => (plain.close(), s.destroy(), resolve(d))));
      plain.listen(plainPath);
    });
    const socket = await connect(plainPath);
    const file = openSync(fileA, 'r');
    await writeWithFds(socket, 'hello\n', [file]);
    assert.equal(await got, 'hello\n');
    closeSync(file);
    socket.destroy();
    await settlesTo(base);
  });
});
