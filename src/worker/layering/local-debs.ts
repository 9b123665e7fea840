/**
 * Local .deb files in the client layer (rpm-ostree's local packages): a file the daemon received
 * (received-files.ts) is imported into the sysroot repository as the ref
 * `aptostree/local/<name>/<sha256>` (a commit holding `<name>.deb`), so every later layering —
 * an upgrade months later — finds it again; the origin lists it as `NAME:SHA256` in `[packages]
 * requested-local`. Layering checks each out (hardlinks to the repo's objects) and hands apt
 * its path, which apt resolves like any package (dependencies from the sources).
 */
import { mkdirSync, rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
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

/** Imports the received file `<receivedDir>/<sha256>.deb` into the repository; returns its entry. */
export async function importReceivedDeb(repo: string, receivedDir: string, sha256: string): Promise<LocalDeb & { version: string }> {
  const file = join(receivedDir, `${sha256}.deb`);
  const fields = await controlFields(file);
  const deb = { name: fields.name, sha256 };
  const tree = join(repo, 'tmp', `apt-ostree-local-${sha256}`);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  try {
    renameSync(file, join(tree, `${deb.name}.deb`));
    await runCommand('ostree', [
      'commit',
      `--repo=${repo}`,
      `--branch=${localRef(deb)}`,
      `--tree=dir=${tree}`,
      `--subject=apt-ostree: local package ${deb.name} ${fields.version}`,
      '--add-metadata-string=aptostree.local-package=' + localEntry(deb),
    ]);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
  return { ...deb, version: fields.version };
}

/** Checks each local .deb out under `dir`; returns name → path of the .deb. */
export async function checkoutLocalDebs(repo: string, entries: string[], dir: string): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  if (entries.length > 0) mkdirSync(dir, { recursive: true });
  for (const entry of entries) {
    const deb = parseLocalEntry(entry);
    const dest = join(dir, deb.sha256);
    try {
      await runCommand('ostree', ['checkout', `--repo=${repo}`, '--', localRef(deb), dest]);
    } catch (e) {
      throw new OperationError(
        'Failed',
        `The local package ${deb.name} (${deb.sha256}) is no longer in the repository: install it again, or uninstall ${deb.name} (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    paths.set(deb.name, join(dest, `${deb.name}.deb`));
  }
  return paths;
}
