/**
 * Real Varlink clients for the tests, fetched by the suite itself and cached in the test cache
 * folder: systemd's `varlinkctl` (systemd ≥ 255; Debian 12 has 252) from Debian trixie, and
 * trixie's pure-Python `python3-varlink`. The .debs come through apt with a private
 * configuration pointing at trixie (own lists, cache and empty status — the host's apt state is
 * never touched) and are unpacked with `dpkg -x`. varlinkctl runs through trixie's own dynamic
 * loader with `--library-path`, so trixie's libc never leaks into other processes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testCacheDir } from '../../src/demo/debootstrap-tree.js';
import { privateAptConfig } from '../../src/vm/debian-download.js';

const SYSTEMD_PACKAGES = [
  'systemd',
  'libsystemd-shared',
  'libsystemd0',
  'libc6',
  'libacl1',
  'libblkid1',
  'libcap2',
  'libcrypt1',
  'libmount1',
  'libssl3t64',
  'libpam0g',
  'libseccomp2',
  'libselinux1',
  'libaudit1',
  'libpcre2-8-0',
  'libcap-ng0',
  'libzstd1',
  'zlib1g',
];
const PYTHON_PACKAGES = ['python3-varlink'];

export interface VarlinkClients {
  /** argv prefix that runs varlinkctl. */
  varlinkctl: string[];
  /** argv prefix that runs python3-varlink's CLI, and its environment. */
  python: { argv: string[]; env: NodeJS.ProcessEnv };
}

function aptConfig(dir: string): string {
  return privateAptConfig(join(dir, 'apt'), 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main\n');
}

/** The clients, fetched on first use (~30 s, needs deb.debian.org), then from the cache. */
export function varlinkClients(): VarlinkClients {
  const dir = join(testCacheDir(), 'varlink-clients-trixie');
  const root = join(dir, 'root');
  const python = join(dir, 'python');
  const lib = join(root, 'usr/lib/x86_64-linux-gnu');
  const clients: VarlinkClients = {
    varlinkctl: [join(lib, 'ld-linux-x86-64.so.2'), '--library-path', `${join(lib, 'systemd')}:${lib}`, join(root, 'usr/bin/varlinkctl')],
    python: { argv: ['/usr/bin/python3', '-m', 'varlink.cli'], env: { PYTHONPATH: join(python, 'usr/lib/python3/dist-packages') } },
  };
  const stamp = join(dir, 'complete');
  if (existsSync(stamp)) return clients;
  rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, APT_CONFIG: aptConfig(dir) };
  const debs = join(dir, 'debs');
  mkdirSync(debs, { recursive: true });
  execFileSync('apt-get', ['-q', 'update'], { env, stdio: 'pipe' });
  execFileSync('apt-get', ['-q', 'download', '--', ...SYSTEMD_PACKAGES, ...PYTHON_PACKAGES], { env, cwd: debs, stdio: 'pipe' });
  for (const f of readdirSync(debs)) {
    const target = PYTHON_PACKAGES.some((p) => f.startsWith(`${p}_`)) ? python : root;
    execFileSync('dpkg', ['-x', join(debs, f), target], { stdio: 'pipe' });
  }
  const version = execFileSync(clients.varlinkctl[0], [...clients.varlinkctl.slice(1), '--version'], { encoding: 'utf8' });
  if (!/^systemd (2[5-9]\d|[3-9]\d\d)/.test(version)) throw new Error(`unexpected varlinkctl: ${version}`);
  rmSync(debs, { recursive: true, force: true });
  writeFileSync(stamp, version);
  return clients;
}
