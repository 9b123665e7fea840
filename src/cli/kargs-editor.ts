/**
 * `apt-ostree kargs --editor`: the default deployment's kernel arguments in $VISUAL/$EDITOR,
 * turned back into OS.KernelArgs edits. The edit is guarded with existingKernelArgString, so
 * arguments changed by someone else meanwhile make it fail instead of being overwritten.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEADER = [
  '# Current kernel arguments are shown below, and can be directly edited.',
  '# Empty or # lines will be ignored. Separate arguments with spaces or newlines.',
  '',
].join('\n');

/** The editor's argv from the environment (split on blanks; no shell involved), vi by default. */
export function editorCommand(env: NodeJS.ProcessEnv): string[] {
  const text = (env.VISUAL ?? '').trim() || (env.EDITOR ?? '').trim() || 'vi';
  return text.split(/\s+/);
}

/** The arguments in an edited file: comments and blank lines dropped, split on whitespace. */
export function parseEdited(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .flatMap((line) => line.split(/\s+/))
    .filter((arg) => arg !== '');
}

/** OS.KernelArgs fields that turn `before` into `after` (as multisets), with the concurrency guard. */
export function editsBetween(before: string[], after: string[]): { existingKernelArgString: string; delete: string[]; append: string[] } {
  const remaining = [...after];
  const removed: string[] = [];
  for (const arg of before) {
    const at = remaining.indexOf(arg);
    if (at >= 0) remaining.splice(at, 1);
    else removed.push(arg);
  }
  return { existingKernelArgString: before.join(' '), delete: removed, append: remaining };
}

/** Runs the editor on `current`; the edited arguments, or an error message. */
export function editKernelArgs(current: string[], env: NodeJS.ProcessEnv): { args: string[] } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'apt-ostree-kargs-'));
  try {
    const file = join(dir, 'kargs');
    writeFileSync(file, `${HEADER}${current.join(' ')}\n`);
    const [command, ...args] = editorCommand(env);
    const r = spawnSync(command, [...args, file], { stdio: 'inherit', env });
    if (r.error) return { error: `cannot run the editor ${command}: ${r.error.message}` };
    if (r.status !== 0) return { error: `the editor ${command} exited with ${r.status ?? r.signal}; nothing changed` };
    return { args: parseEdited(readFileSync(file, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
