/**
 * The commit of a compose: the cached root (a hard-linked copy, so the cache is never written),
 * the tree file's removed and added files and units applied, committed to the repo's branch
 * with the version and the kernel arguments as metadata. The branch's previous commit is the
 * new one's parent, so a higher version in the same repo is an upgrade for machines on it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ComposeError } from './rootfs.js';
import type { Tree } from './tree-file.js';

/** The commit metadata key holding the tree file's kernel arguments (read by the image step). */
export const KERNEL_ARGS_KEY = 'apt-ostree.compose.kernel-args';

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new ComposeError(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Where a tree path lives in the converted root: /etc is usr/etc there. */
function inTree(root: string, path: string): string {
  return join(root, path.startsWith('/etc/') ? `usr${path}` : path);
}

/** The [Install] section's WantedBy=/RequiredBy= targets of a unit in the tree. */
function installTargets(root: string, unit: string): string[] {
  for (const dir of ['usr/etc/systemd/system', 'usr/lib/systemd/system']) {
    const file = join(root, dir, unit.replace(/@[^.]+\./, '@.'));
    if (!existsSync(file)) continue;
    const targets: string[] = [];
    let section = '';
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const s = /^\[(.+)\]$/.exec(line.trim());
      if (s) section = s[1];
      const m = /^(WantedBy|RequiredBy)=(.*)$/.exec(line.trim());
      if (section === 'Install' && m)
        targets.push(
          ...m[2]
            .split(/\s+/)
            .filter(Boolean)
            .map((t) => `${t}.${m[1] === 'WantedBy' ? 'wants' : 'requires'}`),
        );
    }
    if (targets.length === 0) throw new ComposeError(`units.enable: ${unit} has no WantedBy= or RequiredBy= in its [Install] section`);
    return targets;
  }
  throw new ComposeError(`units.enable: no unit ${unit} in the tree`);
}

function applyTree(tree: Tree, root: string): void {
  for (const path of tree.removeFiles) rmSync(inTree(root, path), { recursive: true, force: true });
  for (const f of tree.addFiles) {
    const dest = inTree(root, f.dest);
    mkdirSync(dirname(dest), { recursive: true });
    // A hard-linked copy: unlink first, never write through to the cache.
    rmSync(dest, { force: true });
    if (!existsSync(f.source)) throw new ComposeError(`add-files: ${f.source} does not exist`);
    copyFileSync(f.source, dest);
    chmodSync(dest, f.mode ?? 0o644);
  }
  const system = join(root, 'usr/etc/systemd/system');
  for (const unit of tree.maskUnits) {
    mkdirSync(system, { recursive: true });
    rmSync(join(system, unit), { force: true });
    symlinkSync('/dev/null', join(system, unit));
  }
  for (const unit of tree.enableUnits) {
    for (const wants of installTargets(root, unit)) {
      const dir = join(system, wants);
      mkdirSync(dir, { recursive: true });
      const dir2 = existsSync(join(root, 'usr/etc/systemd/system', unit)) ? '/etc/systemd/system' : '/usr/lib/systemd/system';
      rmSync(join(dir, unit), { force: true });
      symlinkSync(`${dir2}/${unit.replace(/@[^.]+\./, '@.')}`, join(dir, unit));
    }
  }
}

/** Commits `tree` on top of its cached `root` into `repo` (made, archive mode, if missing); returns the checksum. */
export function commitTree(tree: Tree, root: string, repo: string, scratch: string): string {
  if (!existsSync(join(repo, 'config'))) {
    mkdirSync(repo, { recursive: true });
    run('ostree', ['init', `--repo=${repo}`, '--mode=archive']);
  }
  const work = join(scratch, `commit-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    run('cp', ['-al', '--', root, work]);
    applyTree(tree, work);
    const csum = run('ostree', [
      'commit',
      `--repo=${repo}`,
      `--branch=${tree.ref}`,
      `--subject=${tree.ref} ${tree.version}`,
      `--add-metadata-string=version=${tree.version}`,
      `--add-metadata-string=${KERNEL_ARGS_KEY}=${tree.kernelArgs.join(' ')}`,
      '--',
      work,
    ]).trim();
    run('ostree', ['summary', '-u', `--repo=${repo}`]);
    return csum;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
