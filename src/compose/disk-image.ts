/**
 * The image step of a compose: a raw disk image whose one ext4 filesystem is an OSTree sysroot
 * with the repo's commit deployed — what a machine boots. The sysroot is assembled on a tmpfs
 * (`ostree admin deploy` freezes the filesystem holding /boot: never the host's root) and
 * written into the image by `mkfs.ext4 -d` (no loop device, hard links kept). No bootloader
 * is installed (`sysroot.bootloader none`): the deployment's BLS entry in /boot/loader/entries
 * names the kernel, initramfs and arguments, which a bootloader, or QEMU's direct kernel boot,
 * reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNEL_ARGS_KEY } from './commit-tree.js';
import { ComposeError } from './rootfs.js';

interface ImageOptions {
  /** The repo the commit comes from. */
  repo: string;
  ref: string;
  /** The image file written (replaced). */
  output: string;
  /** Size of the image (sparse), bytes. */
  sizeBytes: number;
  /** The stateroot. Default `debian`. */
  osname?: string;
  /** The filesystem label; the kernel arguments get `root=LABEL=...`. */
  label?: string;
  /** The remote the machine upgrades from (its origin is REMOTE:REF); none: the origin is REF. */
  remote?: { name: string; url: string };
  /** Kernel arguments beyond the commit's own. */
  extraKernelArgs?: string[];
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new ComposeError(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** The kernel arguments the compose recorded in the commit. */
function commitKernelArgs(repo: string, ref: string): string[] {
  const r = spawnSync('ostree', ['show', `--repo=${repo}`, `--print-metadata-key=${KERNEL_ARGS_KEY}`, '--', ref], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  // GVariant text: 'a b c'
  const m = /^'(.*)'\s*$/s.exec(r.stdout.trim());
  return (m ? m[1] : '').split(/\s+/).filter(Boolean);
}

/** Writes the disk image; returns the deployed checksum. */
export function makeDiskImage(o: ImageOptions): string {
  const osname = o.osname ?? 'debian';
  const label = o.label ?? 'apt-ostree-root';
  // `ostree admin` takes no `--`: these become its arguments, so none may look like an option.
  if (!/^[a-z][a-z0-9_-]*$/.test(osname)) throw new ComposeError(`osname "${osname}" is not a stateroot name (a-z, 0-9, _ and -)`);
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/.test(o.ref)) throw new ComposeError(`ref "${o.ref}" is not an OSTree branch name`);
  if (o.remote !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(o.remote.name)) throw new ComposeError(`remote "${o.remote.name}" is not a remote name`);
  if (o.remote !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//.test(o.remote.url))
    throw new ComposeError(`remote URL "${o.remote.url}" is not a URL (file://, http://, https://)`);
  const csum = run('ostree', ['rev-parse', `--repo=${o.repo}`, '--', o.ref]).trim();
  const mnt = mkdtempSync(join(tmpdir(), 'apt-ostree-compose-image-'));
  run('mount', ['-t', 'tmpfs', '-o', `size=${o.sizeBytes},mode=0755`, 'apt-ostree-compose', mnt]);
  try {
    const repo = join(mnt, 'ostree/repo');
    run('ostree', ['admin', 'init-fs', mnt]);
    run('ostree', ['admin', 'os-init', `--sysroot=${mnt}`, osname]);
    run('ostree', ['config', `--repo=${repo}`, 'set', 'sysroot.bootloader', 'none']);
    let refspec = o.ref;
    if (o.remote !== undefined) {
      run('ostree', ['remote', 'add', `--repo=${repo}`, '--no-gpg-verify', o.remote.name, o.remote.url, o.ref]);
      run('ostree', ['pull-local', `--repo=${repo}`, `--remote=${o.remote.name}`, '--', o.repo, o.ref]);
      refspec = `${o.remote.name}:${o.ref}`;
    } else {
      run('ostree', ['pull-local', `--repo=${repo}`, '--', o.repo, o.ref]);
    }
    const kargs = [`root=LABEL=${label}`, 'rw', ...commitKernelArgs(o.repo, o.ref), ...(o.extraKernelArgs ?? [])];
    run('ostree', ['admin', 'deploy', `--sysroot=${mnt}`, `--os=${osname}`, ...kargs.map((k) => `--karg=${k}`), refspec]);
    rmSync(o.output, { force: true });
    run('truncate', ['-s', String(o.sizeBytes), '--', o.output]);
    run('mkfs.ext4', ['-q', '-L', label, '-d', mnt, '--', o.output]);
    return csum;
  } finally {
    spawnSync('umount', ['--lazy', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
}
