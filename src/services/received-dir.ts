import { join } from 'node:path';

/** Where files a request passed wait for their transaction (received-files.ts): under the daemon's cache dir. */
export const receivedDir = (cacheDir: string): string => join(cacheDir, 'received');
