/**
 * What a sysroot is, for "the fuzzer changed nothing": `ostree admin status`, the refs, every
 * path under ostree/deploy and ostree/repo/refs with its type, size, mode and mtime, the origin
 * files' contents, and the number of objects in the repository.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { join, relative } from 'node:path';

function listing(root: string, under: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f';
      out.push(`${kind} ${relative(root, path)} ${st.size} ${st.mode.toString(8)} ${Math.floor(st.mtimeMs)}`);
      if (st.isDirectory()) walk(path);
    }
  };
  walk(join(root, under));
  return out;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  return n;
}

/** The snapshot, one line per fact (compare two with {@link snapshotDiff}). */
export function sysrootSnapshot(sysroot: string): string[] {
  const run = (args: string[]) => execFileSync('ostree', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const repo = join(sysroot, 'ostree/repo');
  const deploy = listing(sysroot, 'ostree/deploy');
  const origins = deploy
    .filter((l) => l.startsWith('f ') && l.split(' ')[1].endsWith('.origin'))
    .map((l) => `origin ${l.split(' ')[1]}: ${readFileSync(join(sysroot, l.split(' ')[1]), 'utf8')}`);
  return [
    ...run(['admin', 'status', `--sysroot=${sysroot}`])
      .split('\n')
      .map((l) => `status ${l}`),
    ...run(['refs', `--repo=${repo}`])
      .split('\n')
      .sort()
      .map((l) => `ref ${l}`),
    ...deploy,
    ...listing(sysroot, 'ostree/repo/refs'),
    ...origins,
    `objects ${countFiles(join(repo, 'objects'))}`,
  ];
}

/** Lines only in `before` (-) or only in `after` (+). */
export function snapshotDiff(before: string[], after: string[]): string[] {
  const a = new Set(before);
  const b = new Set(after);
  return [...before.filter((l) => !b.has(l)).map((l) => `- ${l}`), ...after.filter((l) => !a.has(l)).map((l) => `+ ${l}`)];
}
