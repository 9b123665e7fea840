/**
 * `node dist/src/demo/demo-sysroot.js DIR`: makes sure DIR holds the demo, built in a few
 * seconds with no network, and prints its sysroot's path:
 *  - DIR/server/repo: an OSTree repository (branch debian/bookworm/x86_64: 12.1, 12.2, 12.3),
 *    served over HTTP on 127.0.0.1 by demo-serve.js while the demo runs;
 *  - DIR/sysroot: a sysroot whose deployments follow it (remote `origin`): 12.2 (default) and
 *    12.1 (pinned), so 12.3 is an update;
 *  - DIR/apt: a flat APT repository (demo-packages.ts), the deployments' only source
 *    (`deb [trusted=yes] file:DIR/apt ./` in /etc/apt/sources.list.d/demo.list);
 *  - DIR/apt-ostreed.conf.
 * demo-run.sh then layers hello and jq with the daemon itself and marks the demo complete
 * (DIR/.complete); until then every run starts over.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { aptSourceLine, buildAptRepo } from './apt-repo.js';
import { DEMO_BASE_FILES, DEMO_BASE_PACKAGES, DEMO_DEBS } from './demo-packages.js';
import { addServerCommit, buildRemoteSysroot } from './remote-fixture.js';
import { pin, removeSysroot } from './sysroot-builder.js';

/** The stamp demo-run.sh writes once the demo is set up. */
const DEMO_COMPLETE = '.complete';
/** Bumped whenever the demo changes, so that a demo built before is built again. */
const RECIPE = '3';

/** Whether `dir` holds a complete demo of this recipe. */
function complete(dir: string): boolean {
  try {
    return existsSync(join(dir, DEMO_COMPLETE)) && readFileSync(join(dir, '.recipe'), 'utf8').trim() === RECIPE;
  } catch {
    return false;
  }
}

/** The path of the demo's sysroot under `dir`. */
export function demoSysroot(dir: string): string {
  return join(dir, 'sysroot');
}

/** The demo's APT source line for its repository under `dir`. */
export function demoAptSource(dir: string): string {
  return aptSourceLine(`file:${join(dir, 'apt')}`);
}

/** Removes what a previous, incomplete demo build left under `dir` (never `dir` itself: it may hold anything). */
function clean(dir: string): void {
  removeSysroot(demoSysroot(dir));
  for (const e of ['server', 'work', 'apt', 'state', 'cache', 'port', 'remote-url', 'apt-ostreed.conf', '.recipe', DEMO_COMPLETE])
    rmSync(join(dir, e), { recursive: true, force: true });
}

/** Builds the demo's repositories and sysroot under `dir` (see the file's comment); returns the sysroot. */
export async function buildDemo(dir: string): Promise<string> {
  clean(dir);
  mkdirSync(dir, { recursive: true });
  const remote = await buildRemoteSysroot(dir, { shell: true, basePackages: DEMO_BASE_PACKAGES, baseFiles: DEMO_BASE_FILES });
  try {
    // [12.2, 12.1]: 12.1 stays however many deployments come.
    pin(remote.sysroot, 1);
    // The update: a new point release, with release notes big enough for a visible download.
    const notes = Array.from({ length: 20_000 }, (_, i) => `${i}: fixes and security updates for Debian 12.3\n`).join('');
    addServerCommit(remote, { version: '12.3', subject: 'Debian 12.3', files: { 'usr/share/doc/debian/release-notes-12.3.txt': notes } });
  } finally {
    // demo-serve.js serves the repository from now on (at another port, maybe).
    await remote.stop();
    rmSync(join(dir, 'work'), { recursive: true, force: true });
  }
  const aptDir = join(dir, 'apt');
  mkdirSync(aptDir);
  buildAptRepo(aptDir, DEMO_DEBS);
  // The default deployment's /etc: apt's configuration comes from it, and new deployments inherit it.
  const d = join(remote.sysroot, 'ostree/deploy', remote.osname, 'deploy', `${remote.commits.v2}.0`);
  writeFileSync(join(d, 'etc/apt/sources.list.d/demo.list'), demoAptSource(dir));
  writeFileSync(join(dir, 'apt-ostreed.conf'), '[Daemon]\nAutomaticUpdatePolicy=none\n');
  writeFileSync(join(dir, '.recipe'), `${RECIPE}\n`);
  return remote.sysroot;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]).endsWith('demo-sysroot.js')) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: demo-sysroot.js DIR\n');
    process.exit(2);
  }
  const abs = resolve(dir);
  const sysroot = complete(abs) ? demoSysroot(abs) : await buildDemo(abs);
  process.stdout.write(sysroot + '\n');
}
