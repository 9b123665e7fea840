/**
 * The transactions' peer-to-peer D-Bus server, spoken to byte by byte as a hostile or sloppy
 * client would: a uid the kernel does not confirm is rejected, BEGIN before OK is refused, a
 * peer the admission rule does not admit is disconnected before anything is read, a message
 * longer than the limit closes the connection before it is buffered, and stale sockets of a
 * killed daemon are removed by name (nothing else).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PeerServer, removeStaleTransactionSockets } from '../src/transports/dbus/peer-to-peer/peer-server.js';
import { createLogger } from '../src/util/logger.js';

const log = createLogger('error');
const hexUid = (uid: number): string => Buffer.from(String(uid)).toString('hex');

/** A raw client: what it sends, and everything the server answered until it closed or `ms` passed. */
async function talk(path: string, lines: (string | Buffer)[], ms = 1500): Promise<{ answer: string; closed: boolean }> {
  const socket: Socket = connect(path);
  let answer = '';
  let closed = false;
  socket.on('data', (d) => (answer += d.toString('latin1')));
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  for (const l of lines) {
    socket.write(l);
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let waited = 0; waited < ms && !closed; waited += 50) await new Promise((r) => setTimeout(r, 50));
  socket.destroy();
  return { answer, closed };
}

describe('the transactions’ peer-to-peer server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apt-ostreed-peer-'));
  const servers: PeerServer[] = [];
  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const listen = async (admits: (uid: number) => boolean) => {
    let connections = 0;
    const s = await PeerServer.listen({
      directory: dir,
      admits: (peer) => admits(peer.uid),
      onConnection: () => connections++,
      onDisconnect: () => {},
      log,
    });
    servers.push(s);
    return { server: s, connections: () => connections };
  };

  it('authenticates EXTERNAL only for the uid the kernel reports; BEGIN before OK is refused', async () => {
    const { server, connections } = await listen(() => true);
    const wrongUid = await talk(server.path, ['\0', `AUTH EXTERNAL ${hexUid(process.getuid!() + 1)}\r\n`]);
    assert.match(wrongUid.answer, /^REJECTED EXTERNAL\r\n/);
    const otherMechanism = await talk(server.path, ['\0', 'AUTH DBUS_COOKIE_SHA1 x\r\n']);
    assert.match(otherMechanism.answer, /^REJECTED EXTERNAL\r\n/);
    const early = await talk(server.path, ['\0', 'BEGIN\r\n']);
    assert.match(early.answer, /^ERROR/);
    const noNul = await talk(server.path, ['AUTH EXTERNAL\r\n']);
    assert.equal(noNul.closed, true, 'a client that does not start with NUL is disconnected');
    assert.equal(connections(), 0, 'none of them reached the transaction');
    const ok = await talk(server.path, ['\0', `AUTH EXTERNAL ${hexUid(process.getuid!())}\r\n`, 'NEGOTIATE_UNIX_FD\r\n', 'BEGIN\r\n'], 1000);
    assert.match(ok.answer, /^OK [0-9a-f]{32}\r\nERROR/, 'no file descriptors on this connection');
    assert.equal(connections(), 1);
  });

  it('disconnects a peer the admission rule refuses before reading anything', async () => {
    const { server, connections } = await listen(() => false);
    const r = await talk(server.path, ['\0', `AUTH EXTERNAL ${hexUid(process.getuid!())}\r\n`]);
    assert.equal(r.closed, true);
    assert.equal(r.answer, '');
    assert.equal(connections(), 0);
  });

  it('closes a connection announcing a message over the limit before buffering it', async () => {
    const { server } = await listen(() => true);
    // A little-endian method call header announcing a 64 MiB body.
    const header = Buffer.alloc(16);
    header.write('l', 0, 'latin1');
    header.writeUInt8(1, 1);
    header.writeUInt8(1, 3);
    header.writeUInt32LE(64 * 1024 * 1024, 4);
    header.writeUInt32LE(1, 8);
    header.writeUInt32LE(0, 12);
    const r = await talk(server.path, ['\0', `AUTH EXTERNAL ${hexUid(process.getuid!())}\r\n`, 'BEGIN\r\n', header]);
    assert.equal(r.closed, true);
  });

  it('removes stale transaction sockets by name, and nothing else', async () => {
    const stale = join(dir, `apt-ostreed-transaction-${'a'.repeat(32)}.sock`);
    const other = join(dir, 'other.sock');
    // Sockets bound by a process that then went away without removing them: what a killed daemon leaves.
    for (const path of [stale, other]) {
      execFileSync('/usr/bin/python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
    }
    assert.ok(lstatSync(stale).isSocket());
    const regular = join(dir, `apt-ostreed-transaction-${'b'.repeat(32)}.sock`);
    writeFileSync(regular, 'not a socket');
    removeStaleTransactionSockets(dir, log);
    const left = readdirSync(dir).sort();
    assert.ok(!left.includes(stale.slice(dir.length + 1)), 'the stale socket went');
    assert.ok(left.includes('other.sock') && left.includes(regular.slice(dir.length + 1)), left.join(' '));
  });
});
