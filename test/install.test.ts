/**
 * `scripts/install.sh DESTDIR` (npm run install-system): everything lands at Debian's paths,
 * the installed units pass `systemd-analyze verify` in that root, and the installed daemon and
 * CLI run from there against a real sysroot.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { exited, waitForSocket } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { REPO_ROOT } from './support/repo-root.js';
import { verifyUnits } from './support/systemd-verify.js';

describe('installation into a DESTDIR', () => {
  it('puts every file at its path; the units verify; the installed daemon and CLI work', async () => {
    const dest = mkdtempSync(join(tmpdir(), 'apt-ostree-destdir-'));
    const dir = tempSysrootDir();
    try {
      execFileSync('bash', [join(REPO_ROOT, 'scripts/install.sh'), dest], { stdio: 'pipe' });
      for (const f of [
        'usr/bin/apt-ostreed',
        'usr/bin/apt-ostree',
        'usr/lib/apt-ostreed/apt-ostreed.cjs',
        'usr/lib/apt-ostreed/apt-ostreed-worker.cjs',
        'usr/lib/apt-ostreed/node_modules/koffi/package.json',
        'usr/lib/apt-ostreed/node_modules/dbus-next/package.json',
        'usr/lib/systemd/system/apt-ostreed.service',
        'usr/lib/systemd/system/apt-ostreed.socket',
        'usr/lib/systemd/system/apt-ostreed-automatic.service',
        'usr/lib/systemd/system/apt-ostreed-automatic.timer',
        'usr/lib/tmpfiles.d/apt-ostree.conf',
        'usr/share/polkit-1/actions/org.projectatomic.aptostree.policy',
        'usr/share/dbus-1/system.d/org.projectatomic.aptostree1.conf',
        'usr/share/dbus-1/system-services/org.projectatomic.aptostree1.service',
        'etc/apt-ostreed/apt-ostreed.conf',
        'usr/share/man/man1/apt-ostree.1',
        'usr/share/man/man8/apt-ostreed.8',
      ]) {
        assert.ok(existsSync(join(dest, f)), f);
      }
      const units = readdirSync(join(dest, 'usr/lib/systemd/system'));
      copyFileSync('/usr/bin/kill', join(dest, 'usr/bin/kill'));
      const verify = verifyUnits(dest, units, []);
      assert.equal(verify.status, 0, verify.stderr);
      assert.equal(verify.stderr.trim(), '', verify.stderr);

      const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
      const socket = join(dir, 'installed.sock');
      const daemon = spawn(process.execPath, [join(dest, 'usr/bin/apt-ostreed'), '--sysroot', sysroot, '--socket', socket, '--state-dir', join(dir, 'state'), '--cache-dir', join(dir, 'cache'), '--config', join(dest, 'etc/apt-ostreed/apt-ostreed.conf'), '--no-dbus'], { stdio: 'ignore' });
      try {
        await waitForSocket(socket);
        const c = await JsonRpcClient.connect(socket);
        // A transaction: the installed worker bundle and koffi do the work.
        const r = await c.call<{ changed: boolean }>('OS.Rollback', {});
        assert.equal(r.changed, true);
        c.close();
        const status = execFileSync(process.execPath, [join(dest, 'usr/bin/apt-ostree'), '--socket', socket, 'status'], { encoding: 'utf8' });
        assert.match(status, /^State: idle/);
      } finally {
        daemon.kill('SIGTERM');
        await exited(daemon);
      }
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });
});
