/**
 * Fetching the .debs of a plan into the cache dir's archives (`apt-get install
 * --download-only`): apt reuses a .deb that is already there and verified, so a second
 * identical layering downloads nothing.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, runCommandBuffer } from '../../util/run-command.js';
import type { AptEnvironment } from './apt-environment.js';
import { classifyAptFailure, type PlannedPackage } from './resolve.js';

/** A package of a plan with where its .deb lives. */
export interface FetchedPackage extends PlannedPackage {
  deb: string;
}

/** apt's archive file name: `NAME_VERSION_ARCH.deb`, the epoch's colon written `%3a`. */
function archiveFileName(p: { name: string; version: string; architecture: string }): string {
  return `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.architecture}.deb`;
}

/** One .deb apt would fetch: where from, its archive file name, size and hash (`SHA256:hex`). */
export interface PendingDownload {
  uri: string;
  file: string;
  size: number;
  hash: string;
}

/** What would be fetched: `apt-get --print-uris` lines `'URI' FILE SIZE HASH`. */
export async function pendingDownloads(apt: AptEnvironment, specs: string[]): Promise<PendingDownload[]> {
  const r = await apt.run('apt-get', ['-qq', '--print-uris', 'install', '--', ...specs]);
  if (r.code !== 0) throw classifyAptFailure(r.stdout, r.stderr);
  return r.stdout
    .split('\n')
    .map((l) => /^'([^']+)' (\S+) (\d+) (\S*)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ uri: m[1], file: m[2], size: Number(m[3]), hash: m[4] }));
}

/**
 * A `file:` source's .deb into the archives. apt uses such archives where they are (it
 * verifies them but never copies them to the cache), so the daemon copies it itself and checks
 * the copy against the hash apt's lists give, then moves it in: the archives hold only
 * verified .debs, as for any other source. (`copy:` sources are copied by apt itself.)
 */
function copyLocalArchive(apt: AptEnvironment, d: PendingDownload, target: string): void {
  const source = fileURLToPath(d.uri.replace(/^file:(?!\/\/)/, 'file://'));
  const partial = join(apt.archivesDir, 'partial', basename(target));
  copyFileSync(source, partial);
  const [algorithm, expected] = d.hash.split(':');
  // apt names them SHA512, SHA256, SHA1 and MD5Sum; node's names are lower case, md5 without "sum".
  const actual = createHash(algorithm.toLowerCase().replace(/sum$/, '')).update(readFileSync(partial)).digest('hex');
  if (expected === undefined || actual !== expected.toLowerCase()) {
    rmSync(partial, { force: true });
    throw new Error(
      `${source} does not match the hash in the APT lists of its source (${d.hash}): the local repository changed since its lists were read; refresh them (apt-ostree refresh-md) and try again`,
    );
  }
  renameSync(partial, target);
}

/** How far a download is, in the terms of the API's DownloadProgress event. */
interface PackageDownloadProgress {
  bytesTransferred: number;
  bytesPerSecond: number;
  /** .debs fetched so far. */
  objectsFetched: number;
  /** .debs to fetch (those not already in the archives). */
  objectsRequested: number;
}

/**
 * Downloads what `plan` needs (the same specs resolve to the same plan); returns each .deb.
 * `onProgress` gets bytes
 * from apt's status fd: apt reports a percentage of the bytes to fetch, which `--print-uris`
 * gave in absolute terms.
 */
export async function downloadPackages(
  apt: AptEnvironment,
  specs: string[],
  plan: PlannedPackage[],
  onProgress?: (p: PackageDownloadProgress) => void,
  /** What `pendingDownloads` already said, when the caller asked it (saves an apt run). */
  known?: PendingDownload[],
  /** Local .debs of the plan (apt's origin `local-deb`), by package name: used where they are. */
  local: Map<string, string> = new Map(),
): Promise<FetchedPackage[]> {
  const fetched = plan.map((p) => ({ ...p, deb: (p.origin === 'local-deb' ? local.get(p.name) : undefined) ?? join(apt.archivesDir, archiveFileName(p)) }));
  // A .deb reaches the archives only after apt verified it against the lists (it downloads
  // into partial/ and moves it when the hash matches), and the cache dir is root's: when every
  // .deb is there, another apt run (a second dependency resolution, ~1 s on the Debian
  // archive's lists) would only confirm it.
  if (fetched.every((p) => existsSync(p.deb))) return fetched;
  const pending = known ?? (await pendingDownloads(apt, specs));
  const total = pending.reduce((n, d) => n + d.size, 0);
  const started = Date.now();
  const onStatus = (line: string): void => {
    const m = /^dlstatus:(\d+):([\d.]+):/.exec(line);
    if (m === null || onProgress === undefined) return;
    const bytes = Math.min(total, Math.round((Number(m[2]) / 100) * total));
    const seconds = (Date.now() - started) / 1000;
    onProgress({
      bytesTransferred: bytes,
      bytesPerSecond: seconds > 0 ? Math.round(bytes / seconds) : 0,
      objectsFetched: Math.min(pending.length, Number(m[1])),
      objectsRequested: pending.length,
    });
  };
  const r = await apt.run('apt-get', ['-q', '--download-only', 'install', '--', ...specs], { onStatus });
  if (r.code !== 0) throw classifyAptFailure(r.stdout, r.stderr);
  if (pending.length > 0) onStatus(`dlstatus:${pending.length}:100:done`);
  const byFile = new Map(pending.map((d) => [d.file, d]));
  for (const p of fetched) {
    if (existsSync(p.deb)) continue;
    const d = byFile.get(basename(p.deb));
    if (d !== undefined && d.uri.startsWith('file:')) copyLocalArchive(apt, d, p.deb);
    else
      throw new Error(
        `apt reported success but did not leave ${basename(p.deb)} in the daemon's package cache (from ${d?.uri ?? 'an unknown source'}); check the source's entry in /etc/apt/sources.list.d and try again`,
      );
  }
  return fetched;
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
