/**
 * The client library's connect: a listen backlog that is full for a moment (a burst of
 * connections the daemon is still accepting) is tried again, not reported as a failure.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConnectError, JsonRpcClient } from '../src/client/jsonrpc-client.js';

/** A server that listens with the smallest backlog and accepts only when told to (a line on stdin). */
const SLOW_SERVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(0)
print('ready', flush=True)
sys.stdin.readline()
kept = []
while True:
    c, _ = s.accept(); kept.append(c)
`;

function connectRaw(path: string): Promise<Socket | string> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => resolve(s));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('client connect', () => {
  it('tries a full backlog (EAGAIN) again until the server accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apt-ostree-backlog-'));
    const path = join(dir, 'server.sock');
    const server = spawn('python3', ['-c', SLOW_SERVER, path], { stdio: ['pipe', 'pipe', 'inherit'] });
    const held: Socket[] = [];
    try {
      await new Promise<void>((resolve) => server.stdout.once('data', () => resolve()));
      // Fill the backlog: connections queue until one is refused with EAGAIN.
      let refused = '';
      for (let i = 0; i < 64 && refused === ''; i++) {
        const r = await connectRaw(path);
        if (typeof r === 'string') refused = r;
        else held.push(r);
      }
      assert.equal(refused, 'EAGAIN', 'the backlog filled up');
      const connecting = JsonRpcClient.connect(path);
      await new Promise((r) => setTimeout(r, 200));
      server.stdin.write('accept\n');
      const client = await connecting;
      client.close();
    } finally {
      for (const s of held) s.destroy();
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a socket nobody listens on at once', async () => {
    const t0 = Date.now();
    await assert.rejects(JsonRpcClient.connect('/nonexistent/apt-ostreed.sock'), (e: ConnectError) => e instanceof ConnectError && e.code === 'ENOENT');
    assert.ok(Date.now() - t0 < 1000, 'ENOENT is not retried');
  });
});
