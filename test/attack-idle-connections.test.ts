/**
 * Attack: idle connections of one user lock everyone out. A non-root user has a
 * connection cap well under the global one, slots are kept for root, and connections that
 * send nothing and have nothing in flight or subscribed are closed after a timeout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { REPO_ROOT } from './support/repo-root.js';
import { createTestUser } from './support/system-bus.js';
import { floodAsUser } from './support/user-flood.js';

const HOG = 'aoatk-fld-hog';
const OTHER = 'aoatk-fld-other';
const RPC_AS_USER = join(REPO_ROOT, 'dist', 'test', 'support', 'rpc-as-user.js');

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends one message and resolves with the first reply (NDJSON or Varlink framing). */
function ask(socket: Socket, message: object, terminator: '\n' | '\0'): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString();
      const end = text.indexOf(terminator);
      if (end === -1) return;
      socket.off('data', onData);
      resolve(JSON.parse(text.slice(0, end)) as Record<string, unknown>);
    };
    socket.on('data', onData);
    socket.write(JSON.stringify(message) + terminator);
  });
}

describe('attack: idle connections of one user', () => {
  const dir = tempSysrootDir();
  let sysroot: string;
  const cleanups: (() => void)[] = [];

  before(() => {
    cleanups.push(createTestUser(HOG, HOG), createTestUser(OTHER, OTHER));
    sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
  });
  after(() => {
    for (const cleanup of cleanups.reverse()) cleanup();
  });

  it('600 idle connections of one user leave root and other users served (default limits)', async () => {
    const daemon = await startDaemon({ sysroot });
    try {
      const hog = floodAsUser(HOG, ['idle', daemon.socket, 600, 3000]);
      await hog.ready;
      const root = await JsonRpcClient.connect(daemon.socket);
      const { deployments } = await root.call<{ deployments: unknown[] }>('Sysroot.GetDeployments');
      assert.equal(deployments.length, 3);
      root.close();
      const other = spawnSync('runuser', ['-u', OTHER, '--', process.execPath, RPC_AS_USER, daemon.socket, 'Sysroot.GetOS', '{}'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.ok('result' in JSON.parse(other.stdout || '{}'), `another user is served: ${other.stdout}${other.stderr}`);
      const held = (await hog.result) as { connections: number; closed: number };
      // Those over the per-uid cap were answered LimitExceeded and closed at once.
      assert.ok(held.connections - held.closed <= 64, `the user held ${held.connections - held.closed} connections`);
    } finally {
      await daemon.stop();
    }
  });

  it('closes connections idle for the timeout, unless something is in flight or subscribed', async () => {
    const daemon = await startDaemon({ sysroot, extraArgs: ['--idle-timeout', '1'] });
    try {
      const silent = await open(daemon.socket);
      const answered = await open(daemon.socket);
      const varlink = await open(daemon.socket);
      const registered = await open(daemon.socket);
      const all = [silent, answered, varlink, registered];
      const closed = new Set<Socket>();
      for (const s of all) {
        s.on('error', () => {});
        s.on('close', () => closed.add(s));
      }
      assert.ok('result' in (await ask(answered, { jsonrpc: '2.0', id: 1, method: 'Sysroot.GetOS' }, '\n')));
      assert.ok('parameters' in (await ask(varlink, { method: 'org.varlink.service.GetInfo' }, '\0')));
      assert.ok('result' in (await ask(registered, { jsonrpc: '2.0', id: 1, method: 'Sysroot.RegisterClient', params: { id: 'test' } }, '\n')));
      await until(() => closed.size === 3, 10_000, 'the three idle connections to be closed');
      assert.ok(!closed.has(registered), 'a registered client stays connected');
      // It still answers after more than the timeout of silence.
      assert.ok('result' in (await ask(registered, { jsonrpc: '2.0', id: 2, method: 'Sysroot.GetOS' }, '\n')));
      registered.destroy();
    } finally {
      await daemon.stop();
    }
  });
});
