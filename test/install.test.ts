/**
 * `scripts/install.sh DESTDIR` (npm run install-system): everything lands at Debian's paths,
 * the installed units pass `systemd-analyze verify` in that root, and the installed daemon and
 * CLI run from there against a real sysroot.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertInstalledDaemonWorks } from './support/installed-tree.js';
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
        'usr/lib/apt-ostreed/apt-ostreed-live.cjs',
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
      // Only what the bundles load at run time: koffi (its linux x64 addon) and dbus-next with
      // their dependencies; no development tools, nothing bundled, no other platforms' builds.
      const modules = join(dest, 'usr/lib/apt-ostreed/node_modules');
      assert.ok(existsSync(join(modules, '@koromix/koffi-linux-x64/linux_x64/koffi.node')));
      for (const m of ['typescript', 'esbuild', 'eslint', 'ajv', 'citty', '@koromix/koffi-linux-x64/musl_x64', 'koffi/vendor']) {
        assert.ok(!existsSync(join(modules, m)), m);
      }
      const units = readdirSync(join(dest, 'usr/lib/systemd/system'));
      copyFileSync('/usr/bin/kill', join(dest, 'usr/bin/kill'));
      const verify = verifyUnits(dest, units, []);
      assert.equal(verify.status, 0, verify.stderr);
      assert.equal(verify.stderr.trim(), '', verify.stderr);

      await assertInstalledDaemonWorks(dest, dir);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });
});
