/**
 * Downloading .debs of a Debian suite without touching the host's apt: a private APT_CONFIG
 * (its own sources, lists, cache and an empty dpkg status), the archive's signature checked
 * with the suite's own keyring.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DownloadOptions {
  suite: string;
  mirror: string;
  /** The archive keyring (e.g. a tree's usr/share/keyrings/debian-archive-keyring.gpg). */
  keyring: string;
  outDir: string;
  scratch: string;
}

export function downloadDebs(names: string[], o: DownloadOptions): void {
  for (const d of ['lists/partial', 'archives/partial', 'etc/apt.conf.d', 'etc/preferences.d', 'etc/trusted.gpg.d']) mkdirSync(join(o.scratch, d), { recursive: true });
  writeFileSync(join(o.scratch, 'etc/sources.list'), `deb [signed-by=${o.keyring}] ${o.mirror} ${o.suite} main\n`);
  writeFileSync(join(o.scratch, 'status'), '');
  const conf = join(o.scratch, 'apt.conf');
  writeFileSync(
    conf,
    [
      `Dir::Etc "${join(o.scratch, 'etc')}";`,
      `Dir::State "${o.scratch}";`,
      `Dir::State::Lists "${join(o.scratch, 'lists')}";`,
      `Dir::State::status "${join(o.scratch, 'status')}";`,
      `Dir::Cache "${o.scratch}";`,
      `Dir::Cache::Archives "${join(o.scratch, 'archives')}";`,
      'APT::Architecture "amd64";',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, APT_CONFIG: conf };
  execFileSync('apt-get', ['-q', 'update'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  mkdirSync(o.outDir, { recursive: true });
  execFileSync('apt-get', ['-q', 'download', '--', ...names], { env, cwd: o.outDir, stdio: ['ignore', 'ignore', 'pipe'] });
}
