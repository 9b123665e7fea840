/**
 * The kernel and initramfs that ostree's deploy copies from a tree into /boot: it opens them
 * following links, so a link planted in their place (initramfs.img → /etc/shadow) would have
 * the host's file copied into the boot directory. After scripts ran, each must be a regular
 * file in real directories (../../../backends/fs/in-tree.ts), where ostree looks for them:
 * usr/lib/modules/VERSION/, and the older usr/lib/ostree-boot/ and boot/.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { directoryInTree, lstatInTree, PlantedPathError, regularFileInTree } from '../../backends/fs/in-tree.js';

const BOOT_FILE = /^(vmlinuz|initramfs|initrd)/;

function checkBootFilesIn(tree: string, dir: string): void {
  if (lstatInTree(tree, dir) === null) return;
  for (const name of readdirSync(directoryInTree(tree, dir))) {
    if (BOOT_FILE.test(name)) regularFileInTree(tree, join(dir, name));
  }
}

/** Fails with a {@link PlantedPathError} when a boot file of `tree` is not a regular file in the tree. */
export function checkBootFiles(tree: string): void {
  const modules = 'usr/lib/modules';
  if (lstatInTree(tree, modules) !== null) {
    for (const version of readdirSync(directoryInTree(tree, modules))) {
      const st = lstatInTree(tree, join(modules, version));
      if (st?.isSymbolicLink() === true) throw new PlantedPathError(join(modules, version), 'a symbolic link');
      if (st?.isDirectory() === true) checkBootFilesIn(tree, join(modules, version));
    }
  }
  checkBootFilesIn(tree, 'usr/lib/ostree-boot');
  checkBootFilesIn(tree, 'boot');
}
