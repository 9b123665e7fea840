/**
 * A real Debian tree for tests and benchmarks: `debootstrap` from the Debian archive, converted
 * to the layout OSTree deploys (dpkg database in /usr, /etc in usr/etc, a factory /var), and cached between runs in
 * a folder the tests own — building one takes ~20 s and needs the network, committing the cached
 * one into a fresh repo takes ~1 s.
 *
 * The conversion: /etc → usr/etc; the dpkg database → usr/share/dpkg/database with
 * var/lib/dpkg a relative symlink to it; the pristine /var → usr/share/factory/var (the
 * deployment's /var starts empty); device nodes and the download caches dropped; and, when the
 * tree has no kernel, a stand-in vmlinuz + initramfs under usr/lib/modules/VERSION so that
 * `ostree admin deploy` accepts it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { convertToOstreeLayout } from '../compose/ostree-layout.js';

/** What to bootstrap; every field is part of the cache key. */
interface DebootstrapOptions {
  /** Default `bookworm`. */
  suite?: string;
  /** Default `minbase`. */
  variant?: string;
  /** Extra packages (`--include`). */
  include?: string[];
  /** Default `http://deb.debian.org/debian`. */
  mirror?: string;
  /**
   * Packages apt installs into the tree afterwards (apt-get in bubblewrap, the tree as `/`),
   * for what debootstrap's resolver cannot do — e.g. dracut, which replaces initramfs-tools.
   */
  installAfter?: string[];
}

/** Bumped whenever the conversion changes, so old cached trees are not reused. */
const RECIPE = 2;

/** The folder the cached trees live in: `APT_OSTREE_TEST_CACHE`, else /var/cache/apt-ostree-test. */
export function testCacheDir(): string {
  return process.env.APT_OSTREE_TEST_CACHE ?? '/var/cache/apt-ostree-test';
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  // debootstrap reports its errors on stdout.
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stdout + r.stderr).slice(-2000)}`);
}

/**
 * The path of a converted Debian tree for `opts`, bootstrapping and converting it on the first
 * call (then cached under {@link testCacheDir}). Callers must not modify it: commit it into a
 * repo (`ostree commit --tree=dir=`) and work on checkouts.
 */
export function debootstrapTree(opts: DebootstrapOptions = {}): string {
  const suite = opts.suite ?? 'bookworm';
  const variant = opts.variant ?? 'minbase';
  const include = [...(opts.include ?? [])].sort();
  const mirror = opts.mirror ?? 'http://deb.debian.org/debian';
  const installAfter = [...(opts.installAfter ?? [])].sort();
  const key = createHash('sha256').update(JSON.stringify({ RECIPE, suite, variant, include, mirror, installAfter })).digest('hex').slice(0, 16);
  const cache = testCacheDir();
  const tree = join(cache, `r${RECIPE}-${suite}-${variant}-${key}`);
  if (existsSync(tree)) return tree;
  mkdirSync(cache, { recursive: true });
  // Trees of an older recipe are never used again.
  for (const e of readdirSync(cache)) if (!e.startsWith(`r${RECIPE}-`)) rmSync(join(cache, e), { recursive: true, force: true });
  const work = join(cache, `building-${key}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  try {
    const args = [`--variant=${variant}`];
    if (include.length > 0) args.push(`--include=${include.join(',')}`);
    run('debootstrap', [...args, suite, work, mirror]);
    if (installAfter.length > 0) {
      const inTree = (argv: string[]): void =>
        run('bwrap', [
          ...['--bind', work, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run'],
          ...['--ro-bind', '/etc/resolv.conf', '/etc/resolv.conf', '--setenv', 'DEBIAN_FRONTEND', 'noninteractive', '--'],
          ...argv,
        ]);
      inTree(['apt-get', 'install', '-y', '--no-install-recommends', '--', ...installAfter]);
      inTree(['apt-get', 'clean']);
    }
    convertToOstreeLayout(work);
    // Another run may have finished first; the rename then fails and its tree is used.
    if (!existsSync(tree)) renameSync(work, tree);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tree;
}
