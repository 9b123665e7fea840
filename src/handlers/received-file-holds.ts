/**
 * Who owns the files requests passed (received-files.ts) while they wait under
 * `<cache>/received`: the request that stored one holds it until the transaction it submitted
 * (or joined) ends, or until the call fails without submitting anything (a refused precheck,
 * a bad file among several, a full queue). Two requests may pass the same file (the same
 * sha256, the same path): it is removed when the last holder lets go. A file left by a daemon
 * that died holding it is removed at the next start ({@link sweepReceived}): no transaction
 * outlives the daemon.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export class ReceivedFileHolds {
  private readonly holders = new Map<string, number>();

  constructor(readonly dir: string) {}

  /** One more holder of each of `sha256s` (stored under {@link dir}). */
  hold(sha256s: readonly string[]): void {
    for (const sha256 of sha256s) this.holders.set(sha256, (this.holders.get(sha256) ?? 0) + 1);
  }

  /** One holder less of each; a file nobody holds any more is removed. */
  release(sha256s: readonly string[]): void {
    for (const sha256 of sha256s) {
      const n = (this.holders.get(sha256) ?? 1) - 1;
      if (n > 0) {
        this.holders.set(sha256, n);
        continue;
      }
      this.holders.delete(sha256);
      rmSync(join(this.dir, `${sha256}.deb`), { force: true });
    }
  }
}

/** Removes everything under `dir` (stored files and partial copies a previous run of the daemon left). */
export function sweepReceived(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of names) rmSync(join(dir, name), { recursive: true, force: true });
  return names;
}
