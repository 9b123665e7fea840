/**
 * Fetching the .debs of a plan into the cache dir's archives (`apt-get install
 * --download-only`): apt reuses a .deb that is already there and verified, so a second
 * identical layering downloads nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, runCommandBuffer } from '../../util/run-command.js';
import type { AptEnvironment } from './apt-environment.js';
import { classifyAptFailure, type PlannedPackage } from './resolve.js';

/** A package of a plan with where its .deb lives. */
export interface FetchedPackage extends PlannedPackage {
  deb: string;
}

/** apt's archive file name: `NAME_VERSION_ARCH.deb`, the epoch's colon written `%3a`. */
export function archiveFileName(p: { name: string; version: string; architecture: string }): string {
  return `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.architecture}.deb`;
}

/** What would be fetched: `apt-get --print-uris` lines `'URI' FILE SIZE HASH`. */
export async function pendingDownloads(apt: AptEnvironment, specs: string[]): Promise<{ file: string; size: number }[]> {
  const r = await apt.run('apt-get', ['-qq', '--print-uris', 'install', '--', ...specs]);
  if (r.code !== 0) throw classifyAptFailure(r.stdout, r.stderr);
  return r.stdout
    .split('\n')
    .map((l) => /^'[^']+' (\S+) (\d+) /.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: m[1], size: Number(m[2]) }));
}

/** Downloads what `plan` needs (the same specs resolve to the same plan); returns each .deb. */
export async function downloadPackages(apt: AptEnvironment, specs: string[], plan: PlannedPackage[]): Promise<FetchedPackage[]> {
  const r = await apt.run('apt-get', ['-q', '--download-only', 'install', '--', ...specs]);
  if (r.code !== 0) throw classifyAptFailure(r.stdout, r.stderr);
  return plan.map((p) => {
    const deb = join(apt.archivesDir, archiveFileName(p));
    if (!existsSync(deb)) throw new Error(`apt reported success but ${deb} is missing`);
    return { ...p, deb };
  });
}

/** The paths a .deb installs (`dpkg-deb --contents`), as absolute paths, directories with a trailing slash dropped. */
export async function debContents(deb: string): Promise<string[]> {
  const listing = await runCommand('tar', ['-t'], await runCommandBuffer('dpkg-deb', ['--fsys-tarfile', deb]));
  return listing
    .split('\n')
    .filter((l) => l !== '' && !l.endsWith('/'))
    .map((l) => l.replace(/^\.\//, '/'));
}

/** `Installed-Size` (KiB) of exact versions, from apt's lists. */
export async function installedSizes(apt: AptEnvironment, plan: PlannedPackage[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (plan.length === 0) return sizes;
  const r = await apt.run('apt-cache', ['show', '--no-all-versions', '--', ...plan.map((p) => `${p.name}:${p.architecture}=${p.version}`)]);
  let name: string | null = null;
  for (const line of r.stdout.split('\n')) {
    const pkg = /^Package: (\S+)/.exec(line);
    if (pkg) name = pkg[1];
    const size = /^Installed-Size: (\d+)/.exec(line);
    if (size && name !== null) sizes.set(name, Number(size[1]));
  }
  return sizes;
}
