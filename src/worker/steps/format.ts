/** Small text helpers for the operations' messages. */

/** The first 10 hex digits of a checksum. */
export function shortChecksum(checksum: string): string {
  return checksum.slice(0, 10);
}

/** A commit timestamp (seconds) as `2023-11-15 22:13:20 UTC`. */
export function commitTimestampText(seconds: number): string {
  return new Date(seconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

export { formatBytes } from '../../util/format-bytes.js';

/** `12.2 (f11637c9c4)`, or the short checksum alone when the commit has no version. */
export function commitLabel(c: { checksum: string; version: string | null }): string {
  return c.version === null ? shortChecksum(c.checksum) : `${c.version} (${shortChecksum(c.checksum)})`;
}
