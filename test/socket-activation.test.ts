/**
 * Socket activation: the daemon takes its listening socket from systemd's protocol
 * (LISTEN_PID / LISTEN_FDS / LISTEN_FDNAMES), here from the real systemd-socket-activate.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { takeListenFds } from '../src/transports/listen-fds.js';
import { exited, waitForSocket } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { DAEMON_BIN } from './support/repo-root.js';

describe('takeListenFds (sd_listen_fds semantics)', () => {
  it('takes fds 3.. with their names when LISTEN_PID is this process, and clears the variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '4242', LISTEN_FDS: '2', LISTEN_FDNAMES: 'main:extra', OTHER: 'x' };
    assert.deepEqual(takeListenFds(env, 4242), [
      { fd: 3, name: 'main' },
      { fd: 4, name: 'extra' },
    ]);
    assert.deepEqual(env, { OTHER: 'x' });
  });

  it('ignores fds meant for another process, and bad counts, but still clears the variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '1', LISTEN_FDS: '1' };
    assert.deepEqual(takeListenFds(env, 4242), []);
    assert.deepEqual(env, {});
    assert.deepEqual(takeListenFds({ LISTEN_PID: '7', LISTEN_FDS: 'x' }, 7), []);
    assert.deepEqual(takeListenFds({ LISTEN_PID: '7', LISTEN_FDS: '0' }, 7), []);
    assert.deepEqual(takeListenFds({}, 7), []);
    assert.deepEqual(takeListenFds({ LISTEN_PID: '7', LISTEN_FDS: '1' }, 7), [{ fd: 3, name: 'unknown' }]);
  });
});

describe('apt-ostreed under systemd-socket-activate', () => {
  const dir = tempSysrootDir();
  let sysroot: string;

  before(() => {
    sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
  });

  it('serves on the passed socket, as the same process, and does not bind --socket', async () => {
    const socket = join(dir, 'activated.sock');
    const unused = join(dir, 'unused.sock');
    const child = spawn(
      'systemd-socket-activate',
      ['-l', socket, '--fdname=apt-ostreed.socket', process.execPath, DAEMON_BIN, '--sysroot', sysroot, '--socket', unused, '--config', '/dev/null'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    after(async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited(child);
    });
    await waitForSocket(socket, 10_000, () => child.exitCode === null);
    // systemd-socket-activate only execs the daemon on the first connection; it is loaded lazily.
    const client = await JsonRpcClient.connect(socket);
    const { deployments } = await client.call<{ deployments: unknown[] }>('Sysroot.GetDeployments');
    assert.equal(deployments.length, 3);
    client.close();
    assert.equal(existsSync(unused), false, 'an activated daemon does not bind --socket');
    assert.match(stderr, /socket activation, apt-ostreed\.socket/);
    // The pid systemd-socket-activate started is the node process itself (exec, no wrapper).
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    assert.equal(cmdline[0], process.execPath);
    assert.equal(cmdline[1], DAEMON_BIN);
    const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8');
    assert.match(environ, /LISTEN_FDS=1/, 'the kernel copy of the environment shows the activation');
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
  });

  it('accepts connections before it loads the sysroot (libostree is loaded on the first read)', async () => {
    const socket = join(dir, 'lazy.sock');
    const child = spawn(process.execPath, [DAEMON_BIN, '--sysroot', sysroot, '--socket', socket, '--config', '/dev/null'], {
      stdio: 'ignore',
    });
    after(async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited(child);
    });
    await waitForSocket(socket, 10_000, () => child.exitCode === null);
    const maps = () => readFileSync(`/proc/${child.pid}/maps`, 'utf8');
    assert.doesNotMatch(maps(), /libostree/, 'listening before libostree is even loaded');
    const client = await JsonRpcClient.connect(socket);
    await client.call('Sysroot.GetDeployments');
    client.close();
    assert.match(maps(), /libostree/);
  });
});
