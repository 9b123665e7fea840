/**
 * Debian version comparison checked against the real `dpkg --compare-versions` on tricky and
 * random versions, and the package diff of two dpkg databases.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { compareDebianVersions } from '../src/backends/dpkg/debian-version.js';
import { diffPackages } from '../src/backends/dpkg/package-diff.js';
import { installedPackages } from '../src/backends/dpkg/status-file.js';

/** dpkg's own answer: -1, 0 or 1. */
function dpkgCompare(a: string, b: string): number {
  const is = (op: string) => spawnSync('dpkg', ['--compare-versions', '--', a, op, b]).status === 0;
  return is('lt') ? -1 : is('eq') ? 0 : 1;
}

const TRICKY = [
  '1.0',
  '1.0-1',
  '1.0-0',
  '1',
  '1.00',
  '1.0~rc1',
  '1.0~rc1-1',
  '1.0~~',
  '1.0~',
  '1.0+b1',
  '1.0-1+b1',
  '1.0-1~bpo12+1',
  '1:0.9',
  '2:0',
  '0:1.0',
  '1.0a',
  '1.0A',
  '1.0.1',
  '1.0-1.1',
  '1.0-10',
  '1.0-9',
  '2.36-9+deb12u4',
  '2.36-9+deb12u10',
  '5.2.15-2+b2',
  '5.2.15-2',
  '5.2.15-2+b10',
  '12.4+deb12u1',
  '12.4',
  '1.21.22',
  '1.21.3',
  '0.0',
  '0',
  '10',
  '9',
  '1.2.3-4ubuntu1',
  '1.2.3-4ubuntu1.1',
  '1.2.3-4',
  'a',
  'b',
  '1.0-a',
  '1.0-b',
  '1.0.0~git20230101',
  '1.0.0+git20230101',
];

function randomVersion(rand: () => number): string {
  const alphabet = '0123456789.+~ab';
  const part = (n: number) => Array.from({ length: 1 + Math.floor(rand() * n) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const epoch = rand() < 0.2 ? `${Math.floor(rand() * 3)}:` : '';
  const upstream = String(Math.floor(rand() * 10)) + part(5);
  const revision = rand() < 0.6 ? `-${part(4)}` : '';
  return epoch + upstream + revision;
}

describe('Debian versions and package diffs', () => {
  it('compares versions exactly as dpkg --compare-versions does', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const versions = [...TRICKY, ...Array.from({ length: 60 }, () => randomVersion(rand))];
    let checked = 0;
    for (let i = 0; i < versions.length; i++) {
      for (const j of [i + 1, i + 7, i + 13]) {
        const [a, b] = [versions[i], versions[j % versions.length]];
        assert.equal(Math.sign(compareDebianVersions(a, b)), dpkgCompare(a, b), `${a} vs ${b}`);
        checked++;
      }
    }
    assert.ok(checked > 300);
  });

  it('diffs two dpkg databases: added, removed, upgraded, downgraded, by kind then name', () => {
    const status = (pkgs: [string, string, string][]) =>
      pkgs.map(([n, v, a]) => `Package: ${n}\nStatus: install ok installed\nArchitecture: ${a}\nVersion: ${v}\n`).join('\n') +
      '\nPackage: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n';
    const from = installedPackages(
      status([
        ['libc6', '2.36-9', 'amd64'],
        ['zlib1g', '1:1.2.13.dfsg-1', 'amd64'],
        ['bash', '5.2.15-2+b2', 'amd64'],
        ['oldpkg', '1.0', 'all'],
        ['libfoo', '1.0', 'amd64'],
        ['libfoo', '1.0', 'i386'],
        ['tzdata', '2024a-0+deb12u1', 'all'],
      ]),
    );
    const to = installedPackages(
      status([
        ['libc6', '2.36-9+deb12u4', 'amd64'],
        ['zlib1g', '1:1.2.13.dfsg-1', 'amd64'],
        ['bash', '5.2.15-2', 'amd64'],
        ['newpkg', '2.0', 'amd64'],
        ['libfoo', '1.0', 'amd64'],
        ['tzdata', '2025b-0+deb12u1', 'all'],
        ['aaa', '1~rc1', 'all'],
      ]),
    );
    assert.equal(from.length, 7, 'config-files only is not installed');
    const got = diffPackages(from, to).map(
      (e) => `${e.change} ${e.name} ${e.previous?.version ?? '-'}:${e.previous?.architecture ?? '-'} ${e.next?.version ?? '-'}:${e.next?.architecture ?? '-'}`,
    );
    assert.deepEqual(
      got,
      [
        'added aaa - 1~rc1:all',
        'added newpkg - 2.0:amd64',
        'removed libfoo 1.0:i386 -',
        'removed oldpkg 1.0:all -',
        'upgraded libc6 2.36-9:amd64 2.36-9+deb12u4:amd64',
        'upgraded tzdata 2024a-0+deb12u1:all 2025b-0+deb12u1:all',
        'downgraded bash 5.2.15-2+b2:amd64 5.2.15-2:amd64',
      ].map((l) => l.replace(/ -$/, ' -:-').replace(/ - /, ' -:- ')),
    );
    assert.deepEqual(diffPackages(to, to), []);
  });
});
