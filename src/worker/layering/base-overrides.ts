/**
 * Overrides of base packages against the base they are applied to (rpm-ostree's model, for
 * dpkg): a removal of a package the base no longer has is dropped; a replacement `name=version`
 * is dropped when the base no longer has the package, when the base has that very version, or
 * when it was an upgrade of the previous base and the new base has caught up (that version or
 * newer). A replacement by an older version (a pin) stays until it is reset. A replacement by
 * a local .deb (`NAME:SHA256`) follows the same rules with the file's version. Each drop is said.
 */
import { compareDebianVersions } from '../../backends/dpkg/debian-version.js';
import { installedPackages } from '../../backends/dpkg/status-file.js';
import type { BaseOverrides } from '../../backends/ostree/write/deployment-writer.js';
import { parseLocalEntry } from './local-debs.js';

/** Package name → installed version, from dpkg status text. */
export function installedVersions(statusText: string): Map<string, string> {
  return new Map(installedPackages(statusText).map((p) => [p.name, p.version]));
}

/** `name=version` → [name, version]; `name` (the sources' candidate, whatever it is) → [name, null]. */
export function splitReplacement(entry: string): [string, string | null] {
  const at = entry.indexOf('=');
  return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
}

/**
 * Whether the replacement of `name` by `version` still applies on a base with `now` (undefined:
 * the base no longer has it), coming from a base with `before`; `say` gets the reason of a drop.
 */
function replacementApplies(
  what: string,
  name: string,
  version: string | null,
  now: string | undefined,
  before: string | undefined,
  say: (line: string) => void,
): boolean {
  if (now === undefined) {
    say(`The base no longer has ${name}: its ${what}${version === null ? '' : ` by ${version}`} is dropped`);
    return false;
  }
  // Replaced by the sources' candidate (or a local file of unknown version): kept while the base has the package.
  if (version === null) return true;
  const cmp = compareDebianVersions(now, version);
  if (cmp === 0) {
    say(`The base has ${name} ${version} itself: the ${what} is dropped`);
    return false;
  }
  const wasUpgrade = before !== undefined && compareDebianVersions(before, version) < 0;
  if (cmp > 0 && wasUpgrade) {
    say(`The base has ${name} ${now}, newer than the ${what} ${version}: the ${what} is dropped`);
    return false;
  }
  return true;
}

/**
 * The overrides that still mean something on `base` (versions of the base the layer is built
 * on) coming from `previous` (versions of the base the overrides were last applied to; the same
 * base when they are being changed). `localVersions`: the version of each local replacement
 * (`NAME:SHA256` → version). `say` gets one line per dropped override.
 */
export function effectiveOverrides(
  o: BaseOverrides,
  base: Map<string, string>,
  previous: Map<string, string>,
  say: (line: string) => void,
  localVersions: Map<string, string> = new Map(),
): BaseOverrides {
  const remove = o.remove.filter((name) => {
    if (base.has(name)) return true;
    say(`The base no longer has ${name}: its removal override is dropped`);
    return false;
  });
  const replace = o.replace.filter((entry) => {
    const [name, version] = splitReplacement(entry);
    return replacementApplies('replacement', name, version, base.get(name), previous.get(name), say);
  });
  const replaceLocal = o.replaceLocal.filter((entry) => {
    const { name } = parseLocalEntry(entry);
    return replacementApplies('local replacement', name, localVersions.get(entry) ?? null, base.get(name), previous.get(name), say);
  });
  return { remove, replace, replaceLocal };
}
