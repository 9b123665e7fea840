import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * libostree's finalization lock: while this file exists, `ostree admin finalize-staged` (the
 * shutdown step) leaves the staged deployment alone. It lives in the booted system's /run,
 * whatever the sysroot path (as /run/ostree/staged-deployment does).
 */
export const FINALIZATION_LOCK = '/run/ostree/staged-deployment-locked';

/** Creates or removes the finalization lock (rpm-ostree's `--lock-finalization`). */
export function setFinalizationLock(locked: boolean): void {
  if (locked) {
    mkdirSync(dirname(FINALIZATION_LOCK), { recursive: true });
    writeFileSync(FINALIZATION_LOCK, '');
  } else {
    rmSync(FINALIZATION_LOCK, { force: true });
  }
}
