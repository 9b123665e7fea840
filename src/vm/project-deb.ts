/**
 * apt-ostreed's own .deb for the test image: `scripts/deb.sh` (npm run deb), at the checkout's
 * version or a higher one (`VERSION+SUFFIX`, for upgrading the package on a booted machine).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The checkout: this file is dist/src/vm/project-deb.js. */
export const REPO_DIR = fileURLToPath(new URL('../../..', import.meta.url));

/** Builds the .deb (scripts/deb.sh skips what is up to date); returns its path. */
export function buildDeb(versionSuffix: string | undefined, log: (line: string) => void): string {
  const version = (JSON.parse(readFileSync(join(REPO_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  const env = { ...process.env, ...(versionSuffix === undefined ? {} : { APT_OSTREED_DEB_VERSION: `${version}${versionSuffix}` }) };
  log(`deb: building ${version}${versionSuffix ?? ''}`);
  const r = spawnSync('bash', [join(REPO_DIR, 'scripts/deb.sh')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`scripts/deb.sh failed (${r.status ?? r.signal}): ${r.stderr.slice(-3000)}`);
  const out = r.stdout;
  const path = out.trim().split('\n').at(-1) ?? '';
  if (!path.endsWith('.deb')) throw new Error(`scripts/deb.sh did not name a .deb: ${out.slice(-500)}`);
  return path;
}
