import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `systemd-analyze verify --root=ROOT` of `units` (paths inside ROOT's usr/lib/systemd/system).
 * The root gets the host's units (targets the units refer to) where it has none of its own,
 * /bin → usr/bin, and a stub for each of `programs` it lacks. Returns the exit code and stderr.
 */
export function verifyUnits(root: string, units: string[], programs: string[]): { status: number | null; stderr: string } {
  const unitDir = join(root, 'usr/lib/systemd/system');
  mkdirSync(unitDir, { recursive: true });
  for (const f of readdirSync('/usr/lib/systemd/system')) {
    if (!existsSync(join(unitDir, f))) cpSync(join('/usr/lib/systemd/system', f), join(unitDir, f), { recursive: true, verbatimSymlinks: true });
  }
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  if (!existsSync(join(root, 'bin'))) symlinkSync('usr/bin', join(root, 'bin'));
  for (const p of programs) {
    if (existsSync(join(root, 'usr/bin', p))) continue;
    writeFileSync(join(root, 'usr/bin', p), '#!/bin/sh\n');
    chmodSync(join(root, 'usr/bin', p), 0o755);
  }
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, '--man=no', ...units.map((u) => join(unitDir, u))], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}
