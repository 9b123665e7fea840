/**
 * Files a verb passes open to the daemon (docs/fd-passing.md): opened here, with the caller's
 * own rights, so the daemon never opens a path a user named.
 */
import { closeSync, openSync } from 'node:fs';
import { Usage } from './transaction-verb.js';

/** A word that names a file (`./foo.deb`, `/abs/bar.deb`) rather than a package. */
export const isFileWord = (w: string): boolean => w.includes('/') || w.endsWith('.deb');

/** Opens each file for reading; a usage error naming the first that cannot be opened (none stays open then). */
export function openFiles(files: readonly string[]): number[] | Usage {
  const fds: number[] = [];
  for (const file of files) {
    try {
      fds.push(openSync(file, 'r'));
    } catch (e) {
      for (const fd of fds) closeSync(fd);
      return new Usage(`cannot open ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return fds;
}
