/**
 * apt-ostree-compose's tree file: a valid one loads with its paths resolved and defaults filled;
 * a bad one is refused with the field named, before anything runs. (Composing for real —
 * debootstrap, apt, commit, image — is exercised by the booted-machine suites, test/vm/.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTreeFile, TreeFileError } from '../src/compose/tree-file.js';
import { factoryVarTmpfiles } from '../src/compose/ostree-layout.js';
import { mkdirSync, symlinkSync } from 'node:fs';

const VALID = { ref: 'debian/13/x86_64/minimal', version: '13.1', suite: 'trixie', packages: ['systemd-sysv', 'linux-image-amd64'] };

describe('compose tree file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apt-ostree-tree-'));
  const write = (name: string, data: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
    return p;
  };

  it('a valid tree file loads: defaults filled, relative paths resolved against the file', () => {
    const t = loadTreeFile(
      write('ok.json', {
        ...VALID,
        'local-packages': ['debs/x.deb'],
        'add-files': [{ source: 'files/motd', dest: '/etc/motd', mode: '0600' }],
        units: { mask: ['apt-daily.timer'] },
      }),
    );
    assert.equal(t.mirror, 'http://deb.debian.org/debian');
    assert.deepEqual(t.components, ['main']);
    assert.deepEqual(t.localPackages, [join(dir, 'debs/x.deb')]);
    assert.deepEqual(t.addFiles, [{ source: join(dir, 'files/motd'), dest: '/etc/motd', mode: 0o600 }]);
    assert.deepEqual(t.maskUnits, ['apt-daily.timer']);
    assert.deepEqual(t.enableUnits, []);
  });

  it('refuses, naming the field: unknown keys, missing ones, paths outside /usr and /etc, option-like package names, bad refs, bad JSON', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...VALID, pakages: [] }, /"pakages"/],
      [{ ...VALID, version: undefined }, /version/],
      [{ ...VALID, 'add-files': [{ source: 'x', dest: '/var/lib/x' }] }, /add-files\/0\/dest/],
      [{ ...VALID, 'remove-files': ['/etc/../var/x'] }, /remove-files\/0/],
      [{ ...VALID, packages: ['--allow-unauthenticated'] }, /packages\/0/],
      [{ ...VALID, ref: '-x' }, /\/ref/],
      [{ ...VALID, units: { enable: ['../../x.service'] } }, /units\/enable\/0/],
      ['{ not json', /JSON|Unexpected|Expected/],
    ];
    for (const [data, re] of cases) {
      assert.throws(
        () => loadTreeFile(write('bad.json', data)),
        (e: unknown) => e instanceof TreeFileError && re.test(e.message),
        JSON.stringify(data),
      );
    }
  });

  it('the factory /var becomes tmpfiles lines: directories made, entries copied when missing, links kept', () => {
    const v = join(dir, 'factory-var');
    mkdirSync(join(v, 'lib/polkit-1'), { recursive: true });
    mkdirSync(join(v, 'log'), { recursive: true });
    symlinkSync('../../usr/share/dpkg/database', join(v, 'lib/dpkg'));
    symlinkSync('/run/lock', join(v, 'lock'));
    const text = factoryVarTmpfiles(v);
    assert.match(text, /^d \/var\/lib 0755 0 0 -$/m);
    assert.match(text, /^C \/var\/lib\/polkit-1 - - - - \/usr\/share\/factory\/var\/lib\/polkit-1$/m);
    assert.match(text, /^L \/var\/lib\/dpkg - - - - \.\.\/\.\.\/usr\/share\/dpkg\/database$/m);
    assert.match(text, /^L \/var\/lock - - - - \/run\/lock$/m);
    assert.match(text, /^d \/var\/log 0755 0 0 -$/m);
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
