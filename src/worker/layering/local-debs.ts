/**
 * Local .deb files in the client layer (rpm-ostree's local packages): a file the daemon received
 * (received-files.ts) is imported into the sysroot repository as the ref
 * `aptostree/local/<name>/<sha256>` (a commit holding `<name>.deb`), so every later layering —
 * an upgrade months later — finds it again; the origin lists it as `NAME:SHA256` in `[packages]
 * requested-local`. Layering checks each out (hardlinks to the repo's objects) and hands apt
 * its path, which apt resolves like any package (dependencies from the sources). A base package
 * replaced by a local .deb (`[overrides] replace-local`) is kept the same way.
 */
import { copyFileSync, linkSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCommitNode } from '../../backends/ostree/write/history.js';
import type { SysrootSession } from '../../backends/ostree/write/session.js';
import { runCommand } from '../../util/run-command.js';
import { OperationError } from '../operation-context.js';

/** A local package of the origin: `NAME:SHA256`. */
export interface LocalDeb {
  name: string;
  sha256: string;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export const localEntry = (d: LocalDeb): string => `${d.name}:${d.sha256}`;

export function parseLocalEntry(entry: string): LocalDeb {
  const at = entry.lastIndexOf(':');
  return { name: entry.slice(0, at), sha256: entry.slice(at + 1) };
}

/** The ref keeping a local .deb (OSTree refs have no `+`, Debian names no `_`). */
export const localRef = (d: LocalDeb): string => `aptostree/local/${d.name.replace(/\+/g, '_')}/${d.sha256}`;

/** `Package`, `Version`, `Architecture` of a .deb's control file. */
async function controlFields(deb: string): Promise<{ name: string; version: string; architecture: string }> {
  let out: string;
  try {
    out = await runCommand('dpkg-deb', ['--field', '--', deb, 'Package', 'Version', 'Architecture']);
  } catch (e) {
    throw new OperationError('Failed', `Not a valid Debian binary package: ${e instanceof Error ? e.message : String(e)}`);
  }
  const field = (f: string): string => new RegExp(`^${f}: (.*)$`, 'm').exec(out)?.[1].trim() ?? '';
  const name = field('Package');
  if (!PACKAGE_NAME.test(name)) throw new OperationError('Failed', `The local package's name ${JSON.stringify(name)} is not a Debian package name`);
  return { name, version: field('Version'), architecture: field('Architecture') };
}

/** A file the daemon received, checked to be a Debian package (not yet in the repository). */
export interface ReceivedDeb extends LocalDeb {
  version: string;
  /** Where it waits: `<receivedDir>/<sha256>.deb` (the daemon removes it when the transaction ends). */
  path: string;
}

/** Checks the received file `<receivedDir>/<sha256>.deb`: its name and version (dpkg-deb). */
export async function inspectReceivedDeb(receivedDir: string, sha256: string): Promise<ReceivedDeb> {
  const path = join(receivedDir, `${sha256}.deb`);
  const fields = await controlFields(path);
  return { name: fields.name, sha256, version: fields.version, path };
}

/**
 * Imports a received file into the repository as {@link localRef} (a commit holding
 * `<name>.deb`, its version as the commit's `version`). The received file stays where it is:
 * the daemon owns it.
 */
export async function importReceivedDeb(repo: string, deb: ReceivedDeb): Promise<void> {
  const tree = join(repo, 'tmp', `apt-ostree-local-${deb.sha256}`);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  try {
    const file = join(tree, `${deb.name}.deb`);
    try {
      linkSync(deb.path, file);
    } catch {
      copyFileSync(deb.path, file);
    }
    await runCommand('ostree', [
      'commit',
      `--repo=${repo}`,
      `--branch=${localRef(deb)}`,
      `--tree=dir=${tree}`,
      `--subject=apt-ostree: local package ${deb.name} ${deb.version}`,
      '--add-metadata-string=aptostree.local-package=' + localEntry(deb),
      '--add-metadata-string=version=' + deb.version,
    ]);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/**
 * Checks each local .deb out under `dir`; returns name → path of the .deb. An entry of `files`
 * (`NAME:SHA256` → path: a received file not imported, for a dry run) is used where it is.
 */
export async function checkoutLocalDebs(
  repo: string,
  entries: string[],
  dir: string,
  files: ReadonlyMap<string, string> = new Map(),
): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  if (entries.length > 0) mkdirSync(dir, { recursive: true });
  for (const entry of entries) {
    const deb = parseLocalEntry(entry);
    const file = files.get(entry);
    if (file !== undefined) {
      paths.set(deb.name, file);
      continue;
    }
    const dest = join(dir, deb.sha256);
    try {
      await runCommand('ostree', ['checkout', `--repo=${repo}`, '--', localRef(deb), dest]);
    } catch (e) {
      throw new OperationError(
        'Failed',
        `The local package ${deb.name} (${deb.sha256}) is no longer in the repository: pass the file again (install or override replace), or drop it (uninstall or override reset ${deb.name}) (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    paths.set(deb.name, join(dest, `${deb.name}.deb`));
  }
  return paths;
}

/** The version of each local .deb of `entries` the repository has (its commit's `version`); `NAME:SHA256` → version. */
export function localDebVersions(session: SysrootSession, entries: string[]): Map<string, string> {
  const versions = new Map<string, string>();
  for (const entry of entries) {
    const checksum = session.resolveRev(localRef(parseLocalEntry(entry)));
    const version = checksum === null ? null : (loadCommitNode(session.repo, checksum)?.version ?? null);
    if (version !== null) versions.set(entry, version);
  }
  return versions;
}
