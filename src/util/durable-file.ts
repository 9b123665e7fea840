/**
 * Writes that survive a power cut, not only a process crash: the data is fsync'd before the
 * rename or append counts, and the directory after an entry is added or removed. For the few
 * small state files whose loss after a reboot would misreport what happened (the running
 * transaction's record, the history).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` through a file opened with `flags` ('w' or 'a') and fsyncs it. */
function writeSynced(path: string, flags: 'w' | 'a', data: string): void {
  const fd = openSync(path, flags, 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `data` atomically and durably (temp file, fsync, rename, fsync of the dir). */
export function writeFileDurably(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  writeSynced(tmp, 'w', data);
  renameSync(tmp, path);
  syncDir(dirname(path));
}

/** Appends `data` to `path` (made if missing) and fsyncs it. */
export function appendFileDurably(path: string, data: string): void {
  writeSynced(path, 'a', data);
}

/** Removes `path` (if there) and fsyncs its directory. */
export function removeFileDurably(path: string): void {
  rmSync(path, { force: true });
  syncDir(dirname(path));
}
