/**
 * `node dist/src/demo/demo-sysroot.js DIR`: makes sure DIR holds the demo: a synthetic sysroot
 * (three deployments: a layered one, its base, an older pinned one) built in about a second
 * with no network, and a configuration file. Rebuilt only when missing or incomplete.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildStandardSysroot, removeSysroot } from './sysroot-builder.js';

/** Builds the demo under `dir` unless a complete one is there; returns its sysroot path. */
function ensureDemo(dir: string): string {
  const sysroot = join(dir, 'sysroot');
  const stamp = join(dir, '.complete');
  if (!existsSync(stamp)) {
    removeSysroot(sysroot);
    mkdirSync(dir, { recursive: true });
    buildStandardSysroot(sysroot);
    writeFileSync(join(dir, 'apt-ostreed.conf'), '[Daemon]\nAutomaticUpdatePolicy=none\n');
    writeFileSync(stamp, new Date().toISOString() + '\n');
  }
  return sysroot;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]).endsWith('demo-sysroot.js')) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: demo-sysroot.js DIR\n');
    process.exit(2);
  }
  process.stdout.write(ensureDemo(resolve(dir)) + '\n');
}
