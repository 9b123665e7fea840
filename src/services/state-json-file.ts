/**
 * A small JSON record in the daemon's state dir (`<state-dir>/<name>`): written whole through a
 * temporary file and a rename (readers never see half of it), read back only when it has the
 * expected shape (anything else reads as no record).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StateJsonFile<T> {
  write(stateDir: string, value: T): void;
  read(stateDir: string): T | null;
}

export function stateJsonFile<T>(name: string, isValid: (value: T) => boolean): StateJsonFile<T> {
  return {
    write(stateDir, value) {
      mkdirSync(stateDir, { recursive: true });
      const file = join(stateDir, name);
      writeFileSync(`${file}.tmp`, JSON.stringify(value) + '\n', { mode: 0o644 });
      renameSync(`${file}.tmp`, file);
    },
    read(stateDir) {
      try {
        const value = JSON.parse(readFileSync(join(stateDir, name), 'utf8')) as T;
        return value !== null && typeof value === 'object' && isValid(value) ? value : null;
      } catch {
        return null;
      }
    },
  };
}
