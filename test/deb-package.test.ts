/**
 * `npm run deb` (scripts/deb.sh): the Debian package dpkg-buildpackage builds. lintian finds no
 * error in it; it depends on the packages the daemon really uses; it holds every file at its
 * path and nothing of the development tree; its maintainer scripts enable the socket and the
 * timer, never start the daemon, keep the socket up on upgrade and purge the state and cache;
 * the daemon and CLI it installs (dpkg-deb -x) work against a real sysroot; and
 * APT_OSTREED_DEB_VERSION builds a higher version of it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { basename, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { assertInstalledDaemonWorks } from './support/installed-tree.js';
import { runMaintainerScript } from './support/maintainer-scripts.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { REPO_ROOT } from './support/repo-root.js';

/** Runs scripts/deb.sh; returns the .deb's path, its last line of stdout. */
function buildDeb(env: Record<string, string> = {}): string {
  const r = spawnSync('bash', [join(REPO_ROOT, 'scripts/deb.sh')], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  const path = r.stdout.trim().split('\n').pop() ?? '';
  assert.ok(existsSync(path), `deb.sh printed ${JSON.stringify(path)}`);
  return path;
}

const field = (deb: string, name: string): string => execFileSync('dpkg-deb', ['--field', deb, name], { encoding: 'utf8' }).trim();

const LIB = 'usr/lib/apt-ostreed';
const EXPECTED_FILES = [
  'usr/bin/apt-ostreed',
  'usr/bin/apt-ostree',
  `${LIB}/apt-ostreed.cjs`,
  `${LIB}/apt-ostreed-worker.cjs`,
  `${LIB}/apt-ostreed-live.cjs`,
  `${LIB}/apt-ostree.cjs`,
  `${LIB}/apt-ostree.cjs.cache`,
  `${LIB}/node_modules/koffi/package.json`,
  `${LIB}/node_modules/koffi/index.cjs`,
  `${LIB}/node_modules/@koromix/koffi-linux-x64/package.json`,
  `${LIB}/node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node`,
  `${LIB}/node_modules/dbus-next/package.json`,
  'lib/systemd/system/apt-ostreed.service',
  'lib/systemd/system/apt-ostreed.socket',
  'lib/systemd/system/apt-ostreed-automatic.service',
  'lib/systemd/system/apt-ostreed-automatic.timer',
  'usr/lib/tmpfiles.d/apt-ostree.conf',
  'usr/share/dbus-1/system.d/org.projectatomic.aptostree1.conf',
  'usr/share/dbus-1/system-services/org.projectatomic.aptostree1.service',
  'usr/share/polkit-1/actions/org.projectatomic.aptostree.policy',
  'etc/apt-ostreed/apt-ostreed.conf',
  'usr/share/man/man1/apt-ostree.1.gz',
  'usr/share/man/man8/apt-ostreed.8.gz',
  'usr/share/doc/apt-ostreed/copyright',
  'usr/share/doc/apt-ostreed/changelog.gz',
];
/** The modules the bundles leave external (scripts/bundle-externals.mjs): the only dependencies shipped as node modules. */
const EXTERNALS = ['koffi', 'dbus-next'];

describe('the Debian package (npm run deb)', () => {
  const dir = tempSysrootDir('apt-ostreed-deb-');
  let deb = '';
  before(() => {
    deb = buildDeb();
  });

  it('is named after package.json’s version and lintian finds no error in it', (t) => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(basename(deb), `apt-ostreed_${version}_amd64.deb`);
    assert.equal(field(deb, 'Version'), version);
    assert.equal(field(deb, 'Architecture'), 'amd64');
    const r = spawnSync('lintian', ['--display-info', deb], { encoding: 'utf8' });
    const tags = r.stdout.split('\n').filter((l) => /^[EWIP]: /.test(l));
    for (const tag of tags) t.diagnostic(tag);
    assert.deepEqual(
      tags.filter((l) => l.startsWith('E: ')),
      [],
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('depends on the packages the daemon loads and runs, each a real package', () => {
    const depends = field(deb, 'Depends')
      .split(',')
      .map((d) => d.trim());
    const names = depends.map((d) => d.split(/[\s(]/)[0]);
    for (const name of ['nodejs', 'libostree-1-1', 'libglib2.0-0', 'ostree', 'bubblewrap', 'apt', 'dpkg', 'mount', 'procps', 'polkitd', 'dbus', 'libc6']) {
      assert.ok(names.includes(name), `Depends lacks ${name}: ${depends.join(', ')}`);
    }
    assert.ok(depends.includes('nodejs (>= 20)'), depends.join(', '));
    // Real packages (not only virtual names) that APT knows.
    const r = spawnSync('apt-cache', ['show', '--no-all-versions', ...names], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const known = new Set([...r.stdout.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]));
    assert.deepEqual(
      names.filter((n) => !known.has(n)),
      [],
    );
  });

  it('holds every file at its path, the configuration as a conffile, and nothing of the development tree', () => {
    const listing = execFileSync('dpkg-deb', ['--contents', deb], { encoding: 'utf8' });
    const paths = listing
      .split('\n')
      .filter((l) => l !== '')
      .map((l) =>
        l
          .slice(l.indexOf('./') + 2)
          .replace(/ -> .*$/, '')
          .replace(/\/$/, ''),
      )
      .filter((p) => p !== '');
    for (const f of EXPECTED_FILES) assert.ok(paths.includes(f), f);
    assert.equal(execFileSync('dpkg-deb', ['--info', deb, 'conffiles'], { encoding: 'utf8' }).trim(), '/etc/apt-ostreed/apt-ostreed.conf');

    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const unwanted = [
      ...Object.keys(pkg.devDependencies),
      // Bundled into dist/*.cjs.
      ...Object.keys(pkg.dependencies).filter((d) => !EXTERNALS.includes(d)),
      'esbuild',
      '@esbuild',
      'eslint',
      '@eslint',
      '@typescript-eslint',
      '@types',
    ];
    for (const name of unwanted) {
      assert.ok(!paths.some((p) => p.includes(`/node_modules/${name}/`)), `ships ${name}`);
    }
    const modules = paths.filter((p) => p.startsWith(`${LIB}/node_modules/`)).map((p) => p.slice(LIB.length + 1));
    const junk = [
      ...paths.filter((p) => /\.(ts|map|md|markdown|c|cc|h)$/.test(p) || p.startsWith(`${LIB}/src`) || p.startsWith(`${LIB}/dist`)),
      // Tests, documentation, build inputs, command-line tools, licence files (in debian/copyright),
      // koffi's builds for musl and other platforms.
      ...modules.filter((p) => /\/(test|tests|docs?|examples?|vendor|bin)\/|\/licen[cs]e[^/]*$|musl_|\/@koromix\/koffi-(?!linux-x64(\/|$))/i.test(p)),
    ];
    assert.deepEqual(junk, []);
    // Only the three top directories of a Debian package's files.
    assert.deepEqual([...new Set(paths.map((p) => p.split('/')[0]))].sort(), ['etc', 'lib', 'usr']);
  });

  it('its maintainer scripts enable the socket and the timer, never start the daemon, keep the socket up on upgrade, and purge state and cache', () => {
    const ctrl = join(dir, 'control');
    execFileSync('dpkg-deb', ['--control', deb, ctrl]);
    const script = (name: string): string => join(ctrl, name);
    const calls = (name: string, args: string[]): string[] => runMaintainerScript('apt-ostreed', script(name), args, { onSystemd: join(dir, 'stubs') });
    const invoked = (log: string[]): string[] => log.filter((l) => l.startsWith('deb-systemd-invoke ')).map((l) => l.slice('deb-systemd-invoke '.length));

    // First installation.
    const install = calls('postinst', ['configure']);
    assert.ok(install.includes('deb-systemd-helper enable apt-ostreed.socket'), install.join('\n'));
    assert.ok(install.includes('deb-systemd-helper enable apt-ostreed-automatic.timer'), install.join('\n'));
    assert.ok(!install.includes('deb-systemd-helper enable apt-ostreed.service'), install.join('\n'));
    assert.deepEqual(invoked(install).sort(), ['start apt-ostreed-automatic.timer', 'start apt-ostreed.socket']);
    assert.ok(install.includes('systemd-tmpfiles --create apt-ostree.conf'), install.join('\n'));

    // Upgrade: the old prerm, then the new postinst. The socket is only (re)started if stopped
    // (start is a no-op on a running one); a running daemon is restarted; the timer restarts.
    assert.deepEqual(invoked(calls('prerm', ['upgrade', '0.1.0+test1'])), []);
    assert.ok(!existsSync(script('preinst')) || !readFileSync(script('preinst'), 'utf8').includes('apt-ostreed'));
    const upgrade = invoked(calls('postinst', ['configure', '0.1.0']));
    assert.deepEqual(upgrade.sort(), ['restart apt-ostreed-automatic.timer', 'start apt-ostreed.socket', 'try-restart apt-ostreed.service']);

    // Removal stops the socket (and with it the daemon: Requires=) and the timer.
    assert.deepEqual(invoked(calls('prerm', ['remove'])).sort(), ['stop apt-ostreed-automatic.timer', 'stop apt-ostreed.socket']);
    // The automatic update runs from the timer only: no script touches it.
    for (const name of ['preinst', 'postinst', 'prerm', 'postrm'].filter((n) => existsSync(script(n)))) {
      assert.ok(!readFileSync(script(name), 'utf8').includes('apt-ostreed-automatic.service'), name);
    }

    // For real, into another root (DPKG_ROOT): the enablement links, tmpfiles' directories, then purge.
    const root = join(dir, 'root');
    execFileSync('dpkg-deb', ['--extract', deb, root]);
    runMaintainerScript('apt-ostreed', script('postinst'), ['configure'], { dpkgRoot: root });
    const enabled = join(root, 'etc/systemd/system');
    const links = readdirSync(enabled, { recursive: true, encoding: 'utf8' }).filter((p) => lstatSync(join(enabled, p)).isSymbolicLink());
    assert.deepEqual(links.sort(), ['sockets.target.wants/apt-ostreed.socket', 'timers.target.wants/apt-ostreed-automatic.timer']);
    for (const d of ['var/lib/apt-ostree', 'var/cache/apt-ostree']) assert.equal(statSync(join(root, d)).mode & 0o7777, 0o700, d);
    runMaintainerScript('apt-ostreed', script('postrm'), ['remove'], { dpkgRoot: root });
    runMaintainerScript('apt-ostreed', script('postrm'), ['purge'], { dpkgRoot: root });
    for (const d of [
      'var/lib/apt-ostree',
      'var/cache/apt-ostree',
      'etc/systemd/system/sockets.target.wants/apt-ostreed.socket',
      'etc/systemd/system/timers.target.wants/apt-ostreed-automatic.timer',
    ]) {
      assert.ok(!existsSync(join(root, d)), `${d} left after purge`);
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('installs a daemon and a CLI that work against a real sysroot', async () => {
    const root = join(dir, 'installed');
    execFileSync('dpkg-deb', ['--extract', deb, root]);
    // Every module the bundles require at run time is shipped and resolves from them.
    const lib = join(root, LIB);
    for (const bundle of readdirSync(lib).filter((f) => f.endsWith('.cjs'))) {
      const source = readFileSync(join(lib, bundle), 'utf8');
      const required = new Set([...source.matchAll(/(?<![\w'"])require\d*\("([^"]+)"\)/g)].map((m) => m[1]).filter((m) => !isBuiltin(m)));
      const resolve = createRequire(join(lib, bundle)).resolve;
      for (const m of required) assert.ok(resolve(m).startsWith(`${lib}/node_modules/`), `${bundle}: ${m}`);
    }
    // koffi through its regular entry point too (the daemon loads the platform package's addon directly), dbus-next.
    const load = spawnSync(
      process.execPath,
      [
        '-e',
        'const k = require(process.argv[1]); require(process.argv[2]); process.stdout.write(k.version)',
        join(root, LIB, 'node_modules/koffi'),
        join(root, LIB, 'node_modules/dbus-next'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(load.status, 0, load.stderr);
    assert.match(load.stdout, /^\d+\.\d+\.\d+$/);

    await assertInstalledDaemonWorks(root, dir);
  });

  it('APT_OSTREED_DEB_VERSION builds the same package with a higher version', () => {
    const test = buildDeb({ APT_OSTREED_DEB_VERSION: `${field(deb, 'Version')}+test1` });
    try {
      assert.equal(basename(test), `apt-ostreed_${field(deb, 'Version')}+test1_amd64.deb`);
      const cmp = spawnSync('dpkg', ['--compare-versions', field(test, 'Version'), 'gt', field(deb, 'Version')]);
      assert.equal(cmp.status, 0, `${field(test, 'Version')} is not greater than ${field(deb, 'Version')}`);
      const root = join(dir, 'test-version');
      execFileSync('dpkg-deb', ['--extract', test, root]);
      const changelog = gunzipSync(readFileSync(join(root, 'usr/share/doc/apt-ostreed/changelog.gz'))).toString('utf8');
      assert.match(changelog, /^apt-ostreed \(\d[^)]*\+test1\) unstable; urgency=medium\n/);
    } finally {
      for (const suffix of ['.deb', '.buildinfo', '.changes']) rmSync(test.replace(/\.deb$/, suffix), { force: true });
    }
  });
});
