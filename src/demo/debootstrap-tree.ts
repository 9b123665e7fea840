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
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What to bootstrap; every field is part of the cache key. */
export interface DebootstrapOptions {
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
/** The stand-in kernel's version, when the tree has none of its own. */
export const STAND_IN_KERNEL = '6.1.0-apt-ostree-test';

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

/** Empties `dir` (keeps the directory itself). */
function empty(dir: string): void {
  for (const e of readdirSync(dir)) rmSync(join(dir, e), { recursive: true, force: true });
}

/** Converts a debootstrapped root in place into the layout OSTree deploys. */
function convert(root: string): void {
  for (const d of ['dev', 'proc', 'sys', 'run', 'tmp']) {
    rmSync(join(root, d), { recursive: true, force: true });
    mkdirSync(join(root, d));
  }
  rmSync(join(root, 'var/cache/apt'), { recursive: true, force: true });
  rmSync(join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
  mkdirSync(join(root, 'var/lib/apt/lists/partial'), { recursive: true });
  renameSync(join(root, 'etc'), join(root, 'usr/etc'));
  renameSync(join(root, 'var/lib/dpkg'), join(root, 'usr/share/dpkg/database'));
  symlinkSync('../../usr/share/dpkg/database', join(root, 'var/lib/dpkg'));
  mkdirSync(join(root, 'usr/share/factory'), { recursive: true });
  renameSync(join(root, 'var'), join(root, 'usr/share/factory/var'));
  mkdirSync(join(root, 'var'));
  // A kernel in /boot (a tree with linux-image) moves to where ostree looks for it.
  const modules = join(root, 'usr/lib/modules');
  mkdirSync(modules, { recursive: true });
  const kernels = readdirSync(modules);
  if (kernels.length === 0) {
    mkdirSync(join(modules, STAND_IN_KERNEL));
    writeFileSync(join(modules, STAND_IN_KERNEL, 'vmlinuz'), 'stand-in kernel: the tests never boot it\n');
    writeFileSync(join(modules, STAND_IN_KERNEL, 'initramfs.img'), 'stand-in initramfs\n');
  } else {
    for (const k of kernels) {
      const vmlinuz = join(root, 'boot', `vmlinuz-${k}`);
      const initrd = join(root, 'boot', `initrd.img-${k}`);
      if (existsSync(vmlinuz)) renameSync(vmlinuz, join(modules, k, 'vmlinuz'));
      if (existsSync(initrd)) renameSync(initrd, join(modules, k, 'initramfs.img'));
    }
  }
  empty(join(root, 'boot'));
  // The kernel package's links at the top (/vmlinuz, /initrd.img and their .old) point into /boot.
  for (const link of ['vmlinuz', 'vmlinuz.old', 'initrd.img', 'initrd.img.old']) rmSync(join(root, link), { force: true });
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
    convert(work);
    // Another run may have finished first; the rename then fails and its tree is used.
    if (!existsSync(tree)) renameSync(work, tree);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tree;
}
