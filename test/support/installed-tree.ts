/**
 * Runs the daemon and the CLI installed under `root` (/usr/bin/apt-ostreed, /usr/bin/apt-ostree,
 * /etc/apt-ostreed/apt-ostreed.conf: scripts/install.sh's layout, the Debian package's) against
 * a real sysroot built in `dir`: a transaction (OS.Rollback: the installed worker bundle and
 * koffi's native module do the work), then `apt-ostree status`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { JsonRpcClient } from '../../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../../src/demo/sysroot-builder.js';
import { exited, waitForSocket } from './daemon-process.js';

export async function assertInstalledDaemonWorks(root: string, dir: string): Promise<void> {
  const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
  const socket = join(dir, 'installed.sock');
  const daemon = spawn(
    process.execPath,
    [
      join(root, 'usr/bin/apt-ostreed'),
      '--sysroot',
      sysroot,
      '--socket',
      socket,
      '--state-dir',
      join(dir, 'state'),
      '--cache-dir',
      join(dir, 'cache'),
      '--config',
      join(root, 'etc/apt-ostreed/apt-ostreed.conf'),
      '--no-dbus',
    ],
    { stdio: 'ignore' },
  );
  try {
    await waitForSocket(socket, 10_000, () => daemon.exitCode === null);
    const c = await JsonRpcClient.connect(socket);
    const r = await c.call<{ changed: boolean }>('OS.Rollback', {});
    assert.equal(r.changed, true);
    c.close();
    const status = execFileSync(process.execPath, [join(root, 'usr/bin/apt-ostree'), '--socket', socket, 'status'], { encoding: 'utf8' });
    assert.match(status, /^State: idle/);
  } finally {
    daemon.kill('SIGTERM');
    await exited(daemon);
  }
}
