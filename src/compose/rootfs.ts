/**
 * The package part of a compose: debootstrap's minimal base of the suite, the tree file's
 * packages and local .debs installed with apt in that root (bubblewrap, the root as `/`), then
 * converted to the OSTree layout. The result is cached, keyed by everything that went into it
 * (suite, mirror, components, packages, the .debs' contents, this recipe), so composing
 * another version of the same packages reuses it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { convertToOstreeLayout } from './ostree-layout.js';
import type { Tree } from './tree-file.js';

/** Bumped whenever the recipe changes, so roots of an older one are not reused. */
const RECIPE = 1;

/**
 * dracut builds the initramfs (Debian's ostree-boot ships a dracut module, not an
 * initramfs-tools hook): a generic one (a deployment boots on any machine), with the virtio
 * drivers of virtual machines.
 */
const DRACUT_CONF = [
  '# apt-ostree-compose: a generic initramfs that boots any deployment.',
  'hostonly="no"',
  'add_drivers+=" virtio_blk virtio_pci virtio_scsi virtio_console ext4 "',
  '',
].join('\n');

/** Units that cost boot time or ask questions on an image machine. */
const MASKED_BY_DEFAULT = ['systemd-firstboot.service', 'e2scrub_reap.service'];

export class ComposeError extends Error {
  override readonly name = 'ComposeError';
}

function run(cmd: string, args: string[], log: (line: string) => void): void {
  log(`+ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  // debootstrap reports its errors on stdout.
  if (r.status !== 0) throw new ComposeError(`${cmd} exited ${r.status}: ${(r.stdout + r.stderr).slice(-3000)}`);
}

/** Runs argv with `root` as `/` (bubblewrap; the host's network, for apt). */
function inRoot(root: string, argv: string[], log: (line: string) => void): void {
  run(
    'bwrap',
    [
      ...['--bind', root, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run'],
      ...['--ro-bind', '/etc/resolv.conf', '/etc/resolv.conf', '--setenv', 'DEBIAN_FRONTEND', 'noninteractive'],
      ...['--setenv', 'PATH', '/usr/sbin:/usr/bin:/sbin:/bin', '--'],
      ...argv,
    ],
    log,
  );
}

/** The cache key of a tree's root: what goes into it, not its version or added files. */
function rootKey(tree: Tree): string {
  const debs = tree.localPackages.map((p) => createHash('sha256').update(readFileSync(p)).digest('hex'));
  return createHash('sha256')
    .update(JSON.stringify({ RECIPE, suite: tree.suite, mirror: tree.mirror, components: tree.components, packages: [...tree.packages].sort(), debs }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The converted root of `tree`, built on the first call (~1.5 min: debootstrap and apt from the
 * mirror) and cached in `cacheDir`. Callers must not modify it.
 */
export function composeRoot(tree: Tree, cacheDir: string, log: (line: string) => void): string {
  const key = rootKey(tree);
  const dir = join(cacheDir, 'roots');
  const done = join(dir, `r${RECIPE}-${tree.suite}-${key}`);
  if (existsSync(done)) {
    log(`root: cached ${done}`);
    return done;
  }
  mkdirSync(dir, { recursive: true });
  for (const e of readdirSync(dir)) if (!e.startsWith(`r${RECIPE}-`)) rmSync(join(dir, e), { recursive: true, force: true });
  const work = join(dir, `building-${key}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  try {
    run('debootstrap', ['--variant=minbase', `--components=${tree.components.join(',')}`, tree.suite, work, tree.mirror], log);
    mkdirSync(join(work, 'etc/dracut.conf.d'), { recursive: true });
    writeFileSync(join(work, 'etc/dracut.conf.d/10-apt-ostree-compose.conf'), DRACUT_CONF);
    // Local .debs are installed by apt with the packages (their dependencies resolved together).
    const local = tree.localPackages.map((p, i) => {
      const name = `/tmp-compose-${i}-${basename(p)}`;
      copyFileSync(p, join(work, name));
      return name;
    });
    inRoot(work, ['apt-get', 'update', '-q'], log);
    // dracut first: it satisfies the kernel's initramfs-tool dependency, so initramfs-tools never comes.
    if (tree.packages.includes('dracut')) inRoot(work, ['apt-get', 'install', '-y', '-q', '--no-install-recommends', '--', 'dracut'], log);
    inRoot(work, ['apt-get', 'install', '-y', '-q', '--no-install-recommends', '--', ...tree.packages, ...local], log);
    inRoot(work, ['apt-get', 'clean'], log);
    for (const p of local) rmSync(join(work, p));
    for (const unit of MASKED_BY_DEFAULT) {
      rmSync(join(work, 'etc/systemd/system', unit), { force: true });
      mkdirSync(join(work, 'etc/systemd/system'), { recursive: true });
      run('ln', ['-s', '/dev/null', join(work, 'etc/systemd/system', unit)], log);
    }
    convertToOstreeLayout(work, { bootable: true });
    if (!existsSync(done)) renameSync(work, done);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return done;
}
