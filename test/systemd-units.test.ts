/**
 * The systemd side of the project: every unit passes `systemd-analyze verify`, the service's
 * sandboxing scores below 7.0 in `systemd-analyze security --offline=yes` (printed) while every
 * path the daemon writes stays writable under it, the socket, timer, tmpfiles, D-Bus activation
 * file and default configuration say what the documentation says.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG, parseConfig } from '../src/config/daemon-config.js';
import { parseIni } from '../src/config/ini.js';
import { SANDBOX_CAPABILITIES } from '../src/backends/fs/tree-sandbox.js';
import { REPO_ROOT } from './support/repo-root.js';
import { verifyUnits } from './support/systemd-verify.js';

const SYSTEMD = join(REPO_ROOT, 'systemd');
const unitText = (name: string): string => readFileSync(join(SYSTEMD, name), 'utf8');
/** `[Section] Key` → every value (keys may repeat). */
function unitValues(text: string, section: string, key: string): string[] {
  let current = '';
  const values: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) current = header[1];
    else if (current === section && line.startsWith(`${key}=`)) values.push(line.slice(key.length + 1));
  }
  return values;
}

/**
 * Whether `path` is writable for a service with these settings (the subset of systemd's rules
 * the unit uses: ProtectSystem, ProtectHome, ReadWritePaths, ReadOnlyPaths, InaccessiblePaths,
 * PrivateTmp).
 */
function writable(unit: string, path: string): boolean {
  const get = (k: string): string[] =>
    unitValues(unit, 'Service', k)
      .flatMap((v) => v.split(/\s+/))
      .filter(Boolean);
  const under = (p: string, dirs: string[]): boolean => dirs.some((d) => p === d || p.startsWith(d.endsWith('/') ? d : `${d}/`));
  const protect = get('ProtectSystem')[0] ?? 'no';
  const readOnly: string[] = [];
  if (['yes', 'full', 'strict', 'true'].includes(protect)) readOnly.push('/usr', '/boot', '/efi');
  if (['full', 'strict'].includes(protect)) readOnly.push('/etc');
  if (protect === 'strict') readOnly.push('/');
  const home = get('ProtectHome')[0] ?? 'no';
  const inaccessible = [...get('InaccessiblePaths'), ...(['yes', 'true', 'tmpfs'].includes(home) ? ['/home', '/root', '/run/user'] : [])];
  if (home === 'read-only') readOnly.push('/home', '/root', '/run/user');
  readOnly.push(...get('ReadOnlyPaths'));
  // A leading '-' only means: no error when the path does not exist.
  const readWrite = [
    ...get('ReadWritePaths').map((d) => d.replace(/^-/, '')),
    ...['StateDirectory', 'CacheDirectory', 'RuntimeDirectory', 'LogsDirectory'].flatMap((k) =>
      get(k).map((d) => `/var/${{ StateDirectory: 'lib', CacheDirectory: 'cache', RuntimeDirectory: 'run', LogsDirectory: 'log' }[k]}/${d}`),
    ),
  ];
  if (under(path, inaccessible)) return false;
  if (get('PrivateTmp')[0] === 'yes' && under(path, ['/tmp', '/var/tmp'])) return true;
  // The most specific setting wins.
  const longest = (dirs: string[]): number => Math.max(-1, ...dirs.filter((d) => under(path, [d])).map((d) => d.length));
  return longest(readWrite) >= longest(readOnly);
}

describe('systemd units', () => {
  const units = readdirSync(SYSTEMD).filter((f) => /\.(service|socket|timer)$/.test(f));

  it("every unit passes systemd-analyze verify (in a root with the host's units and the binaries installed)", () => {
    const root = mkdtempSync(join(tmpdir(), 'apt-ostree-units-'));
    try {
      mkdirSync(join(root, 'usr/lib/systemd/system'), { recursive: true });
      for (const u of units) cpSync(join(SYSTEMD, u), join(root, 'usr/lib/systemd/system', u));
      const r = verifyUnits(root, units, ['apt-ostreed', 'apt-ostree', 'kill']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '', r.stderr);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('apt-ostreed.service scores at most 4.5 in systemd-analyze security, and every path the daemon writes stays writable', (t) => {
    const out = execFileSync('systemd-analyze', ['security', '--offline=yes', join(SYSTEMD, 'apt-ostreed.service')], { encoding: 'utf8' });
    const score = Number(/Overall exposure level for apt-ostreed\.service: (\d+\.\d+)/.exec(out)?.[1]);
    t.diagnostic(`systemd-analyze security: ${score} (rpm-ostreed.service: 8.3)`);
    process.stdout.write(`# apt-ostreed.service exposure: ${score}\n`);
    assert.ok(score <= 4.5, `exposure ${score}`);
    const unit = unitText('apt-ostreed.service');
    for (const path of ['/ostree', '/sysroot', '/boot', '/boot/loader', '/var/lib/apt-ostree', '/var/cache/apt-ostree', '/run', '/run/ostree', '/tmp']) {
      assert.ok(writable(unit, path), `${path} must be writable`);
    }
    // The model knows what protection means: /usr stays read-only, /home is hidden.
    assert.equal(writable(unit, '/usr/bin'), false);
    assert.equal(writable(unit, '/home/someone'), false);
    // Strict: the rest of the system is read-only, /etc and /var included.
    for (const path of ['/etc', '/etc/apt-ostreed', '/var/lib/dpkg', '/var/log', '/srv'])
      assert.equal(writable(unit, path), false, `${path} must be read-only`);
  });

  it('apt-ostreed.service: every capability justified, private devices, the dangerous syscalls denied, private state and cache', () => {
    const unit = unitText('apt-ostreed.service');
    const get = (k: string): string[] => unitValues(unit, 'Service', k);
    const caps = get('CapabilityBoundingSet').flatMap((v) => v.split(/\s+/));
    // The comment above the set names each capability it keeps.
    const comment = unit.slice(0, unit.indexOf('CapabilityBoundingSet=')).split('\n').reverse();
    const block = comment
      .slice(
        1,
        comment.findIndex((l, i) => i > 0 && !l.startsWith('#')),
      )
      .join('\n');
    for (const cap of caps) assert.match(block, new RegExp(`\\b${cap}\\b`), `${cap} is justified in the comment above the set`);
    for (const cap of [
      'CAP_MKNOD',
      'CAP_SYS_PTRACE',
      'CAP_SYS_MODULE',
      'CAP_SYS_RAWIO',
      'CAP_NET_RAW',
      'CAP_SYS_CHROOT',
      'CAP_SETPCAP',
      'CAP_KILL',
      'CAP_DAC_READ_SEARCH',
    ]) {
      assert.ok(!caps.includes(cap), `${cap} is not kept`);
    }
    // bubblewrap passes on only what the bounding set holds: the sandbox's set must be in it,
    // with what bubblewrap itself needs (namespaces and mounts; the sandbox's loopback).
    for (const cap of [...SANDBOX_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_NET_ADMIN']) assert.ok(caps.includes(cap), `${cap} is kept for the sandbox`);
    assert.deepEqual(get('PrivateDevices'), ['yes']);
    assert.deepEqual(get('ProtectSystem'), ['strict']);
    const denied = get('SystemCallFilter')
      .filter((v) => v.startsWith('~'))
      .flatMap((v) => v.slice(1).split(/\s+/));
    for (const group of ['@module', '@raw-io', '@reboot', '@swap', '@obsolete']) assert.ok(denied.includes(group), `${group} is denied`);
    assert.ok(!get('RestrictNamespaces').join(' ').includes('user'), 'no user namespaces (bubblewrap runs as root without one)');
    // tmpfiles and the unit agree: the state and cache dirs are root's alone.
    assert.deepEqual(get('StateDirectoryMode'), ['0700']);
    assert.deepEqual(get('CacheDirectoryMode'), ['0700']);
    const tmpfiles = unitText('apt-ostree.tmpfiles.conf');
    for (const dir of ['/var/lib/apt-ostree', '/var/cache/apt-ostree']) assert.match(tmpfiles, new RegExp(`^d ${dir} 0700 root root`, 'm'));
  });

  it('the socket, service, timer, tmpfiles, activation file and default configuration say what the README says', () => {
    const socket = unitText('apt-ostreed.socket');
    assert.deepEqual(unitValues(socket, 'Socket', 'ListenStream'), ['/run/apt-ostreed.sock']);
    assert.deepEqual(unitValues(socket, 'Socket', 'SocketMode'), ['0666']);
    assert.deepEqual(unitValues(socket, 'Socket', 'FileDescriptorName'), ['apt-ostreed.socket']);
    assert.match(unitValues(socket, 'Socket', 'Symlinks')[0], /\/run\/varlink\/registry\/org\.projectatomic\.aptostree1\.OS/);
    const service = unitText('apt-ostreed.service');
    assert.deepEqual(unitValues(service, 'Service', 'Type'), ['notify']);
    assert.deepEqual(unitValues(service, 'Service', 'ExecReload'), ['/bin/kill -HUP $MAINPID']);
    assert.deepEqual(unitValues(service, 'Unit', 'ConditionPathExists'), ['/ostree']);
    assert.deepEqual(unitValues(service, 'Unit', 'Documentation'), ['man:apt-ostreed(8)']);
    const timer = unitText('apt-ostreed-automatic.timer');
    assert.deepEqual(
      ['OnBootSec', 'OnUnitInactiveSec', 'Persistent'].map((k) => unitValues(timer, 'Timer', k)[0]),
      ['1h', '1d', 'true'],
    );
    assert.deepEqual(unitValues(unitText('apt-ostreed-automatic.service'), 'Service', 'ExecStart'), [
      '/usr/bin/apt-ostree upgrade --trigger-automatic-update-policy',
    ]);
    assert.match(unitText('apt-ostree.tmpfiles.conf'), /^d \/var\/lib\/apt-ostree 0700 root root -$/m);
    assert.match(unitText('apt-ostree.tmpfiles.conf'), /^d \/var\/cache\/apt-ostree 0700 root root -$/m);
    const activation = parseIni(readFileSync(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.service'), 'utf8')).get('D-BUS Service');
    assert.equal(activation?.get('Name'), 'org.projectatomic.aptostree1');
    assert.equal(activation?.get('SystemdService'), 'apt-ostreed.service');
    const conf = join(REPO_ROOT, 'src/config/apt-ostreed.conf');
    assert.deepEqual(parseConfig(readFileSync(conf, 'utf8'), conf), DEFAULT_CONFIG, 'the shipped file is the defaults');
  });
});
