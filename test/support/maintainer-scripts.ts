/**
 * Running a package's maintainer scripts (DEBIAN/postinst, prerm, postrm) without touching the
 * host's systemd: in a bubblewrap sandbox that shares the host's files but has a /run of its own,
 * so the host's systemd is never asked anything.
 * - `onSystemd`: the sandbox's /run/systemd/system exists (the scripts believe systemd runs) and
 *   the tools they call (deb-systemd-helper, deb-systemd-invoke, systemctl, systemd-tmpfiles)
 *   are stubs found first on PATH that only log their arguments; the log is returned, one line a
 *   call ("deb-systemd-invoke start apt-ostreed.socket"). Stubs, because the real tools would
 *   change the host's units; only what the scripts ask for is under test there. The stubs answer
 *   yes to every question but `debian-installed` (as for a package installed the first time).
 * - `dpkgRoot`: the real tools, with DPKG_ROOT set, as dpkg runs the scripts for a package
 *   installed into another root: everything happens under that root.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const STUBBED = ['deb-systemd-helper', 'deb-systemd-invoke', 'systemctl', 'systemd-tmpfiles'];
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export type ScriptHost = { onSystemd: string } | { dpkgRoot: string };

/**
 * Runs `script` (a path: DEBIAN/postinst...) of package `pkg` with `args`, in dpkg's environment;
 * returns the stubs' log (empty with `dpkgRoot`). Throws on a non-zero exit.
 */
export function runMaintainerScript(pkg: string, script: string, args: string[], host: ScriptHost): string[] {
  const bwrap = ['--dev-bind', '/', '/', '--tmpfs', '/run'];
  // What dpkg sets (deb-systemd-helper refuses to run without it).
  const env: Record<string, string> = { PATH, LANG: 'C', DPKG_MAINTSCRIPT_PACKAGE: pkg, DPKG_MAINTSCRIPT_NAME: basename(script) };
  let log: string | null = null;
  if ('onSystemd' in host) {
    const stubs = join(host.onSystemd, 'stubs');
    log = join(host.onSystemd, 'calls.log');
    mkdirSync(stubs, { recursive: true });
    rmSync(log, { force: true });
    writeFileSync(log, '');
    for (const tool of STUBBED) {
      // `deb-systemd-helper debian-installed` answers no: a first installation, nothing recorded yet.
      const answer = tool === 'deb-systemd-helper' ? '[ "$1" != debian-installed ]\n' : '';
      writeFileSync(join(stubs, tool), `#!/bin/sh\necho "${tool} $*" >> '${log}'\n${answer}`);
      chmodSync(join(stubs, tool), 0o755);
    }
    bwrap.push('--dir', '/run/systemd/system');
    env.PATH = `${stubs}:${PATH}`;
  } else {
    env.DPKG_ROOT = host.dpkgRoot;
  }
  const r = spawnSync('bwrap', [...bwrap, '--', 'sh', script, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  if (log === null || !existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}
