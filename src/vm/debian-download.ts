/**
 * Downloading .debs of a Debian suite without touching the host's apt: a private APT_CONFIG
 * (its own sources, lists, cache and an empty dpkg status), the archive's signature checked
 * with the suite's own keyring.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface DownloadOptions {
  suite: string;
  mirror: string;
  /** The archive keyring (e.g. a tree's usr/share/keyrings/debian-archive-keyring.gpg). */
  keyring: string;
  outDir: string;
  scratch: string;
}

/**
 * A private APT_CONFIG in `dir` (sources, lists, cache, an empty dpkg status; the host's apt
 * never takes part) for `sourcesLine`; returns the configuration file's path.
 */
export function privateAptConfig(dir: string, sourcesLine: string): string {
  for (const d of ['lists/partial', 'archives/partial', 'etc/apt.conf.d', 'etc/preferences.d', 'etc/sources.list.d', 'etc/trusted.gpg.d'])
    mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'etc/sources.list'), sourcesLine);
  writeFileSync(join(dir, 'status'), '');
  const conf = join(dir, 'apt.conf');
  writeFileSync(
    conf,
    [
      `Dir::Etc "${join(dir, 'etc')}";`,
      `Dir::State "${dir}";`,
      `Dir::State::Lists "${join(dir, 'lists')}";`,
      `Dir::State::status "${join(dir, 'status')}";`,
      `Dir::Cache "${dir}";`,
      `Dir::Cache::Archives "${join(dir, 'archives')}";`,
      'APT::Architecture "amd64";',
      'APT::Sandbox::User "root";',
      'Acquire::Languages "none";',
      '',
    ].join('\n'),
  );
  return conf;
}

export function downloadDebs(names: string[], o: DownloadOptions): void {
  const conf = privateAptConfig(o.scratch, `deb [signed-by=${o.keyring}] ${o.mirror} ${o.suite} main\n`);
  const env = { ...process.env, APT_CONFIG: conf };
  execFileSync('apt-get', ['-q', 'update'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  mkdirSync(o.outDir, { recursive: true });
  execFileSync('apt-get', ['-q', 'download', '--', ...names], { env, cwd: o.outDir, stdio: ['ignore', 'ignore', 'pipe'] });
}
