/** Small text helpers for the operations' messages. */

/** The first 10 hex digits of a checksum. */
export function shortChecksum(checksum: string): string {
  return checksum.slice(0, 10);
}

/** A commit timestamp (seconds) as `2023-11-15 22:13:20 UTC`. */
export function commitTimestampText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** A byte count like `12.3 MB` (SI units, as the CLI prints them). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
