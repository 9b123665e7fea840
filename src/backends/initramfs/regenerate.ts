/**
 * Regenerating a tree's initramfs with the tree's own generator — dracut when the tree has it,
 * else initramfs-tools' mkinitramfs — for the tree's one kernel, inside bubblewrap with the
 * tree as `/` (own /dev, /proc, /tmp, /run; no network). The generator writes a new file next
 * to the kernel, which then replaces `usr/lib/modules/KVER/initramfs.img` by rename: the old one
 * is a hardlink into the repository and must never be written in place.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The tree cannot have its initramfs regenerated, or the generator failed. */
export class InitramfsError extends Error {}

export interface RegeneratedInitramfs {
  kernelVersion: string;
  generator: 'dracut' | 'mkinitramfs';
}

/** The one kernel of `tree` (a directory of usr/lib/modules with a vmlinuz). */
export function treeKernel(tree: string): string {
  const modules = join(tree, 'usr/lib/modules');
  const kernels = existsSync(modules) ? readdirSync(modules).filter((k) => existsSync(join(modules, k, 'vmlinuz'))) : [];
  if (kernels.length === 0) throw new InitramfsError('The tree has no kernel (usr/lib/modules/VERSION/vmlinuz): no initramfs to regenerate');
  if (kernels.length > 1) {
    throw new InitramfsError(`The tree has ${kernels.length} kernels (${kernels.join(', ')}); regenerating the initramfs needs exactly one`);
  }
  return kernels[0];
}

function generatorArgv(tree: string, kver: string, args: string[], out: string): { generator: RegeneratedInitramfs['generator']; argv: string[] } {
  if (existsSync(join(tree, 'usr/bin/dracut'))) {
    // Not host-only: the image must boot on whatever machine the deployment runs on.
    return { generator: 'dracut', argv: ['dracut', '--no-hostonly', '--force', '--kver', kver, ...args, out] };
  }
  if (existsSync(join(tree, 'usr/sbin/mkinitramfs'))) {
    return { generator: 'mkinitramfs', argv: ['mkinitramfs', ...args, '-o', out, kver] };
  }
  throw new InitramfsError('The tree has no initramfs generator (neither dracut nor initramfs-tools\' mkinitramfs)');
}

/** Runs the generator; each output line goes to `onLine`. */
export async function regenerateInitramfs(tree: string, args: string[], onLine: (line: string) => void = () => {}): Promise<RegeneratedInitramfs> {
  const kver = treeKernel(tree);
  const image = `/usr/lib/modules/${kver}/initramfs.img`;
  const fresh = `${image}.apt-ostree-new`;
  const { generator, argv } = generatorArgv(tree, kver, args, fresh);
  const sandbox = [
    ...['--bind', tree, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run'],
    ...['--unshare-all', '--die-with-parent', '--chdir', '/'],
    ...['--setenv', 'PATH', '/usr/sbin:/usr/bin:/sbin:/bin', '--setenv', 'TMPDIR', '/tmp', '--setenv', 'LC_ALL', 'C'],
    '--',
    ...argv,
  ];
  const tail: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bwrap', sandbox, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const parts = (pending + chunk.toString('utf8')).split('\n');
      pending = parts.pop() ?? '';
      for (const l of parts) {
        tail.push(l);
        if (tail.length > 20) tail.shift();
        onLine(l);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(c ?? (signal === null ? 1 : 128)));
  });
  const made = join(tree, fresh);
  if (code !== 0 || !existsSync(made)) {
    rmSync(made, { force: true });
    throw new InitramfsError(`${generator} failed (exit status ${code}): ${tail.filter((l) => l.trim() !== '').slice(-5).join('; ')}`);
  }
  renameSync(made, join(tree, image));
  return { kernelVersion: kver, generator };
}
