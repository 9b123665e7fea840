/** src/generated/version.ts: the version of package.json, for Varlink's GetInfo and `--version`. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (this file runs from dist/src/generators/). */
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function versionSource(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return `// Generated from package.json by \`npm run generate\`; do not edit.\nexport const PRODUCT_VERSION = ${JSON.stringify(pkg.version)};\n`;
}
