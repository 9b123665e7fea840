import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (tests run from dist/test/...). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The daemon and CLI entry points, as users run them. */
export const DAEMON_BIN = join(REPO_ROOT, 'bin', 'apt-ostreed');
export const CLI_BIN = join(REPO_ROOT, 'bin', 'apt-ostree');
