/**
 * Regenerating a tree's initramfs with the tree's own generator — dracut when the tree has it,
 * else initramfs-tools' mkinitramfs — for the tree's one kernel, inside bubblewrap with the
 * tree sandbox (../fs/tree-sandbox.ts: the tree as `/`, few capabilities). The generator writes
 * a new file next to the kernel, which then replaces `usr/lib/modules/KVER/initramfs.img` by
 * rename: the old one is a hardlink into the repository and must never be written in place.
 * Maintainer scripts and the generator itself had the tree: the kernel's directory is checked
 * to be a real one in the tree before anything there is renamed or removed (../fs/in-tree.ts).
 */
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { directoryInTree, regularFileInTree } from '../fs/in-tree.js';
import { runInTreeSandbox } from '../fs/tree-sandbox.js';

/** The tree cannot have its initramfs regenerated, or the generator failed. */
export class InitramfsError extends Error {}

interface RegeneratedInitramfs {
  kernelVersion: string;
  generator: 'dracut' | 'mkinitramfs';
}

/** The one kernel of `tree` (a directory of usr/lib/modules with a vmlinuz); `what` is done to its initramfs. */
export function treeKernel(tree: string, what = 'regenerating the initramfs'): string {
  const modules = existsSync(join(tree, 'usr/lib/modules')) ? directoryInTree(tree, 'usr/lib/modules') : join(tree, 'usr/lib/modules');
  const kernels = existsSync(modules) ? readdirSync(modules).filter((k) => existsSync(join(modules, k, 'vmlinuz'))) : [];
  if (kernels.length === 0) throw new InitramfsError(`The tree has no kernel (usr/lib/modules/VERSION/vmlinuz): ${what} needs one`);
  if (kernels.length > 1) {
    throw new InitramfsError(`The tree has ${kernels.length} kernels (${kernels.join(', ')}); ${what} needs exactly one`);
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
  throw new InitramfsError("The tree has no initramfs generator (neither dracut nor initramfs-tools' mkinitramfs)");
}

/** Runs the generator; each output line goes to `onLine`. */
export async function regenerateInitramfs(tree: string, args: string[], onLine: (line: string) => void = () => {}): Promise<RegeneratedInitramfs> {
  const kver = treeKernel(tree);
  const image = `/usr/lib/modules/${kver}/initramfs.img`;
  const fresh = `${image}.apt-ostree-new`;
  const { generator, argv } = generatorArgv(tree, kver, args, fresh);
  const { code, lines } = await runInTreeSandbox({
    tree,
    argv,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', TMPDIR: '/tmp', LC_ALL: 'C' },
    onLine,
  });
  const kernelDir = directoryInTree(tree, `usr/lib/modules/${kver}`);
  const made = regularFileInTree(tree, fresh);
  if (code !== 0 || made === null) {
    if (made !== null) rmSync(made);
    const tail = lines.filter((l) => l.trim() !== '').slice(-5);
    throw new InitramfsError(`${generator} failed (exit status ${code}): ${tail.join('; ')}`);
  }
  // The old image: a file (replaced by rename, never written through), or nothing.
  regularFileInTree(tree, image);
  renameSync(made, join(kernelDir, 'initramfs.img'));
  return { kernelVersion: kver, generator };
}
