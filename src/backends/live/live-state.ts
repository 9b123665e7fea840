/**
 * What apply-live did to the running system, kept where the live changes are: in /run, gone at
 * the next boot with the transient overlay over /usr (rpm-ostree keeps its stamp there too).
 * One JSON file per booted deployment, `/run/apt-ostree/live/<checksum>.<serial>.json`:
 * - `commit`: the commit whose /usr the running system now has (null: none applied yet);
 * - `inprogress`: the commit an apply-live was writing when it was interrupted (null: none);
 * - `files`: every path (relative to /) apply-live wrote, so a later one can take back what
 *   its target no longer has.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LIVE_STATE_DIR = '/run/apt-ostree/live';

export interface LiveState {
  commit: string | null;
  inprogress: string | null;
  files: string[];
}

const path = (deployment: { checksum: string; serial: number }, dir: string): string => join(dir, `${deployment.checksum}.${deployment.serial}.json`);

function isLiveState(v: unknown): v is LiveState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const commitish = (x: unknown): boolean => x === null || (typeof x === 'string' && /^[0-9a-f]{64}$/.test(x));
  return commitish(s.commit) && commitish(s.inprogress) && Array.isArray(s.files) && s.files.every((f) => typeof f === 'string');
}

/** The live state of a booted deployment, or null (nothing applied live since it booted). */
export function readLiveState(deployment: { checksum: string; serial: number }, dir = LIVE_STATE_DIR): LiveState | null {
  let text: string;
  try {
    text = readFileSync(path(deployment, dir), 'utf8');
  } catch {
    return null;
  }
  try {
    const v: unknown = JSON.parse(text);
    return isLiveState(v) ? v : null;
  } catch {
    return null;
  }
}

/** Replaces the live state atomically (rename), or removes it when `state` is null. */
export function writeLiveState(deployment: { checksum: string; serial: number }, state: LiveState | null, dir = LIVE_STATE_DIR): void {
  const file = path(deployment, dir);
  if (state === null) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o644 });
  renameSync(tmp, file);
}
