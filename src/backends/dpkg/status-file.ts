/** Reading a dpkg status file: which packages are installed. */

/** Where a tree keeps its dpkg status (docs/design-decisions.md: the database lives in /usr). */
export const DPKG_STATUS = '/usr/share/dpkg/database/status';

/** One installed package. */
export interface InstalledPackage {
  name: string;
  version: string;
  architecture: string;
}

/** The packages whose Status is `install ok installed`, from status file text, in file order. */
export function installedPackages(text: string): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (f: string): string | undefined => new RegExp(`^${f}: (.*)$`, 'm').exec(stanza)?.[1].trim();
    const name = field('Package');
    if (name === undefined || field('Status') !== 'install ok installed') continue;
    found.push({ name, version: field('Version') ?? '', architecture: field('Architecture') ?? '' });
  }
  return found;
}

/** Names of the installed packages. */
export function installedPackageNames(text: string): Set<string> {
  return new Set(installedPackages(text).map((p) => p.name));
}

/** The package name of a spec `name[:arch][=version]`. */
export function specName(spec: string): string {
  return spec.replace(/[:=].*$/, '');
}
