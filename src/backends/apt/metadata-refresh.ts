/**
 * The APT lists in the cache dir: fetched with `apt-get update` when missing, older than the
 * allowed age, or fetched for other sources than the deployment's (a hash of its
 * sources.list and sources.list.d is kept beside them).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AptEnvironment } from './apt-environment.js';

const STAMP = 'apt-ostree-sources';

/** A digest of the APT sources configured in `etcApt`. */
function sourcesDigest(etcApt: string): string {
  const h = createHash('sha256');
  const files = [join(etcApt, 'sources.list')];
  const parts = join(etcApt, 'sources.list.d');
  if (existsSync(parts)) {
    for (const f of readdirSync(parts).sort()) if (/\.(list|sources)$/.test(f)) files.push(join(parts, f));
  }
  for (const f of files) {
    h.update(f.slice(etcApt.length)).update('\0');
    if (existsSync(f)) h.update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** Why the lists need fetching, or null when they are fresh. */
export function refreshReason(apt: AptEnvironment, maxAgeSeconds: number, now = Date.now()): string | null {
  const stamp = join(apt.listsDir, STAMP);
  if (!existsSync(stamp)) return 'no package lists yet';
  if (readFileSync(stamp, 'utf8').trim() !== sourcesDigest(apt.options.etcApt)) return 'the APT sources changed';
  const age = (now - statSync(stamp).mtimeMs) / 1000;
  if (age > maxAgeSeconds) return `the package lists are ${Math.round(age)} s old`;
  return null;
}

/** `apt-get update`; an unreachable or broken source fails it (apt itself only warns). */
export async function refreshLists(apt: AptEnvironment): Promise<void> {
  const r = await apt.run('apt-get', ['-q', 'update']);
  // apt-get update exits 0 even when a source failed ("W: Failed to fetch"); treat that as failure.
  const failed = r.stderr.split('\n').filter((l) => /^(E: |W: Failed to fetch|W: Some index files failed)/.test(l));
  if (r.code !== 0 || failed.length > 0) {
    throw new Error(`Refreshing the package lists failed: ${failed.join('; ') || r.stderr || `apt-get exited with ${r.code}`}`);
  }
  writeFileSync(join(apt.listsDir, STAMP), sourcesDigest(apt.options.etcApt) + '\n');
}
