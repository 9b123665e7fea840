/** Where the build's one-file bundles are (dist/): found from bundled or unbundled code. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path of bundle `name` (e.g. `apt-ostreed-worker.cjs`), next to the running code or a few folders up. */
export function bundlePath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`${name} not found; run npm run build`);
}
