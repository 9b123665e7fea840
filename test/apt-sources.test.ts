/**
 * ListRepos' reading of a tree's APT sources: one-line entries (options, deb-src, commented-out
 * ones as disabled) and deb822 stanzas (several types, URIs and suites; Enabled: no), in
 * rpm-ostree's ListRepos shape.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { aptSources } from '../src/services/apt-sources.js';

describe('APT sources of a tree (ListRepos)', () => {
  const root = mkdtempSync(join(tmpdir(), 'apt-ostree-sources-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists one-line and deb822 sources, with disabled, source and development ones marked', () => {
    mkdirSync(join(root, 'etc/apt/sources.list.d'), { recursive: true });
    writeFileSync(
      join(root, 'etc/apt/sources.list'),
      [
        '# a comment',
        'deb [signed-by=/usr/share/keyrings/k.gpg arch=amd64] http://deb.debian.org/debian trixie main contrib',
        '#deb-src http://deb.debian.org/debian trixie main',
        'deb file:/srv/repo ./',
        'not a source line',
      ].join('\n'),
    );
    writeFileSync(
      join(root, 'etc/apt/sources.list.d/debian.sources'),
      [
        'Types: deb deb-src',
        'URIs: http://deb.debian.org/debian',
        'Suites: sid experimental',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://x.example/',
        'Suites: trixie',
        'Components: main',
        'Enabled: no',
      ].join('\n'),
    );
    writeFileSync(join(root, 'etc/apt/sources.list.d/ignored.txt'), 'deb http://ignored.example/ x main\n');
    const repos = aptSources(root);
    assert.deepEqual(repos[0], {
      id: 'http://deb.debian.org/debian trixie',
      description: 'deb http://deb.debian.org/debian trixie main contrib',
      isDevel: false,
      isSource: false,
      isEnabled: true,
    });
    assert.deepEqual(
      repos.map((r) => [r.description, r.isSource, r.isDevel, r.isEnabled]),
      [
        ['deb http://deb.debian.org/debian trixie main contrib', false, false, true],
        ['deb-src http://deb.debian.org/debian trixie main', true, false, false],
        ['deb file:/srv/repo ./', false, false, true],
        ['deb http://deb.debian.org/debian sid main', false, true, true],
        ['deb http://deb.debian.org/debian experimental main', false, true, true],
        ['deb-src http://deb.debian.org/debian sid main', true, true, true],
        ['deb-src http://deb.debian.org/debian experimental main', true, true, true],
        ['deb http://x.example/ trixie main', false, false, false],
      ],
    );
  });

  it('a tree without sources has none', () => {
    assert.deepEqual(aptSources(join(root, 'nonexistent')), []);
  });
});
